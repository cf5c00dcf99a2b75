"""Parse a briefing transcript (plain text) into a Transcript: metadata, roster and speaker turns.

Format rules (State Council Information Office English transcripts):
- a speaker label is a line `Name:`; the page-break artifact `_ueditor_page_break_tag_` may be glued
  to it (or appear anywhere) and is never part of any text;
- an optional header of `Speakers` / `Chairperson` / `Date` sections, possibly twice in different
  wordings, gives the roster; entries are merged keeping each person's fuller title;
- chairperson entries are moderators, speaker entries officials; any other label is a reporter
  (usually a news organization);
- a label that names a roster person in part ('Mr. Shen:') is that person ('Shen Changyu');
- after the last turn, translator credits and links to other briefings are trailer material;
- only LF, CR LF and CR end lines; BOMs and zero-width spaces around lines are ignored.
Without a header (no roster), and for names missing from it, roles are inferred: see `_infer_roles`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from .errors import CorpusError
from .types import Paragraph, Person, Transcript, Turn

ARTIFACT = "_ueditor_page_break_tag_"
HONORIFICS = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Madam|Mme|Dr|Prof)\.?\s+", re.I)
HEADER_SECTIONS = {
    "speaker": "official", "speakers": "official",
    "chairperson": "moderator", "chairpersons": "moderator", "chair": "moderator",
    "moderator": "moderator", "host": "moderator", "presider": "moderator",
    "date": "date", "time": "date", "venue": "venue", "location": "venue", "place": "venue",
}
# Words allowed to be lowercase inside a speaker label ("Zhinews of Shenzhen Satellite TV").
CONNECTORS = {"of", "the", "and", "for", "de", "on", "in", "&", "at", "du", "la", "le", "van", "von", "der"}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_RE = re.compile(rf"\b({MONTHS})\s+(\d{{1,2}}),\s*(\d{{4}})")
DAY_FIRST_RE = re.compile(rf"\b(\d{{1,2}})\s+({MONTHS})\s+(\d{{4}})")
# Credits that only ever follow the transcript: everything from such a line on is trailer.
CREDITS_RE = re.compile(r"^(Translated (?:and edited )?by|Edited by|In case of any discrepancy)", re.I)
# Trailer lines in the last turn. A date counts only alone or glued to a link title
# ("July 24, 2024SCIO briefing on ..."), so an answer starting "July 1, 2024 marks ..." is kept.
TRAILER_RE = re.compile(
    r"^(Translated (?:and edited )?by|Edited by|In case of any discrepancy|SCIO briefing on|"
    r"Related (?:news|briefings?)|Read more|Source:)|"
    rf"^({MONTHS})\s+\d{{1,2}},\s*\d{{4}}(?:\s*$|(?=\S))", re.I)
MAX_LABEL_WORDS = 10
# Web copies carry invisible characters (BOM, zero-width spaces) that str.strip() keeps.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def read_source(path: str | Path) -> str:
    """Read a transcript as UTF-8 without newline translation (spans index this exact text)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(str(path), f"cannot read file ({e.strerror})") from None
    if not data.strip():
        raise CorpusError(str(path), "file is empty", line=1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(str(path), "binary file (NUL byte); a transcript must be UTF-8 text", line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CorpusError(str(path), f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", line=line) from None
    return text  # a leading BOM stays: spans index the decoded text exactly


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


def _clean(s: str) -> str:
    """A line without artifacts, surrounding whitespace or invisible characters."""
    while ARTIFACT in s:  # removing one may join the halves of another
        s = s.replace(ARTIFACT, "")
    return s.strip().strip(INVISIBLE).strip()


def _blank(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


def _segments(text: str, start: int, end: int):
    """Split [start, end) at page-break artifacts and strip whitespace: the clean sub-spans."""
    pieces, pos = [], start
    while True:
        i = text.find(ARTIFACT, pos, end)
        stop = end if i < 0 else i
        s, e = pos, stop
        while s < e and _blank(text[s]):
            s += 1
        while e > s and _blank(text[e - 1]):
            e -= 1
        if e > s:
            pieces.append((s, e))
        if i < 0:
            return pieces
        pos = i + len(ARTIFACT)


def clean_name(label: str) -> str:
    """'Mr. Shen Changyu' -> 'Shen Changyu'."""
    name = _clean(_clean(label).rstrip(":："))
    return re.sub(r"\s+", " ", HONORIFICS.sub("", name))


def _label(line: str) -> str | None:
    """The speaker name if `line` is a speaker label, else None."""
    s = _clean(line)
    if not s or s[-1] not in ":：":
        return None
    name = s[:-1].strip()
    words = name.split()
    if not words or len(words) > MAX_LABEL_WORDS or len(name) > 100:
        return None
    if any(ch in name for ch in "?!;\"“”") or name.endswith("."):
        return None
    for w in words:
        if w.lower() in CONNECTORS:
            continue
        if not (w[0].isupper() or w[0].isdigit() or not w[0].isalpha()):
            return None
    return clean_name(name)


def _opens_section(section: str, text: str, lines: list, j: int) -> bool:
    """Whether a header keyword at line j-1 heads a section: the next non-empty line is another
    keyword or an entry of this section. Otherwise it is a label ('Moderator:' then 'Welcome.')."""
    nxt = next((_clean(text[s:e]) for _, s, e in lines[j:] if _clean(text[s:e])), "")
    if not nxt or nxt.rstrip(":：").strip().lower() in HEADER_SECTIONS:
        return True
    if _label(nxt) is not None or "?" in nxt:
        return False
    if section in ("official", "moderator"):
        name = clean_name(nxt.partition(",")[0])
        words = name.split()
        # 'Welcome, everyone.' is speech: a one-word "name" must not end like a sentence.
        return (0 < len(words) <= 5 and name[-1] not in ".!:;" and all(w[0].isupper() for w in words)
                and (len(words) > 1 or nxt[-1] not in ".!?。！"))
    return len(nxt) <= 100


def _parse_date(s: str) -> str | None:
    m = DATE_RE.search(s)
    if m:
        try:
            return dt.datetime.strptime(f"{m[1]} {m[2]} {m[3]}", "%B %d %Y").date().isoformat()
        except ValueError:
            return None
    m = DAY_FIRST_RE.search(s)
    if m:
        try:
            return dt.datetime.strptime(f"{m[2]} {m[1]} {m[3]}", "%B %d %Y").date().isoformat()
        except ValueError:
            return None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", s)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def _merge_person(roster: dict, name: str, title: str, role: str):
    old = roster.get(name)
    if old is None:
        roster[name] = Person(name, title, role)
        return
    keep_title = title if len(title) > len(old.title) else old.title
    keep_role = "moderator" if "moderator" in (old.role, role) else old.role
    roster[name] = Person(name, keep_title, keep_role)


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
    return meta


def parse_text(text: str, path: str = "<text>", doc_id: str | None = None, meta: dict | None = None) -> Transcript:
    """Parse transcript `text`; `path` is used in messages and provenance.

    >>> t = parse_text("Moderator:\\nWelcome.\\nCCTV:\\nWhy?\\nLi Hua:\\nBecause.\\n")
    >>> [(x.speaker, x.role) for x in t.turns]
    [('Moderator', 'moderator'), ('CCTV', 'reporter'), ('Li Hua', 'official')]
    """
    meta = meta or {}
    doc_id = doc_id or Path(path).stem
    warnings: list[str] = []
    lines = list(_lines(text))
    roster: dict[str, Person] = {}
    section = None
    date = meta.get("date")
    title = meta.get("title")
    header_seen = False
    title_line = None
    i = 0
    # Header: section keywords (with or without colon) and their entries, until the first real label.
    while i < len(lines):
        no, s, e = lines[i]
        raw = _clean(text[s:e])
        key = raw.rstrip(":：").strip().lower()
        if not raw:
            i += 1
            continue
        if key in HEADER_SECTIONS and _opens_section(HEADER_SECTIONS[key], text, lines, i + 1):
            section = HEADER_SECTIONS[key]
            header_seen = True
            i += 1
            continue
        if _label(text[s:e]) is not None and header_seen:
            break
        if not header_seen:
            if _label(text[s:e]) is not None:
                break
            # The first line before any header or label is the title (unless the sidecar gives one).
            if title_line is None:
                title_line = no
                title = title or raw
            else:
                warnings.append(f"{path}:{no}: text before the first speaker label ignored")
            i += 1
            continue
        if section in ("official", "moderator"):
            name, _, rest = raw.partition(",")
            name = clean_name(name)
            if name:
                _merge_person(roster, name, rest.strip(), section)
        elif section == "date":
            date = date or _parse_date(raw)
        i += 1

    # Turns: a label starts one; non-empty lines until the next label are its paragraphs.
    turns_raw: list[tuple[str, int, list[Paragraph]]] = []
    trailer_start = None
    for k, (no, s, e) in enumerate(lines[i:], i):
        line = _clean(text[s:e])
        if turns_raw and CREDITS_RE.match(line):
            # Translator credits end the transcript; link lines after them may even look like labels.
            trailer_start = _segments(text, s, e)[0][0]
            later = [(n, _canonical(x, roster)) for n, a, b in lines[k + 1:] if (x := _label(text[a:b]))]
            warnings.extend(f"{path}:{n}: '{x}' speaks after the credits at line {no}; ignored"
                            for n, x in later if x in roster)
            break
        name = _label(text[s:e])
        if name is not None and HEADER_SECTIONS.get(name.lower(), "moderator") == "moderator" \
                and not TRAILER_RE.match(line):
            turns_raw.append((_canonical(name, roster), no, []))
            continue
        for ps, pe in _segments(text, s, e):
            if not turns_raw:
                warnings.append(f"{path}:{no}: text before the first speaker label ignored")
                continue
            turns_raw[-1][2].append(Paragraph(text[ps:pe], ps, pe, no))
    # Trailer: in the last turn with text (a bare closing label has none), from the first link line on.
    with_text = [paras for _, _, paras in turns_raw if paras]
    if with_text:
        paras = with_text[-1]
        for k, p in enumerate(paras):
            if TRAILER_RE.match(p.text):
                trailer_start = p.start
                del paras[k:]
                break
    if not turns_raw:
        raise CorpusError(path, "no speaker labels found (expected lines like 'Name:')", line=1)

    roles = _infer_roles(turns_raw, roster, path, warnings)
    turns = []
    for name, label_line, paras in turns_raw:
        if not paras:
            warnings.append(f"{path}:{label_line}: speaker '{name}' has no text")
            continue
        turns.append(Turn(name, roles[name], tuple(paras), label_line, paras[0].start, paras[-1].end,
                          paras[0].line, paras[-1].line))
    if date is None:
        date = _parse_date(text[: 2000])
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not title:
        title = doc_id.replace("-", " ").replace("_", " ")
    return Transcript(doc_id, path, title, date, tuple(roster.values()), tuple(turns), sha, text,
                      trailer_start, bool(roster), tuple(warnings))


def _infer_roles(turns_raw, roster: dict, path: str, warnings: list) -> dict[str, str]:
    """Role per speaker name.

    A label that is a role word ("Moderator", "Host", "Chairperson") is the moderator. If no one
    is a moderator by roster or role word, the first speaker (not in the roster) is the moderator
    if they speak more than once.

    With a roster: a roster person keeps their role. Any other name is a reporter, unless its first
    turn directly follows a reporter's and has no question mark in its last paragraph: then it
    answers that question, so it is an official (chunking warns that it is not in the header).

    Fallback without a roster: a speaker with a question mark in the last paragraph of any of
    their turns (questions often end "...? Thank you.") who never speaks more than 120 words at
    once is a reporter; everyone else is an official.
    """
    names = list(dict.fromkeys(n for n, _, _ in turns_raw))
    first = turns_raw[0][0]
    roles = {n: "moderator" for n in names if HEADER_SECTIONS.get(n.lower()) == "moderator" and n not in roster}
    has_moderator = bool(roles) or any(p.role == "moderator" for p in roster.values())
    if not has_moderator and first not in roster and sum(1 for n, _, _ in turns_raw if n == first) > 1:
        roles[first] = "moderator"
    if roster:
        prev = None
        for n, _, paras in turns_raw:
            if n in roster:
                roles[n] = roster[n].role
            elif n not in roles and prev is not None and roles.get(prev) == "reporter" and paras \
                    and not _asks(paras):
                roles[n] = "official"
            roles.setdefault(n, "reporter")
            prev = n
        return roles
    for n in names:
        if n in roles:
            continue
        own = [p for m, _, p in turns_raw if m == n and p]
        asks = any(_asks(ps) for ps in own)
        longest = max((sum(len(x.text.split()) for x in ps) for ps in own), default=0)
        roles[n] = "reporter" if asks and longest <= 120 else "official"
    warnings.append(f"{path}:1: no header roster; roles inferred: "
                    + ", ".join(f"{n}={r}" for n, r in roles.items()))
    return roles


def _asks(paras) -> bool:
    """A turn reads as a question: its last paragraph contains a question mark."""
    return "?" in paras[-1].text or "？" in paras[-1].text


def _canonical(name: str, roster: dict) -> str:
    """The roster name a label refers to ('Mr. Shen' -> 'Shen Changyu'), else the label's name."""
    if name in roster or not roster:
        return name
    person = _match_roster(name, roster)
    return person.name if person else name


def _match_roster(name: str, roster: dict) -> Person | None:
    """The one roster person a label names by part of their name ('Shen', 'Changyu') or with a
    title before it ('Commissioner Shen Changyu'); None if no one or several match."""
    words = name.split()
    hits = []
    for p in roster.values():
        full = p.name.split()
        k = len(words)
        if (k < len(full) and (full[:k] == words or full[-k:] == words)) \
                or (k > len(full) and words[-len(full):] == full):
            hits.append(p)
    return hits[0] if len(hits) == 1 else None


def parse_file(path: str | Path, doc_id: str | None = None) -> Transcript:
    """Read and parse one transcript file; a `<stem>.meta.json` sidecar may give title and date."""
    path = Path(path)
    text = read_source(path)
    meta = _sidecar(path)
    return parse_text(text, str(path), doc_id or path.stem, meta)
