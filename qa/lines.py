"""Reading transcript text line by line: line spans, clean segments, noise lines, dates, header
lines, which lines are speaker labels (decided with the document's own evidence), and where a second
briefing in the same text begins. `qa.transcript` assembles Transcripts from these.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from .speakers import ARTIFACT, INVISIBLE, LEAD_WORDS, Label, _caps, _is_outlet, clean, clean_name, line_label

HEADER_SECTIONS = {
    "speaker": "official", "speakers": "official", "participants": "official", "briefers": "official",
    "briefer": "official", "panelists": "official",
    "chairperson": "moderator", "chairpersons": "moderator", "chair": "moderator",
    "moderator": "moderator", "host": "moderator", "presider": "moderator",
    "interviewee": "interviewee", "interviewees": "interviewee", "interviewer": "interviewer",
    "interviewers": "interviewer",
    "date": "date", "time": "date", "venue": "venue", "location": "venue", "place": "venue",
}
PEOPLE_SECTIONS = {"official", "moderator", "interviewee", "interviewer"}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_RE = re.compile(rf"\b({MONTHS})\s+(\d{{1,2}}),\s*(\d{{4}})")
DAY_FIRST_RE = re.compile(rf"\b(\d{{1,2}})\s+({MONTHS})\s+(\d{{4}})")
# Credits that only ever follow the transcript: everything from such a line on is trailer.
CREDITS_RE = re.compile(r"^(Translated (?:and edited )?by|Edited by|In case of any discrepancy)", re.I)
# The White House's closing time line, and other end marks.
END_RE = re.compile(r"^(?:END(?:\s+\d{1,2}:\d{2}\b.*)?|#{3,}|-\s*(?:END|30)\s*-|"
                    r"\((?:The )?(?:briefing|press conference|conference|meeting) (?:was )?(?:concluded|ended|adjourned)\b[^)]*\))$",
                    re.I)
# Trailer lines in the last turn. A date counts only alone or glued to a link title
# ("July 24, 2024SCIO briefing on ..."), so an answer starting "July 1, 2024 marks ..." is kept.
TRAILER_RE = re.compile(
    r"^(Translated (?:and edited )?by|Edited by|In case of any discrepancy|SCIO briefing on|"
    r"Related (?:news|briefings?)|Read more|Source:)|"
    rf"^({MONTHS})\s+\d{{1,2}},\s*\d{{4}}(?:\s*$|(?=\S))", re.I)
# A link to another briefing: its date glued to the next link's title.
LINK_DATE_RE = re.compile(rf"^(?:{MONTHS})\s+\d{{1,2}},\s*\d{{4}}\S")
TIME_LINE_RE = re.compile(r"^\(?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*(?:[A-Z]{2,5})?\)?$")
FURNITURE_RE = re.compile(r"^(?:(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|of)\s*\d{1,4})?|"
                          r"(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$", re.I)
# Stage directions inside or between paragraphs. A closed list: '(PCT)' or '(CNIPA)' stay text.
STAGE_RE = re.compile(
    r"[(\[]\s*(?:laughter|laughs|applause|crosstalk|cross-talk|inaudible|unintelligible|"
    r"off[- ]mic(?:rophone)?|pause|interruption|no response|technical difficulties|phone rings|"
    r"audio (?:cuts out|drops|begins|ends|resumes)|video (?:begins|ends|plays|is shown|shown)|"
    r"break in (?:audio|transmission)|as interpreted|via (?:an )?interpreter|through (?:an )?interpreter|"
    r"speaking (?:in )?(?:chinese|english|french|spanish|arabic|russian|japanese)|"
    r"in (?:chinese|english|french|spanish|arabic|russian|japanese)|(?:brief )?recess|"
    r"(?:the )?(?:president|secretary|press secretary|spokesperson) (?:laughs|nods|pauses)|"
    r"gap in (?:audio|transcript)|transcript (?:begins|ends))\s*[.!]?\s*[)\]]", re.I)
# A briefing's title line: a second one inside a file starts another document.
TITLE_WORDS_RE = re.compile(r"\b(?:press (?:conference|briefing)|briefing|transcript|interview|"
                            r"regular press conference|news conference)\b", re.I)
MAX_TITLE_WORDS = 30
NEWLINE_RE = re.compile(r"\r\n|\r|\n")
SENTENCE_END = ".?!。？！"


def line_spans(text: str):
    """Yield (line_no, start, end) of each line's content, without the newline.

    Only LF, CR LF and CR end a line (not the form feed, NEL or U+2028 that str.splitlines also
    splits at), so line numbers agree with editors and with `read_source`'s error lines.
    """
    pos, no = 0, 1
    for m in NEWLINE_RE.finditer(text):
        yield no, pos, m.start()
        pos, no = m.end(), no + 1
    if pos < len(text):
        yield no, pos, len(text)


def _blank(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


def segments(text: str, start: int, end: int):
    """Split [start, end) at page-break artifacts and stage notes; strip whitespace: the clean sub-spans."""
    pieces, pos = [], start
    while True:
        i = text.find(ARTIFACT, pos, end)
        stop = end if i < 0 else i
        a = pos
        for m in STAGE_RE.finditer(text, pos, stop):
            pieces.extend(_trim(text, a, m.start()))
            a = m.end()
        pieces.extend(_trim(text, a, stop))
        if i < 0:
            return pieces
        pos = i + len(ARTIFACT)


def _trim(text: str, s: int, e: int) -> list[tuple[int, int]]:
    while s < e and _blank(text[s]):
        s += 1
    while e > s and _blank(text[e - 1]):
        e -= 1
    return [(s, e)] if e > s else []


def noise_line(line: str) -> bool:
    """A line that is only a time, page furniture or stage notes: no one's words."""
    return bool(TIME_LINE_RE.match(line) or FURNITURE_RE.match(line)
                or (STAGE_RE.search(line) and not STAGE_RE.sub("", line).strip()))


# ---- dates -----------------------------------------------------------------------------------

def parse_date(s: str) -> str | None:
    for rx, order in ((DATE_RE, (1, 2, 3)), (DAY_FIRST_RE, (2, 1, 3))):
        m = rx.search(s)
        if m:
            try:
                return dt.datetime.strptime(" ".join(m[k] for k in order), "%B %d %Y").date().isoformat()
            except ValueError:
                return None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", s)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def parse_date_strict(value) -> str | None:
    """ISO 'YYYY-MM-DD', 'July 29, 2024' or '29 July 2024' as ISO; None for anything else."""
    if not isinstance(value, str):
        return None
    s = value.strip()
    for rx in (re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(rf"(?:{MONTHS})\s+\d{{1,2}},\s*\d{{4}}"),
               re.compile(rf"\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}}")):
        if rx.fullmatch(s):
            return parse_date(s)
    return None


def date_only(line: str) -> bool:
    rest = DAY_FIRST_RE.sub("", DATE_RE.sub("", line))
    rest = re.sub(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\d{4}-\d{2}-\d{2}|[,.\s]", "", rest)
    return rest == "" and parse_date(line) is not None


# ---- header lines --------------------------------------------------------------------------------

def entry_name(entry: str) -> bool:
    """Whether `entry` reads as a roster entry ('Mr. Li Wei, minister'), not speech ('Welcome.')."""
    name = clean_name(entry.partition(",")[0])
    words = name.split()
    # 'Welcome, everyone.' is speech: a one-word "name" must not end like a sentence.
    return (0 < len(words) <= 5 and name[-1] not in ".!:;" and all(w[0].isupper() for w in words)
            and (len(words) > 1 or entry[-1] not in ".!?。！"))


def opens_section(section: str, cleaned: list[str], j: int) -> bool:
    """Whether a header keyword at line j-1 heads a section: the next non-empty line is another
    keyword or an entry of this section. Otherwise it is a label ('Moderator:' then 'Welcome.')."""
    nxt = next((c for c in cleaned[j:] if c), "")
    if not nxt or nxt.rstrip(":：").strip().lower() in HEADER_SECTIONS:
        return True
    lab = line_label(nxt)
    if (lab is not None and (not lab.inline or lab.strong)) or "?" in nxt:
        return False
    if section in PEOPLE_SECTIONS:
        return entry_name(nxt)
    return len(nxt) <= 100


def inline_header(raw: str) -> tuple[str, str] | None:
    """('official', 'Mr. Li Wei, minister') for 'Speakers: Mr. Li Wei, minister'; None if the line is
    not a `Key: value` header line (a 'Moderator: Welcome.' line is a turn)."""
    key, colon, value = re.split(r"([:：])", raw, maxsplit=1) if re.search(r"[:：]", raw) else (raw, "", "")
    section = HEADER_SECTIONS.get(key.strip().lower())
    value = value.strip()
    if not colon or section is None or not value:
        return None
    if section in PEOPLE_SECTIONS and not all(entry_name(v.strip()) for v in value.split(";") if v.strip()):
        return None
    return section, value


# ---- which lines are labels ------------------------------------------------------------------

@dataclass
class Evidence:
    """Document-wide evidence for deciding which candidate labels are labels.

    Alone on its line (`Name:`), a label is taken as it always was. Written inline (`Name: text`),
    it needs more than its shape, since 'Result: growth.' has the same shape: an honorific, title,
    `Q`/`A` or capitals; a name the roster or title knows; a name used as a label more than once;
    or, in a document already written with inline labels, a name-like label that is not a common
    sentence opener (several words, an acronym or outlet, or a question after it). In a document
    whose labels stand alone, an inline one must be a name that also stands alone.
    """

    cands: dict[int, Label]
    cleaned: list[str] = field(default_factory=list)  # each line without artifacts and blanks
    label_lines: list[int] = field(default_factory=list)  # indices of candidate label lines, in order
    counts: dict[str, int] = field(default_factory=dict)
    alone_keys: set = field(default_factory=set)
    bare_q: int = 0
    inline_layout: bool = False
    alone_layout: bool = False

    @classmethod
    def of(cls, text: str, lines: list) -> "Evidence":
        """The candidates and counts of a whole text, given its `line_spans`."""
        cands = {k: lab for k, (_, s, e) in enumerate(lines) if (lab := line_label(text[s:e])) is not None}
        ev = cls(cands, [clean(text[s:e]) for _, s, e in lines], sorted(cands))
        for lab in cands.values():
            ev.counts[lab.key] = ev.counts.get(lab.key, 0) + 1
            if not lab.inline:
                ev.alone_keys.add(lab.key)
        ev.bare_q = sum(1 for lab in cands.values() if lab.weak_q)
        inline = sum(1 for lab in cands.values() if lab.inline and not lab.weak_q and
                     (lab.strong or (ev.counts[lab.key] >= 2 and not _lead(lab))))
        alone = sum(1 for lab in cands.values() if not lab.inline)
        ev.inline_layout = inline >= 2
        ev.alone_layout = alone >= 3 and alone > inline
        return ev

    def turn_label(self, k: int) -> bool:
        """A label that starts a turn: not a link line of the trailer, not a header keyword."""
        lab = self.cands.get(k)
        return lab is not None and self.is_label(k, set()) and not TRAILER_RE.match(self.cleaned[k]) \
            and HEADER_SECTIONS.get(lab.raw.lower(), "moderator") == "moderator"

    def label_lines_after(self, k: int):
        """Indices of candidate label lines after line k, in order."""
        return self.label_lines[bisect.bisect_right(self.label_lines, k):]

    def is_label(self, k: int, known: set, rest: str = "") -> bool:
        lab = self.cands.get(k)
        if lab is None:
            return False
        if lab.weak_q:
            return self.bare_q >= 2
        if not lab.inline or lab.strong or lab.key in known:
            return True
        if _lead(lab):
            return False
        if self.alone_layout:
            return lab.key in self.alone_keys
        if self.counts.get(lab.key, 0) >= 2:
            return True
        return self.inline_layout and (len(lab.raw.split()) > 1 or _caps(lab.raw) or _is_outlet(lab.raw)
                                       or "?" in rest or "？" in rest)


def _lead(lab: Label) -> bool:
    return len(lab.raw.split()) == 1 and lab.raw.strip(".").lower() in LEAD_WORDS


# ---- where a briefing starts ---------------------------------------------------------------------

def furniture_like(s: str) -> bool:
    """A short preamble line that is not prose: 'James S. Brady Press Briefing Room', 'Washington, D.C.'."""
    words = s.split()
    return len(words) <= 12 and (s[-1] not in SENTENCE_END
                                 or all(not w[0].isalpha() or w[0].isupper() for w in words))


def title_like(s: str) -> bool:
    return len(s.split()) <= MAX_TITLE_WORDS and s[-1] not in SENTENCE_END and not s[0].islower()


def starts_document(ev: Evidence, k: int) -> bool:
    """Inside the turns: a header that lists people, or a briefing's title line followed by turns,
    is a second briefing pasted into the same text."""
    at = ev.cleaned
    line = at[k]
    key = line.rstrip(":：").strip().lower()
    header = key in HEADER_SECTIONS and HEADER_SECTIONS[key] in PEOPLE_SECTIONS
    title = not header and bool(TITLE_WORDS_RE.search(line)) and title_like(line) \
        and not TRAILER_RE.match(line) and parse_date(line) is not None and line_label(line) is None
    if not (header or title):  # the cheap test first: this runs for every line
        return False
    follow = [j for j in range(k + 1, min(len(at), k + 12)) if at[j]]
    turns_after = []
    for j in ev.label_lines_after(k):
        if ev.turn_label(j):
            turns_after.append(j)
            if len(turns_after) == 2:
                break
    if len(turns_after) < 2:
        return False
    if header:
        entries = [j for j in follow[:6] if at[j].rstrip(":：").strip().lower() not in HEADER_SECTIONS]
        return bool(entries) and entries[0] < turns_after[0] and "," in at[entries[0]] and entry_name(at[entries[0]])
    return any(j in turns_after or at[j].rstrip(":：").strip().lower() in HEADER_SECTIONS for j in follow[:4])


def next_document(ev: Evidence, j0: int) -> int | None:
    """Where a second briefing starts after the credits at line j0-1, or None if only trailer follows.

    A briefing is a header listing people, or three turns by at least two speakers. It starts at
    its title: the line before its header, or the short lines just before its first label.
    """
    at = ev.cleaned
    labels = []
    for k in range(j0, len(at)):
        key = at[k].rstrip(":：").strip().lower()
        if key in HEADER_SECTIONS and HEADER_SECTIONS[key] in PEOPLE_SECTIONS \
                and opens_section(HEADER_SECTIONS[key], at, k + 1):
            prev = [j for j in range(j0, k) if at[j]]
            if prev:
                t = at[prev[-1]]
                if title_like(t) and not CREDITS_RE.match(t) and not LINK_DATE_RE.match(t):
                    return prev[-1]
            return k
        if at[k] and ev.turn_label(k):
            labels.append(k)
    if len(labels) < 3 or len({ev.cands[k].key for k in labels}) < 2:
        return None
    start = labels[0]
    for j in range(labels[0] - 1, j0 - 1, -1):
        t = at[j]
        if not t:
            continue
        if CREDITS_RE.match(t) or END_RE.match(t) or labels[0] - j > 6:
            break
        if not (date_only(t) or noise_line(t)) and (TRAILER_RE.match(t) or not title_like(t)):
            break
        start = j
    return start
