"""Parse a briefing transcript's text into Transcripts: metadata, roster and speaker turns with exact spans.

Layouts (see tests/layouts/): labels alone on a line (`Name:`, the SCIO form) or followed by the
turn's first words (`Spokesperson Mao Ning: At the invitation ...`); labels in capitals with
honorifics and titles (`MS. JEAN-PIERRE:`, `ADMIRAL KIRBY:`), resolved to one person; `Q`/`Q:`/`A:`
with the interviewer and interviewee taken from the header; outlets as labels.
- An optional header (`Speakers` / `Chairperson` / `Date` / `Interviewee` / `Interviewer`, alone
  or `Key: value`, possibly twice) gives the roster, merged keeping each person's fuller title; the
  title line may name people too ('Press Briefing by Press Secretary Karine Jean-Pierre').
- A line is a label by the document's own evidence, not one regex: see `qa.lines.Evidence`.
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
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError
from .extract import extract, read_source  # noqa: F401  (read_source: the .txt reader, re-exported)
from .lines import (CREDITS_RE, END_RE, HEADER_SECTIONS, PEOPLE_SECTIONS, TRAILER_RE, Evidence, date_only,
                    furniture_like, inline_header, line_spans, next_document, noise_line, opens_section,
                    parse_date, parse_date_strict, segments, starts_document, title_like)
from .roles import infer_roles
from .speakers import ARTIFACT, Label, _caps, clean_name, find_person, introduced_title
from .types import Paragraph, Person, Transcript, Turn

__all__ = ["ARTIFACT", "parse_text", "parse_documents", "parse_file", "parse_path", "read_source", "clean_name"]

SECTION_NAME = {"official": "Speakers", "moderator": "Chairperson", "interviewee": "Interviewee",
                "interviewer": "Interviewer"}
SECTION_ROLE = {"official": "official", "moderator": "moderator", "interviewee": "official",
                "interviewer": "reporter"}


def _merge_person(roster: dict, name: str, title: str, role: str):
    old = roster.get(name)
    if old is None:
        roster[name] = Person(name, title, role)
        return
    keep_title = title if len(title) > len(old.title) else old.title
    keep_role = "moderator" if "moderator" in (old.role, role) else old.role
    roster[name] = Person(name, keep_title, keep_role)


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


@dataclass
class _Turn:
    name: str
    label: Label
    line: int
    paras: list = field(default_factory=list)
    span: tuple = (None, None)  # the label's own span in the text


@dataclass
class _Doc:
    """One briefing being read: what the caller gives, then what its header and labels say."""

    path: str
    doc_id: str
    meta: dict
    fmt: str = "txt"
    ext_title: str | None = None
    roster: dict = field(default_factory=dict)  # name -> Person
    known_why: dict = field(default_factory=dict)  # name -> how they became known
    qa_people: dict = field(default_factory=lambda: {"interviewee": [], "interviewer": []})
    preamble: list = field(default_factory=list)  # lines before the first turn: title, header
    warnings: list = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    header_seen: bool = False

    def add_entry(self, section: str, entry: str, no: int):
        name, _, rest = entry.partition(",")
        name = clean_name(name)
        if not name:
            return
        _merge_person(self.roster, name, rest.strip(), SECTION_ROLE[section])
        self.known_why.setdefault(name, f"in the header under {SECTION_NAME[section]}, line {no}")
        if section in self.qa_people and name not in self.qa_people[section]:
            self.qa_people[section].append(name)

    def resolve(self, lab: Label) -> str:
        """The speaker a label names: a known person, one the title names, or the label's own name."""
        if lab.kind in ("question", "answer"):
            sec = "interviewer" if lab.kind == "question" else "interviewee"
            if len(self.qa_people[sec]) == 1:
                return self.qa_people[sec][0]
            return "Reporter" if lab.kind == "question" else "Interviewee"
        if lab.kind == "moderator":
            return lab.name
        person = _match_roster(lab.name, self.roster)
        if person is not None:
            return person.name
        found = find_person(lab, self.preamble) if (lab.honorific or lab.titles or _caps(lab.raw)) else None
        if found is not None:
            full, title = found
            person = _match_roster(full, self.roster)
            if person is not None:
                return person.name
            _merge_person(self.roster, full, title or " ".join(lab.titles), "official")
            self.known_why.setdefault(full, f"named in the title{f' as {title!r}' if title else ''}, label '{lab.raw}'")
            return full
        if lab.titles:
            _merge_person(self.roster, lab.name, " ".join(lab.titles), "official")
            self.known_why.setdefault(lab.name, f"label '{lab.raw}' carries the title {' '.join(lab.titles)!r}")
        return lab.name


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
    lines = list(line_spans(text))
    ev = Evidence.of(text, lines)
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


def _read_header(text: str, lines: list, ev: Evidence, i: int, doc: _Doc) -> int:
    """Read title, header sections and roster from line i on; return the line of the first label.

    Header: section keywords (alone or `Key: value`) and their entries. Before any header, the first
    line is the title; later short lines (dates, times, places) are kept quietly for names, prose is
    warned about.
    """
    section = None
    title_line = None
    while i < len(lines):
        no, s, e = lines[i]
        raw = ev.cleaned[i]
        key = raw.rstrip(":：").strip().lower()
        if not raw:
            i += 1
            continue
        if key in HEADER_SECTIONS and opens_section(HEADER_SECTIONS[key], ev.cleaned, i + 1):
            section, doc.header_seen = HEADER_SECTIONS[key], True
            i += 1
            continue
        inline = inline_header(raw)
        if inline is not None:
            (section, value), doc.header_seen = inline, True
            if section in PEOPLE_SECTIONS:
                for v in value.split(";"):
                    doc.add_entry(section, v.strip(), no)
            elif section == "date":
                doc.date = doc.date or parse_date(value)
            i += 1
            continue
        lab = ev.cands.get(i)
        if lab is not None and ev.is_label(i, {n.casefold() for n in doc.roster},
                                           text[s + lab.rest:e] if lab.rest is not None else ""):
            return i
        doc.preamble.append(raw)
        if not doc.header_seen:
            if title_line is None:  # the title, unless the sidecar or the file's metadata gives one
                title_line = no
                doc.title = doc.title or raw
            elif date_only(raw):
                doc.date = doc.date or parse_date(raw)
            elif not (noise_line(raw) or furniture_like(raw)):
                doc.warnings.append(f"{doc.path}:{no}: text before the first speaker label ignored")
        elif section in PEOPLE_SECTIONS:
            doc.add_entry(section, raw, no)
        elif section == "date":
            doc.date = doc.date or parse_date(raw)
        i += 1
    return i


def _read_turns(text: str, lines: list, ev: Evidence, i: int, doc: _Doc):
    """Turns from line i on: a label starts one; non-empty lines until the next label are its
    paragraphs. Returns (turns, trailer_start, the line where another briefing starts or None)."""
    turns: list[_Turn] = []
    known = {n.casefold() for n in doc.roster}
    for k in range(i, len(lines)):
        no, s, e = lines[k]
        line = ev.cleaned[k]
        if not line:
            continue
        if turns and (CREDITS_RE.match(line) or END_RE.match(line)):
            # Credits end the transcript; link lines after them may even look like labels.
            nxt = next_document(ev, k + 1)
            _warn_after_credits(ev, lines, k + 1, nxt if nxt is not None else len(lines), no, doc)
            return turns, segments(text, s, e)[0][0], nxt
        if turns and starts_document(ev, k):
            last, prev = turns[-1].paras, lines[k - 1][0]
            if last and last[-1].line == prev and k - 1 > i and k - 1 not in ev.cands and title_like(ev.cleaned[k - 1]):
                while last and last[-1].line == prev:  # the new briefing's title, read as text of the last turn
                    last.pop()
                return turns, None, k - 1
            return turns, None, k
        lab = ev.cands.get(k)
        rest = text[s + lab.rest:e] if lab is not None and lab.rest is not None else ""
        if lab is not None and ev.is_label(k, known, rest) and not TRAILER_RE.match(line) \
                and HEADER_SECTIONS.get(lab.raw.lower(), "moderator") == "moderator":
            name = doc.resolve(lab)
            known.add(name.casefold())
            at = text.find(lab.raw, s, s + lab.rest if lab.rest is not None else e)
            turns.append(_Turn(name, lab, no, [], (at, at + len(lab.raw)) if at >= 0 else (None, None)))
            if lab.inline:
                turns[-1].paras.extend(Paragraph(text[a:b], a, b, no) for a, b in segments(text, s + lab.rest, e))
            continue
        if noise_line(line):
            continue
        for a, b in segments(text, s, e):
            if not turns:
                doc.warnings.append(f"{doc.path}:{no}: text before the first speaker label ignored")
                continue
            turns[-1].paras.append(Paragraph(text[a:b], a, b, no))
    return turns, None, None


def _parse_one(text: str, lines: list, ev: Evidence, i0: int, doc: _Doc) -> tuple[Transcript, int | None]:
    """The briefing starting at line i0, and the line where the next one starts (or None)."""
    path = doc.path
    doc.date, doc.title = doc.meta.get("date"), doc.meta.get("title") or doc.ext_title
    i = _read_header(text, lines, ev, i0, doc)
    turns, trailer_start, next_doc = _read_turns(text, lines, ev, i, doc)
    warnings = doc.warnings
    if next_doc is not None:
        warnings.append(f"{path}:{lines[next_doc][0]}: another briefing starts here; "
                        f"it is document '{_next_id(doc.doc_id, path)}'")
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
    roles, why = infer_roles([(t.name, t.label, t.paras) for t in turns], doc.roster, doc.known_why)
    if doc.roster:
        # A guest the header does not list, introduced by name and title before they speak ("our guest will be
        # Amara Okafor, the Humanitarian Coordinator …"): an official of the roster too. A speaker nobody
        # introduced stays unknown (and is warned about).
        firsts = {}
        for t in turns:
            if t.paras:
                firsts.setdefault(t.name, t)
        for name, t in firsts.items():
            if roles[name] == "official" and name not in doc.roster and len(name.split()) > 1:
                intro = introduced_title(text[:t.paras[0].start], name)
                if intro:
                    _merge_person(doc.roster, name, intro.group("title"), "official")
    has_header = doc.header_seen or any(w.startswith("named in the title") for w in doc.known_why.values())
    if not has_header:
        warnings.append(f"{path}:{lines[i0][0]}: no header roster; roles inferred: "
                        + ", ".join(f"{n}={r}" for n, r in roles.items()))
    out_turns = []
    for t in turns:
        if not t.paras:
            warnings.append(f"{path}:{t.line}: speaker '{t.name}' has no text")
            continue
        out_turns.append(Turn(t.name, roles[t.name], tuple(t.paras), t.line, t.paras[0].start, t.paras[-1].end,
                              t.paras[0].line, t.paras[-1].line, t.label.raw, *t.span))
    seg_start = lines[i0][1] if i0 < len(lines) else 0
    seg_end = lines[next_doc][1] if next_doc is not None else None
    date = doc.date or parse_date(text[seg_start: seg_start + 2000])
    title = doc.title or doc.doc_id.replace("-", " ").replace("_", " ")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    evidence = tuple(f"{n}: {roles[n]} ({why[n]})" for n in roles)
    tr = Transcript(doc.doc_id, path, title, date, tuple(doc.roster.values()), tuple(out_turns), sha, text,
                    trailer_start, has_header, tuple(warnings), evidence, doc.fmt, seg_start, seg_end)
    return tr, next_doc


def _next_id(doc_id: str, path: str) -> str:
    stem = Path(path).stem
    if doc_id == stem:
        return f"{stem}-2"
    m = re.fullmatch(rf"{re.escape(stem)}-(\d+)", doc_id)
    return f"{stem}-{int(m[1]) + 1}" if m else f"{doc_id}-2"


def _warn_after_credits(ev: Evidence, lines: list, j0: int, stop: int, credits_no: int, doc: _Doc):
    """A roster person speaking after the credits is probably text pasted in the wrong place: say so."""
    for k in range(j0, stop):
        lab = ev.cands.get(k)
        if lab is None or not ev.is_label(k, set()):
            continue
        person = _match_roster(lab.name, doc.roster)
        if person is not None:
            doc.warnings.append(f"{doc.path}:{lines[k][0]}: '{person.name}' speaks after the credits at line "
                                f"{credits_no}; ignored")


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


def parse_path(path: str | Path, doc_id: str | None = None, data: bytes | None = None,
               meta: dict | None = None) -> list[Transcript]:
    """Read one transcript file (.txt, .html/.htm, .pdf, .docx) and parse every briefing in it.

    A `<stem>.meta.json` sidecar may give title and date (of the first briefing). `data` and `meta`,
    when given, are the file's bytes and metadata (a file not yet in the corpus: `briefqa add`).
    """
    path = Path(path)
    ex = extract(path, data)
    meta = _sidecar(path) if meta is None else meta
    docs = parse_documents(ex.text, str(path), doc_id or path.stem, meta, ex.format, ex.title)
    if ex.notes:
        first = docs[0]
        docs[0] = dataclasses.replace(first, warnings=first.warnings + tuple(f"{path}:1: {n}" for n in ex.notes))
    return docs


def parse_file(path: str | Path, doc_id: str | None = None) -> Transcript:
    """The first briefing in one transcript file (see `parse_path` for all of them)."""
    return parse_path(path, doc_id)[0]
