"""A briefing as structure: roster lines, moderator, date, and its exchanges (who asked, who answered).

Built from a parsed Transcript and its Chunks, with the exact source span of every header line,
speaker label and question, so structure answers quote the transcript like every other answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lines import line_spans as _lines
from .speakers import ARTIFACT, INVISIBLE, OFFICIAL_TITLES, introduced_title
from .types import Chunk, Transcript

DATE_LINE_RE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                          r"December)\s+\d{1,2},\s*\d{4}\b|\b\d{1,2}\s+(?:January|February|March|April|May|June|"
                          r"July|August|September|October|November|December)\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True)
class Quoted:
    """A verbatim piece of the source: `transcript.text[start:end] == text`."""

    text: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Member:
    """A roster person with the header line that names them (None without a header)."""

    name: str
    title: str
    role: str  # official | moderator
    line: Quoted | None
    # Other header lines that give this person a different title (a roster listed twice, in two wordings),
    # each as (the title as written there, the line).
    also: tuple[tuple[Quoted, Quoted], ...] = ()
    # A guest the header does not list: `line` is then the words of this speaker introducing them.
    said_by: str = ""


@dataclass(frozen=True)
class Exchange:
    """One reporter's question and the answers it got, in source order."""

    doc_id: str
    n: int  # 1-based position among the briefing's questions
    outlet: str
    label: Quoted  # the reporter's speaker label
    question: Quoted  # the whole question turn (first paragraph to last)
    answers: tuple[Chunk, ...]  # the answer chunks, in order
    handoffs: tuple[tuple[str, str], ...]  # (who handed off, to whom)
    handoff_turns: tuple[Quoted, ...] = ()  # the words of each hand-off ("I would like to invite Mr. Wang …")
    reporter: Quoted | None = None  # the name a reporter gives in asking ("Laura Kessler, AP."), when they do

    @property
    def officials(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.speaker for c in self.answers))


@dataclass(frozen=True)
class Briefing:
    """Everything about one briefing's structure; see `briefing_of`."""

    doc_id: str
    title: str
    date: str | None
    path: str
    text: str
    members: tuple[Member, ...]
    date_line: Quoted | None
    exchanges: tuple[Exchange, ...]
    opening: tuple[Chunk, ...]  # answers given before any question (the opening statement)
    labels: dict  # chunk id -> Quoted speaker label of that answer
    welcome: Quoted | None = None  # the first turn's words when a moderator opens the briefing
    title_line: Quoted | None = None  # the header line holding the title, when the text has it
    closing: Quoted | None = None  # the last turn's words when a moderator closes the briefing
    closing_speaker: str = ""
    time_line: Quoted | None = None  # the header line giving the time it began ("1:08 p.m. EDT")
    end_line: Quoted | None = None  # the line after the last turn saying when it ended ("(The briefing was concluded …)")
    place_line: Quoted | None = None  # the header line naming where it was held ("Washington, D.C.")

    @property
    def moderators(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.role == "moderator")

    @property
    def officials(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.role == "official")

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.outlet for e in self.exchanges))

    def exchange_of(self, chunk_id: str) -> Exchange | None:
        """The exchange whose answers include the chunk `chunk_id` (None for the opening statement)."""
        return next((e for e in self.exchanges if any(c.id == chunk_id for c in e.answers)), None)

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without surrounding blanks, invisible characters or a page-break artifact."""
    seg = text[start:end]
    while ARTIFACT in seg:  # the artifact sits at either end of a line when it is glued to one
        i = seg.find(ARTIFACT)
        if i <= len(seg) // 2:
            start += i + len(ARTIFACT)
        else:
            end = start + i
        seg = text[start:end]
    while start < end and (text[start].isspace() or text[start] in INVISIBLE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in INVISIBLE):
        end -= 1
    return start, end


def title_head(title: str) -> str:
    """The rank a title begins with, before what it is of or for: 'Deputy Assistant Secretary for Visa
    Services' -> 'deputy assistant secretary'; '' when that is no short phrase of words."""
    head = re.split(r",|\(| of | for | in | at | and | to ", title, maxsplit=1)[0].strip().lower()
    return head if 1 <= len(head.split()) <= 4 and re.fullmatch(r"[a-z][a-z -]*", head) else ""


def line_quote(text: str, line_no: int, strip_colon: bool = False) -> Quoted | None:
    """Line `line_no` (1-based) of `text` as a Quoted, trimmed; `strip_colon` drops a trailing ':'."""
    for no, s, e in _lines(text):
        if no == line_no:
            s, e = _clean_span(text, s, e)
            if strip_colon:
                while e > s and text[e - 1] in ":：":
                    e -= 1
                s, e = _clean_span(text, s, e)
            return Quoted(text[s:e], s, e, no) if e > s else None
    return None


def _introduced(tr: Transcript, name: str, title: str, role: str) -> Member:
    """A roster person no header line names: a guest, with the host's words that gave their title before they
    spoke, when there are such words."""
    first = next((t for t in tr.turns if t.speaker == name), None)
    m = introduced_title(tr.text[:first.start], name) if first is not None else None
    host = next((t.speaker for t in tr.turns if t.start <= m.start() < t.end), "") if m else ""
    if not host:
        return Member(name, title, role, None)
    words = Quoted(m.group(0), m.start(), m.end(), tr.text.count("\n", 0, m.start()) + 1)
    return Member(name, title, role, words, said_by=host)


def _header_lines(tr: Transcript) -> list[Quoted]:
    """The lines of this briefing's part of the text before its first speaker turn (title, roster, date)."""
    stop = min((t.label_line for t in tr.turns), default=0)
    out = []
    for no, s, e in _lines(tr.text):
        if no >= stop:
            break
        if e <= tr.segment_start:
            continue  # a file holding several briefings: an earlier one's lines
        s, e = _clean_span(tr.text, s, e)
        if e > s:
            out.append(Quoted(tr.text[s:e], s, e, no))
    return out


def _member_line(name: str, title: str, lines: list[Quoted]) -> Quoted | None:
    """The header line naming `name`, preferring the one that also holds the title kept in the roster."""
    named = [q for q in lines if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", q.text)]
    if not named:
        return None
    with_title = [q for q in named if title and title in q.text]
    return (with_title or sorted(named, key=lambda q: -len(q.text)))[0]


def _title_after(name: str, line: Quoted) -> Quoted | None:
    """The part of a roster line after the person's name and its comma: their title as written there."""
    m = re.search(rf"(?<!\w){re.escape(name)}(?!\w)\s*,\s*", line.text)
    if not m or m.end() >= len(line.text):
        return None
    s, e = line.start + m.end(), line.end
    return Quoted(line.text[m.end():], s, e, line.line)


def _other_titles(name: str, primary: Quoted | None, lines: list[Quoted]) -> tuple[tuple[Quoted, Quoted], ...]:
    """Header lines other than `primary` naming `name` with a title worded differently from the primary's."""
    if primary is None:
        return ()
    first = _title_after(name, primary)
    seen = {first.text.lower() if first else ""}
    out = []
    for q in lines:
        t = _title_after(name, q) if q is not primary else None
        if t is not None and t.text.lower() not in seen:
            seen.add(t.text.lower())
            out.append((t, q))
    return tuple(out)


def label_quote(tr: Transcript, turn) -> Quoted | None:
    """The turn's speaker label as written, without its colon: its own span when the parser kept one."""
    if turn.label_start is not None and turn.label_end is not None and turn.label_end > turn.label_start:
        return Quoted(tr.text[turn.label_start:turn.label_end], turn.label_start, turn.label_end, turn.label_line)
    return line_quote(tr.text, turn.label_line, strip_colon=True)


def briefing_of(tr: Transcript, chunks: list[Chunk]) -> Briefing:
    """The structure of one briefing from its transcript and its answer chunks (in source order)."""
    header = _header_lines(tr) if tr.has_header else []
    members = []
    for p in tr.roster:
        line = _member_line(p.name, p.title, header)
        members.append(Member(p.name, p.title, p.role, line, _other_titles(p.name, line, header)) if line or not p.title
                       else _introduced(tr, p.name, p.title, p.role))
    members = tuple(members)
    date_line = next((q for q in header if DATE_LINE_RE.fullmatch(q.text.strip())), None) \
        or next((q for q in header if DATE_LINE_RE.search(q.text)), None)
    mine = [c for c in chunks if c.doc_id == tr.doc_id]
    labels = {}
    for c in mine:
        turn = next((t for t in tr.turns if t.start == c.start), None)
        q = label_quote(tr, turn) if turn else None
        if q is not None:
            labels[c.id] = q
    exchanges = []
    starts = {c.start for c in mine}
    who_asked = askers(tr)
    for i, t in enumerate(tr.turns):
        if t.role != "reporter":
            continue
        answers = tuple(c for c in mine if c.question_line == t.first_line)
        passing = []
        for u in tr.turns[i + 1:]:
            if u.role == "reporter":
                break
            if u.role == "official" and u.start not in starts:
                passing.append(Quoted(tr.text[u.start:u.end], u.start, u.end, u.first_line))
        label = label_quote(tr, t) or Quoted(t.speaker, t.start, t.start, t.label_line)
        handoffs = tuple((c.handed_off_by, c.speaker) for c in answers if c.handed_off_by)
        if len(passing) < len(handoffs):
            # A hand-off inside an answer ("… I will let Dan speak to the policy side of that one. …"): its sentence.
            passing = [_passing_sentence(tr.text, next((a for a in answers if a.speaker == by), None), to)
                       for by, to in handoffs]
            passing = [q for q in passing if q is not None]
        outlet, named, reporter = who_asked[t.start]
        label = named or label
        exchanges.append(Exchange(tr.doc_id, len(exchanges) + 1, outlet, label,
                                  Quoted(tr.text[t.start:t.end], t.start, t.end, t.first_line), answers, handoffs,
                                  tuple(passing), reporter))
    # Members from the header; without one, the officials and moderators who spoke.
    if not members:
        seen = dict.fromkeys((t.speaker, t.role) for t in tr.turns if t.role in ("official", "moderator"))
        members = tuple(Member(n, "", r, None) for n, r in seen)
    opening = tuple(c for c in mine if c.asked_by is None)
    first = tr.turns[0] if tr.turns else None
    welcome = Quoted(tr.text[first.start:first.end], first.start, first.end, first.first_line) \
        if first is not None and first.role == "moderator" else None
    title_line = next((q for q in header if tr.title and tr.title.strip() in q.text), None)
    last = tr.turns[-1] if len(tr.turns) > 1 else None
    closing = Quoted(tr.text[last.start:last.end], last.start, last.end, last.first_line) \
        if last is not None and last.role == "moderator" else None
    time_line = next((q for q in header if TIME_LINE_RE.fullmatch(q.text.strip())), None)
    named = {m.line.line for m in members if m.line is not None} | {q.line for q in (title_line, date_line) if q} \
        | {q.line for m in members for _, q in m.also}
    place_line = next((q for q in header if q.line not in named and PLACE_LINE_RE.search(q.text)
                       and not DATE_LINE_RE.search(q.text) and len(q.text.split()) <= 8), None)
    return Briefing(tr.doc_id, tr.title, tr.date, tr.path, tr.text, members, date_line, tuple(exchanges),
                    opening, labels, welcome, title_line, closing, last.speaker if closing else "",
                    time_line, _end_line(tr), place_line)


# Labels that name no one ("QUESTION:", "Q:"): the reporter may name themself and their outlet in asking.
GENERIC_ASKERS = {"reporter", "question", "q", "correspondent", "journalist", "participant", "audience"}
# "Thanks, Dan. Laura Kessler, AP. …", "Hi, Samir Haddad, Al Quds. …": after any greeting, a name of two or three
# capitalised words, a comma, and the outlet up to the next full stop or comma.
# Or "Rachel, Simon from Reuters again.": a name, "from" and the outlet, after a greeting or the official's name.
_GREETING = r"(?:(?:(?i:thanks|thank you|hi|hello|good (?:morning|afternoon|evening)|yes|sure)\b[^.?!]{0,30}?|[A-Z][a-z]+)[.,!]\s*)*"
_OUTLET = r"(?P<outlet>[A-Z][\w&'’-]*(?:\.[A-Za-z]+)*(?:\s+[A-Z][\w&'’-]*){0,3})"
SELF_ID_RES = (re.compile(_GREETING + r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z'’-]+){1,2}),\s+" + _OUTLET + r"(?=[.,])"),
               re.compile(_GREETING + r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z'’-]+){0,2}) from (the )?" + _OUTLET
                          + r"(?=[.,]|\s+again\b)"))
# "I will let Dan speak to …", "I'll ask the Admiral to add …", "I'd refer you to my colleague Ms. Wu".
PASS_RE = re.compile(r"\b(let|ask|invite|have|turn (it |this )?over to|hand (it |this )?over to|pass (it |this )?(on )?to|"
                     r"defer to|refer you to)\b", re.I)


def names_person(text: str, words: set[str]) -> bool:
    """Whether `text` names a person whose name and label words (lower case) are `words`: one of them, or a
    capitalised short form of one ("Dan" for "daniel"; not a common word such as "The").

    >>> names_person("I will let Dan speak to that.", {"daniel", "whitford"}), names_person("The end.", {"theodore"})
    (True, False)
    """
    from .spelling import common_word

    said = {w.casefold() for w in re.findall(r"[\w'’-]+", text)}
    short = {w.casefold() for w in re.findall(r"\b[A-Z][a-z]{2,}\b", text) if not common_word(w, 2000)}
    return bool(said & words) or any(n.startswith(w) for w in short for n in words if len(n) > len(w))


def _passing_sentence(text: str, chunk: Chunk | None, to: str) -> Quoted | None:
    """The sentence of `chunk` (an answer) that passes the question on to `to`, by name or its short form."""
    from .passages import split_sentences

    if chunk is None:
        return None
    words = {w.casefold() for w in re.findall(r"[A-Za-z]+", to) if len(w) > 1}
    for said, a, b in split_sentences(text[chunk.start:chunk.end], chunk.start):
        if PASS_RE.search(said) and names_person(said, words):
            return Quoted(said, a, b, chunk.first_line)
    return None


def self_identified(text: str, turn) -> re.Match | None:
    """A question under a label that names no one ("QUESTION: Thanks, Dan. Laura Kessler, AP. …"): the match of
    the name and outlet the reporter gives (groups `name`, `outlet`), else None.

    >>> from qa.transcript import parse_text
    >>> t = parse_text("MR LEE: Hello.\\n\\nQUESTION: Thanks. Ana Ruiz, AFP. Why?\\n\\nMR LEE: Because.\\n")
    >>> self_identified(t.text, t.turns[1]).group("name", "outlet")
    ('Ana Ruiz', 'AFP')
    """
    if turn.speaker.lower() not in GENERIC_ASKERS:
        return None
    return next((m for rx in SELF_ID_RES if (m := rx.match(text, turn.start, min(turn.end, turn.start + 160)))), None)


# "Go ahead, Priya.", "… (Laughter.)  Marcus.": the last words of a turn that call on the next reporter by name.
CALL_ON_RE = re.compile(r"(?:^|[.!?)]\s+|\b[Gg]o ahead,\s+|\b(?:Yes|Yeah|Okay|OK|Sure|Please),\s+)"
                        r"(?P<name>[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+)?)[.?!]?\s*$")
NOT_CALLED = {"thanks", "thank", "yes", "yeah", "okay", "sure", "please", "right", "next", "great", "good", "go",
              "absolutely", "exactly", "correct", "no", "sorry", "all", "anyone", "everybody", "everyone", "again",
              "laughter", "applause", "crosstalk", "inaudible", "end", "here", "there", "so", "well", "now"}


def askers(tr: Transcript) -> dict[int, tuple[str, Quoted | None, Quoted | None]]:
    """Who asked each question (by its turn's start): (outlet, the words naming the asker when not the label, the
    reporter's name), from the label, from the name and outlet a reporter under a label that names no one gives
    ("QUESTION: … Laura Kessler, AP. …"), or from the call on them that ends the turn before ("Go ahead, Priya.").
    A question straight after a called-on reporter's question and its answer is theirs too ("And when?"), unless the
    answer ends by calling on someone else ("… It is late.  Zoe.").

    >>> from qa.transcript import parse_text
    >>> t = parse_text("MS. LEE:  Go ahead, Priya.\\n\\nQ    Why?\\n\\nMS. LEE:  It is late.  Zoe.\\n\\nQ    And when?\\n\\n"
    ...                "MS. LEE:  Soon.\\n")
    >>> [(o, r.text) for o, _, r in askers(t).values()]
    [('Priya', 'Priya'), ('Zoe', 'Zoe')]
    """
    roster = {w.casefold() for p in tr.roster for w in re.findall(r"[\w'’-]+", p.name)}
    out, called = {}, None
    for i, t in enumerate(tr.turns):
        if t.role != "reporter":
            continue
        m = self_identified(tr.text, t)
        if m:
            reporter = Quoted(m.group("name"), m.start("name"), m.end("name"), t.first_line)
            label = Quoted(tr.text[m.start("name"):m.end("outlet")], m.start("name"), m.end("outlet"), t.first_line)
            out[t.start], called = (m.group("outlet"), label, reporter), None
            continue
        prev = tr.turns[i - 1] if i else None
        c = CALL_ON_RE.search(tr.text[prev.start:prev.end]) if prev is not None and prev.role != "reporter" \
            and t.speaker.lower() in GENERIC_ASKERS else None
        name = c.group("name") if c else ""
        if c and not ({w.casefold() for w in name.split()} & (roster | NOT_CALLED | OFFICIAL_TITLES)) \
                and ("ahead" in c.group(0) or not re.search(rf"\b{re.escape(name.split()[0].lower())}\b", tr.text)):
            # A bare word is a name only if the transcript never writes it in lower case ("Because." is no one).
            at = prev.start + c.start("name")
            called = Quoted(name, at, at + len(name), tr.text.count("\n", 0, at) + 1)
        elif t.speaker.lower() not in GENERIC_ASKERS or i < 2 or tr.turns[i - 2].role != "reporter":
            called = None  # only straight after their own question and its answer
        out[t.start] = (called.text, called, called) if called else (t.speaker, None, None)
    return out


# "1:08 p.m. EDT", "10 A.M.": a header line that is a time of day.
TIME_LINE_RE = re.compile(r"\d{1,2}(?::\d{2})?\s*[ap]\.?\s?m\.?(?:\s+[A-Z]{2,4})?", re.I)
# "(The briefing was concluded at 2:11 p.m.)", "END 2:45 P.M. EDT": when it ended.
END_LINE_RE = re.compile(r"\b(concluded|ended|adjourned|closed|END)\b.{0,40}?\d{1,2}(?::\d{2})?\s*[ap]\.?\s?m\b", re.I)
# "Washington, D.C.", "James S. Brady Press Briefing Room": a header line naming a place.
PLACE_LINE_RE = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*, (?:[A-Z][\w.]*\s?)+$|"
                           r"\b(Room|Hall|Auditorium|Building|Center|Centre|Headquarters|Palace|Plaza)\b")


def _end_line(tr: Transcript) -> Quoted | None:
    """The line after the last turn (or closing the last one) that says when the briefing ended."""
    if not tr.turns:
        return None
    last = tr.turns[-1]
    end = tr.segment_end if tr.segment_end is not None else len(tr.text)
    for no, s, e in _lines(tr.text):
        if s < last.start or s >= end:
            continue
        s, e = _clean_span(tr.text, s, e)
        m = END_LINE_RE.search(tr.text[s:e])
        if m and e - s <= 80:
            return Quoted(tr.text[s:e], s, e, no)
    return None


def question_sentences(ex: Exchange) -> list[Quoted]:
    """What a question was about, verbatim: the whole question up to 80 words, else its first sentence
    (which sets the topic: "In recent years, China has explored the open-license system…"), else the
    longest sentence that asks."""
    from .passages import split_sentences

    if len(ex.question.text.split()) <= 80:
        return [ex.question]
    sents = [Quoted(s, a, b, ex.question.line) for s, a, b in split_sentences(ex.question.text, ex.question.start)]
    if sents and len(sents[0].text.split()) >= 8:
        return sents[:1]
    asks = [q for q in sents if q.text.rstrip().endswith(("?", "？"))]
    return sorted(asks or sents, key=lambda q: -len(q.text.split()))[:1]
