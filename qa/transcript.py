"""Parse a briefing transcript's text into Transcripts: metadata, roster and speaker turns with exact spans.

Layouts (see tests/layouts/): labels alone on a line (`Name:`, the SCIO form) or followed by the
turn's first words (`Spokesperson Mao Ning: At the invitation ...`); labels in capitals with
honorifics and titles (`MS. JEAN-PIERRE:`, `ADMIRAL KIRBY:`), resolved to one person; `Q`/`Q:`/`A:`
with the interviewer and interviewee taken from the header; outlets as labels.
- An optional header (`Speakers` / `Chairperson` / `Date` / `Interviewee` / `Interviewer`, alone
  or `Key: value`, possibly twice) gives the roster, merged keeping each person's fuller title; the
  title line may name people too ('Press Briefing by Press Secretary Karine Jean-Pierre').
- A line is a label by the document's own evidence, not one regex: see `_Evidence`.
- The page-break artifact `_ueditor_page_break_tag_` and stage notes ('(Laughter.)') are never part
  of any text (a paragraph is split around them, so spans stay exact); lines holding only a time
  ('1:47 P.M. EDT') or page furniture ('Page 3 of 7') belong to no turn.
- After the last turn, credits ('Translated by ...', 'END 2:45 P.M. EDT') and links to other
  briefings are trailer. A second briefing after them, or a second header, starts a new document.
- Only LF, CR LF and CR end lines; BOMs and zero-width spaces around lines are ignored.
Roles are decided in `qa.roles`, with the evidence kept in `Transcript.roles_evidence`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError
from .extract import extract, read_source  # noqa: F401  (read_source: the .txt reader, re-exported)
from .roles import infer_roles
from .speakers import (ARTIFACT, INVISIBLE, LEAD_WORDS, Label, _caps, _is_outlet, clean, clean_name,
                       find_person, line_label)
from .types import Paragraph, Person, Transcript, Turn

__all__ = ["ARTIFACT", "parse_text", "parse_documents", "parse_file", "parse_path", "read_source", "clean_name"]

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
SECTION_NAME = {"official": "Speakers", "moderator": "Chairperson", "interviewee": "Interviewee",
                "interviewer": "Interviewer"}
SECTION_ROLE = {"official": "official", "moderator": "moderator", "interviewee": "official",
                "interviewer": "reporter"}
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


def _lines(text: str):
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


def _segments(text: str, start: int, end: int):
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


def _noise_line(line: str) -> bool:
    """A line that is only a time, page furniture or stage notes: no one's words."""
    return bool(TIME_LINE_RE.match(line) or FURNITURE_RE.match(line)
                or (STAGE_RE.search(line) and not STAGE_RE.sub("", line).strip()))


# ---- dates -----------------------------------------------------------------------------------

def _parse_date(s: str) -> str | None:
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
            return _parse_date(s)
    return None


def _date_only(line: str) -> bool:
    rest = DAY_FIRST_RE.sub("", DATE_RE.sub("", line))
    rest = re.sub(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\d{4}-\d{2}-\d{2}|[,.\s]", "", rest)
    return rest == "" and _parse_date(line) is not None


# ---- the roster ------------------------------------------------------------------------------

def _merge_person(roster: dict, name: str, title: str, role: str):
    old = roster.get(name)
    if old is None:
        roster[name] = Person(name, title, role)
        return
    keep_title = title if len(title) > len(old.title) else old.title
    keep_role = "moderator" if "moderator" in (old.role, role) else old.role
    roster[name] = Person(name, keep_title, keep_role)


def _entry_name(section: str, entry: str) -> bool:
    """Whether `entry` reads as a roster entry ('Mr. Li Wei, minister'), not speech ('Welcome.')."""
    name = clean_name(entry.partition(",")[0])
    words = name.split()
    # 'Welcome, everyone.' is speech: a one-word "name" must not end like a sentence.
    return (0 < len(words) <= 5 and name[-1] not in ".!:;" and all(w[0].isupper() for w in words)
            and (len(words) > 1 or entry[-1] not in ".!?。！"))


def _opens_section(section: str, text: str, lines: list, j: int) -> bool:
    """Whether a header keyword at line j-1 heads a section: the next non-empty line is another
    keyword or an entry of this section. Otherwise it is a label ('Moderator:' then 'Welcome.')."""
    nxt = next((clean(text[s:e]) for _, s, e in lines[j:] if clean(text[s:e])), "")
    if not nxt or nxt.rstrip(":：").strip().lower() in HEADER_SECTIONS:
        return True
    lab = line_label(nxt)
    if (lab is not None and (not lab.inline or lab.strong)) or "?" in nxt:
        return False
    if section in PEOPLE_SECTIONS:
        return _entry_name(section, nxt)
    return len(nxt) <= 100


def _inline_header(raw: str) -> tuple[str, str] | None:
    """('official', 'Mr. Li Wei, minister') for 'Speakers: Mr. Li Wei, minister'; None if the line is
    not a `Key: value` header line (a 'Moderator: Welcome.' line is a turn)."""
    key, colon, value = re.split(r"([:：])", raw, maxsplit=1) if re.search(r"[:：]", raw) else (raw, "", "")
    section = HEADER_SECTIONS.get(key.strip().lower())
    value = value.strip()
    if not colon or section is None or not value:
        return None
    if section in PEOPLE_SECTIONS and not all(_entry_name(section, v.strip()) for v in value.split(";") if v.strip()):
        return None
    return section, value


# ---- which lines are labels ------------------------------------------------------------------

@dataclass
class _Evidence:
    """Document-wide evidence for deciding which candidate labels are labels.

    Alone on its line (`Name:`), a label is taken as it always was. Written inline (`Name: text`),
    it needs more than its shape, since 'Result: growth.' has the same shape: an honorific, title,
    `Q`/`A` or capitals; a name the roster or title knows; a name used as a label more than once;
    or, in a document already written with inline labels, a name-like label that is not a common
    sentence opener (several words, an acronym or outlet, or a question after it). In a document
    whose labels stand alone, an inline one must be a name that also stands alone.
    """

    cands: dict[int, Label]
    counts: dict[str, int] = field(default_factory=dict)
    alone_keys: set = field(default_factory=set)
    bare_q: int = 0
    inline_layout: bool = False
    alone_layout: bool = False

    @classmethod
    def of(cls, cands: dict[int, Label], text: str, lines: list) -> "_Evidence":
        ev = cls(cands)
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


# ---- parsing ---------------------------------------------------------------------------------

@dataclass
class _Turn:
    name: str
    label: Label
    line: int
    paras: list = field(default_factory=list)


@dataclass
class _Doc:
    """What one document's parse needs to know beyond the text."""

    path: str
    doc_id: str
    meta: dict
    fmt: str
    ext_title: str | None = None


def parse_text(text: str, path: str = "<text>", doc_id: str | None = None, meta: dict | None = None) -> Transcript:
    """Parse transcript `text` (the first briefing if it holds several); `path` names it in messages.

    >>> t = parse_text("Moderator:\\nWelcome.\\nCCTV:\\nWhy?\\nLi Hua:\\nBecause.\\n")
    >>> [(x.speaker, x.role) for x in t.turns]
    [('Moderator', 'moderator'), ('CCTV', 'reporter'), ('Li Hua', 'official')]
    """
    return parse_documents(text, path, doc_id, meta)[0]


def parse_documents(text: str, path: str = "<text>", doc_id: str | None = None, meta: dict | None = None,
                    fmt: str = "txt", ext_title: str | None = None) -> list[Transcript]:
    """Every briefing in `text`, in order, with doc ids `<doc_id>`, `<doc_id>-2`, ...

    All of them index the same `text`; each covers [segment_start, segment_end). The sidecar's
    title and date (`meta`) describe the first.
    """
    doc_id = doc_id or Path(path).stem
    lines = list(_lines(text))
    cands = {k: lab for k, (_, s, e) in enumerate(lines) if (lab := line_label(text[s:e])) is not None}
    ev = _Evidence.of(cands, text, lines)
    out: list[Transcript] = []
    start = 0
    while True:
        n = len(out) + 1
        doc = _Doc(path, doc_id if n == 1 else f"{doc_id}-{n}", (meta or {}) if n == 1 else {}, fmt,
                   ext_title if n == 1 else None)
        tr, nxt = _parse_one(text, lines, ev, start, doc)
        out.append(tr)
        if nxt is None:
            return out
        start = nxt


def _parse_one(text: str, lines: list, ev: _Evidence, i0: int, doc: _Doc) -> tuple[Transcript, int | None]:
    path = doc.path
    warnings: list[str] = []
    roster: dict[str, Person] = {}
    known_why: dict[str, str] = {}
    section = None
    date = doc.meta.get("date")
    title = doc.meta.get("title") or doc.ext_title
    header_seen = False
    title_line = None
    preamble: list[str] = []
    qa_people: dict[str, list[str]] = {"interviewee": [], "interviewer": []}

    def add_entry(sec: str, entry: str, no: int):
        name, _, rest = entry.partition(",")
        name = clean_name(name)
        if not name:
            return
        _merge_person(roster, name, rest.strip(), SECTION_ROLE[sec])
        known_why.setdefault(name, f"in the header under {SECTION_NAME[sec]}, line {no}")
        if sec in qa_people and name not in qa_people[sec]:
            qa_people[sec].append(name)

    i = i0
    # Header: section keywords (with or without colon) and their entries, until the first real label.
    while i < len(lines):
        no, s, e = lines[i]
        raw = clean(text[s:e])
        key = raw.rstrip(":：").strip().lower()
        if not raw:
            i += 1
            continue
        if key in HEADER_SECTIONS and _opens_section(HEADER_SECTIONS[key], text, lines, i + 1):
            section = HEADER_SECTIONS[key]
            header_seen = True
            i += 1
            continue
        inline = _inline_header(raw)
        if inline is not None:
            section, value = inline
            header_seen = True
            if section in PEOPLE_SECTIONS:
                for v in value.split(";"):
                    add_entry(section, v.strip(), no)
            elif section == "date":
                date = date or _parse_date(value)
            i += 1
            continue
        lab = ev.cands.get(i)
        if lab is not None and ev.is_label(i, {n.casefold() for n in roster},
                                           text[s + lab.rest:e] if lab.rest is not None else ""):
            break
        preamble.append(raw)
        if not header_seen:
            # The first line before any header or label is the title (unless the sidecar gives one).
            if title_line is None:
                title_line = no
                title = title or raw
            elif _date_only(raw):
                date = date or _parse_date(raw)
            elif not (_noise_line(raw) or _furniture_like(raw)):
                warnings.append(f"{path}:{no}: text before the first speaker label ignored")
            i += 1
            continue
        if section in PEOPLE_SECTIONS:
            add_entry(section, raw, no)
        elif section == "date":
            date = date or _parse_date(raw)
        i += 1

    known = {n.casefold() for n in roster}

    def resolve(lab: Label) -> str:
        if lab.kind in ("question", "answer"):
            sec = "interviewer" if lab.kind == "question" else "interviewee"
            if len(qa_people[sec]) == 1:
                return qa_people[sec][0]
            return "Reporter" if lab.kind == "question" else "Interviewee"
        if lab.kind == "moderator":
            return lab.name
        person = _match_roster(lab.name, roster)
        if person is not None:
            return person.name
        found = find_person(lab, preamble) if (lab.honorific or lab.titles or _caps(lab.raw)) else None
        if found is not None:
            full, ptitle = found
            person = _match_roster(full, roster)
            if person is not None:
                return person.name
            _merge_person(roster, full, ptitle or " ".join(lab.titles), "official")
            known_why.setdefault(full, f"named in the title{f' as {ptitle!r}' if ptitle else ''}, "
                                       f"label '{lab.raw}'")
            return full
        if lab.titles:
            _merge_person(roster, lab.name, " ".join(lab.titles), "official")
            known_why.setdefault(lab.name, f"label '{lab.raw}' carries the title {' '.join(lab.titles)!r}")
        return lab.name

    # Turns: a label starts one; non-empty lines until the next label are its paragraphs.
    turns: list[_Turn] = []
    trailer_start = None
    next_doc = None
    seg_end = None
    for k in range(i, len(lines)):
        no, s, e = lines[k]
        line = clean(text[s:e])
        if not line:
            continue
        if turns and (CREDITS_RE.match(line) or END_RE.match(line)):
            # Credits end the transcript; link lines after them may even look like labels.
            trailer_start = _segments(text, s, e)[0][0]
            next_doc = _next_document(text, lines, ev, k + 1)
            stop = next_doc if next_doc is not None else len(lines)
            _warn_after_credits(text, lines, ev, k + 1, stop, no, roster, path, warnings)
            break
        if turns and _starts_document(text, lines, ev, k):
            next_doc = k
            last = turns[-1].paras
            if last and last[-1].line == lines[k - 1][0] and _title_like(last[-1].text) and k - 1 > i:
                next_doc = k - 1  # the new briefing's title line, taken as text of the last turn
                last.pop()
            break
        lab = ev.cands.get(k)
        rest = text[s + lab.rest:e] if lab is not None and lab.rest is not None else ""
        if lab is not None and ev.is_label(k, known, rest) and not TRAILER_RE.match(line) \
                and HEADER_SECTIONS.get(lab.raw.lower(), "moderator") == "moderator":
            name = resolve(lab)
            known.add(name.casefold())
            turns.append(_Turn(name, lab, no))
            if lab.inline:
                for ps, pe in _segments(text, s + lab.rest, e):
                    turns[-1].paras.append(Paragraph(text[ps:pe], ps, pe, no))
            continue
        if _noise_line(line):
            continue
        for ps, pe in _segments(text, s, e):
            if not turns:
                warnings.append(f"{path}:{no}: text before the first speaker label ignored")
                continue
            turns[-1].paras.append(Paragraph(text[ps:pe], ps, pe, no))
    if next_doc is not None:
        seg_end = lines[next_doc][1]
        warnings.append(f"{path}:{lines[next_doc][0]}: another briefing starts here; "
                        f"it is document '{_next_id(doc.doc_id, doc.path)}'")
    # Trailer: in the last turn with text (a bare closing label has none), from the first link line on.
    with_text = [t.paras for t in turns if t.paras]
    if with_text:
        paras = with_text[-1]
        for j, p in enumerate(paras):
            if TRAILER_RE.match(p.text):
                trailer_start = p.start if trailer_start is None else min(trailer_start, p.start)
                del paras[j:]
                break
    if not turns:
        raise CorpusError(path, "no speaker labels found (expected lines like 'Name:', 'Name: text' or 'Q: text')",
                          line=lines[i0][0] if i0 < len(lines) else 1)

    triples = [(t.name, t.label, t.paras) for t in turns]
    roles, why = infer_roles(triples, roster, known_why)
    has_header = header_seen or any(w.startswith("named in the title") for w in known_why.values())
    if not has_header:
        warnings.append(f"{path}:{lines[i0][0]}: no header roster; roles inferred: "
                        + ", ".join(f"{n}={r}" for n, r in roles.items()))
    out_turns = []
    for t in turns:
        if not t.paras:
            warnings.append(f"{path}:{t.line}: speaker '{t.name}' has no text")
            continue
        out_turns.append(Turn(t.name, roles[t.name], tuple(t.paras), t.line, t.paras[0].start, t.paras[-1].end,
                              t.paras[0].line, t.paras[-1].line, t.label.raw))
    seg_start = lines[i0][1] if i0 < len(lines) else 0
    if date is None:
        date = _parse_date(text[seg_start: seg_start + 2000])
    if not title:
        title = doc.doc_id.replace("-", " ").replace("_", " ")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    evidence = tuple(f"{n}: {roles[n]} ({why[n]})" for n in roles)
    tr = Transcript(doc.doc_id, path, title, date, tuple(roster.values()), tuple(out_turns), sha, text,
                    trailer_start, has_header, tuple(warnings), evidence, doc.fmt, seg_start, seg_end)
    return tr, next_doc


def _next_id(doc_id: str, path: str) -> str:
    stem = Path(path).stem
    if doc_id == stem:
        return f"{stem}-2"
    m = re.fullmatch(rf"{re.escape(stem)}-(\d+)", doc_id)
    return f"{stem}-{int(m[1]) + 1}" if m else f"{doc_id}-2"


def _furniture_like(s: str) -> bool:
    """A short preamble line that is not prose: 'James S. Brady Press Briefing Room', 'Washington, D.C.'."""
    words = s.split()
    return len(words) <= 12 and (s[-1] not in SENTENCE_END
                                 or all(not w[0].isalpha() or w[0].isupper() for w in words))


def _title_like(s: str) -> bool:
    return len(s.split()) <= MAX_TITLE_WORDS and s[-1] not in SENTENCE_END and not s[0].islower()


def _starts_document(text: str, lines: list, ev: _Evidence, k: int) -> bool:
    """Inside the turns: a header that lists people, or a briefing's title line followed by turns,
    is a second briefing pasted into the same file."""
    def at(j):
        return clean(text[lines[j][1]:lines[j][2]])

    line = at(k)
    key = line.rstrip(":：").strip().lower()
    follow = [j for j in range(k + 1, len(lines)) if at(j)]
    turns_after = [j for j in follow if ev.is_label(j, set()) and not TRAILER_RE.match(at(j))
                   and HEADER_SECTIONS.get(ev.cands[j].raw.lower(), "moderator") == "moderator"]
    if len(turns_after) < 2:
        return False
    if key in HEADER_SECTIONS and HEADER_SECTIONS[key] in PEOPLE_SECTIONS:
        entries = [j for j in follow[:6] if at(j).rstrip(":：").strip().lower() not in HEADER_SECTIONS]
        return bool(entries) and entries[0] < turns_after[0] and "," in at(entries[0]) \
            and _entry_name("official", at(entries[0]))
    if TITLE_WORDS_RE.search(line) and _parse_date(line) and _title_like(line) and not TRAILER_RE.match(line) \
            and line_label(line) is None:
        return any(j in turns_after or at(j).rstrip(":：").strip().lower() in HEADER_SECTIONS for j in follow[:4])
    return False


def _next_document(text: str, lines: list, ev: _Evidence, j0: int) -> int | None:
    """Where a second briefing starts after the credits at line j0-1, or None if only trailer follows.

    A briefing is a header listing people, or three turns by at least two speakers. It starts at
    its title: the line before its header, or the short lines just before its first label.
    """
    labels = []
    for k in range(j0, len(lines)):
        line = clean(text[lines[k][1]:lines[k][2]])
        key = line.rstrip(":：").strip().lower()
        if key in HEADER_SECTIONS and HEADER_SECTIONS[key] in PEOPLE_SECTIONS \
                and _opens_section(HEADER_SECTIONS[key], text, lines, k + 1):
            prev = [j for j in range(j0, k) if clean(text[lines[j][1]:lines[j][2]])]
            if prev:
                t = clean(text[lines[prev[-1]][1]:lines[prev[-1]][2]])
                if _title_like(t) and not CREDITS_RE.match(t) and not re.match(rf"^(?:{MONTHS})\s+\d{{1,2}},\s*\d{{4}}\S", t):
                    return prev[-1]
            return k
        if line and ev.is_label(k, set()) and not TRAILER_RE.match(line) \
                and HEADER_SECTIONS.get((ev.cands[k].raw or "").lower(), "moderator") == "moderator":
            labels.append(k)
    if len(labels) < 3 or len({ev.cands[k].key for k in labels}) < 2:
        return None
    start = labels[0]
    for j in range(labels[0] - 1, j0 - 1, -1):
        t = clean(text[lines[j][1]:lines[j][2]])
        if not t:
            continue
        if CREDITS_RE.match(t) or END_RE.match(t) or labels[0] - j > 6:
            break
        if not (_date_only(t) or _noise_line(t)) and (TRAILER_RE.match(t) or not _title_like(t)):
            break
        start = j
    return start


def _warn_after_credits(text, lines, ev, j0, stop, credits_no, roster, path, warnings):
    for k in range(j0, stop):
        lab = ev.cands.get(k)
        if lab is None or not ev.is_label(k, set()):
            continue
        name = _match_roster(lab.name, roster)
        if name is not None:
            warnings.append(f"{path}:{lines[k][0]}: '{name.name}' speaks after the credits at line {credits_no}; ignored")


def _match_roster(name: str, roster: dict) -> Person | None:
    """The one roster person a label names, whole ('Li Wei'), by part of their name ('Shen',
    'Changyu', capitals ignored) or with a title before it ('Commissioner Shen Changyu'); None if
    no one or several match."""
    if name in roster:
        return roster[name]
    words = name.casefold().split()
    if not words:
        return None
    hits = []
    for p in roster.values():
        full = p.name.casefold().split()
        k = len(words)
        if (k == len(full) and full == words) or (k < len(full) and (full[:k] == words or full[-k:] == words)) \
                or (k > len(full) and words[-len(full):] == full):
            hits.append(p)
    return hits[0] if len(hits) == 1 else None


# ---- files -----------------------------------------------------------------------------------

def _sidecar(path: Path) -> dict:
    side = path.with_suffix(".meta.json")
    if not side.exists():
        return {}
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorpusError(str(side), f"metadata sidecar is not valid JSON ({e})", line=getattr(e, "lineno", None)) from None
    if not isinstance(meta, dict):
        raise CorpusError(str(side), "metadata sidecar must be a JSON object with 'title' and/or 'date'", line=1)
    if "title" in meta and meta["title"] is not None and not isinstance(meta["title"], str):
        raise CorpusError(str(side), f"title {meta['title']!r} must be a string")
    if meta.get("date") is not None:
        iso = parse_date_strict(meta["date"])
        if iso is None:
            raise CorpusError(str(side), f"date {meta['date']!r} is not a date; use YYYY-MM-DD (2024-07-29), "
                                         "'July 29, 2024' or '29 July 2024'")
        meta = {**meta, "date": iso}
    return meta


def parse_path(path: str | Path, doc_id: str | None = None) -> list[Transcript]:
    """Read one transcript file (.txt, .html/.htm, .pdf, .docx) and parse every briefing in it.

    A `<stem>.meta.json` sidecar may give title and date (of the first briefing).
    """
    path = Path(path)
    ex = extract(path)
    meta = _sidecar(path)
    docs = parse_documents(ex.text, str(path), doc_id or path.stem, meta, ex.format, ex.title)
    if ex.notes:
        first = docs[0]
        docs[0] = dataclasses.replace(first, warnings=first.warnings + tuple(f"{path}:1: {n}" for n in ex.notes))
    return docs


def parse_file(path: str | Path, doc_id: str | None = None) -> Transcript:
    """The first briefing in one transcript file (see `parse_path` for all of them)."""
    return parse_path(path, doc_id)[0]
