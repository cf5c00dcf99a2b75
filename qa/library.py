"""The briefings library: preview, add and remove briefings, and list what the index holds.

The CLI (`briefqa add | briefings | remove`) and the UI's "Add a briefing" panel call these. A file
is checked before anything changes: its type, its size (`Settings.max_add_bytes`), its encoding
(UTF-8 text, or a PDF or DOCX that is what its name says), and that it parses into at least one
answer. Accepted bytes are copied into the corpus folder (data only, mode 0644, never executed)
and indexed incrementally under the index lock: only the new briefing is parsed and embedded. If
anything fails, or the process dies, the corpus and the index are left as they were
(qa/journal.py).

>>> rows = briefings(BriefingQA.open().index)          # doctest: +SKIP
>>> result = add(settings, embedder, [Path("new.txt")], date="July 30, 2024")   # doctest: +SKIP
"""
from __future__ import annotations

import glob
import time
from dataclasses import dataclass
from pathlib import Path

from . import index_store
from .chunking import chunk_transcript
from .config import Settings
from .errors import BriefQAError, CorpusError
from .extract import SUPPORTED
from .intake import DATE_FORMATS, check_bytes, check_date, safe_name  # noqa: F401  (re-exported for callers)
from .journal import CorpusEdit
from .transcript import _sidecar, parse_path
from .types import Chunk, Person, Transcript



class AddRefused(BriefQAError):
    """Files that cannot be added, each with a `file:line: why` problem; nothing was changed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Exchange:
    """One answer of a briefing: who asked what, who answered (a row of the preview's table)."""

    n: int
    asked_by: str | None  # None: the opening statement
    question: str | None
    speaker: str
    speaker_title: str
    words: int
    line: int  # line of the answer's first paragraph


@dataclass(frozen=True)
class Preview:
    """What adding a file would index, per briefing in it: roster, speakers with roles, answers, warnings."""

    file: str
    doc_id: str  # as parsed; `add` may suffix it (-2, …) when the corpus already uses the id
    title: str
    date: str | None
    format: str
    roster: tuple[Person, ...]
    speakers: tuple[tuple[str, str], ...]  # (name, role) in order of first turn
    exchanges: tuple[Exchange, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class BriefingRow:
    """One briefing of the index, for the Briefings list."""

    doc_id: str
    title: str
    date: str | None
    officials: tuple[str, ...]
    exchanges: int  # answers indexed
    file: str
    format: str


@dataclass(frozen=True)
class Added:
    file: str  # as given
    stored: str  # its path in the corpus folder
    doc_ids: tuple[str, ...]  # the briefings it gave, as indexed
    previews: tuple[Preview, ...]


@dataclass(frozen=True)
class Change:
    """What an add or remove did: files added or removed, and the index build that followed."""

    added: tuple[Added, ...]
    removed: tuple[str, ...]  # doc ids no longer indexed
    removed_files: tuple[str, ...]
    embedded_passages: int
    reused_passages: int
    passages: int
    briefings: int
    seconds: float
    index: object  # the new live index_store.Index


def _meta(source: Path | None, title: str | None, date: str | None, label: str) -> dict:
    """The sidecar an added file gets: the one beside the source (if any), then --title/--date."""
    meta = dict(_sidecar(source)) if source is not None else {}
    if title is not None:
        if not title.strip():
            raise CorpusError(label, "title is empty")
        meta["title"] = " ".join(title.split())
    iso = check_date(date, label)
    if iso is not None:
        meta["date"] = iso
    return {k: v for k, v in meta.items() if k in ("title", "date") and v is not None}


def _preview(tr: Transcript, chunks: list[Chunk], warnings: list[str]) -> Preview:
    speakers = tuple((n, next(t.role for t in tr.turns if t.speaker == n))
                     for n in dict.fromkeys(t.speaker for t in tr.turns))
    rows = tuple(Exchange(c.ordinal, c.asked_by, c.question, c.speaker, c.speaker_title, c.words, c.first_line)
                 for c in chunks)
    return Preview(tr.path, tr.doc_id, tr.title, tr.date, tr.format, tr.roster, speakers, rows, tuple(warnings))


def _parse(label: str, data: bytes, meta: dict) -> tuple[list[Preview], str]:
    """(one Preview per briefing in the file, sha256 of its text as the index records it)."""
    out = []
    docs = parse_path(label, data=data, meta=meta)
    for tr in docs:
        own = list(tr.warnings)
        out.append(_preview(tr, chunk_transcript(tr, own), own))
    return out, docs[0].sha256


def preview(path: str | Path | None = None, *, text: str | None = None, name: str = "pasted.txt",
            title: str | None = None, date: str | None = None, settings: Settings | None = None) -> list[Preview]:
    """Parse a file (or pasted `text`, named `name`) as `add` would, changing nothing: one Preview per
    briefing in it. Raises CorpusError (`file:line: why`) for what `add` would refuse.

    >>> [p.doc_id for p in preview(text="Moderator:\\nWelcome.\\nCCTV:\\nWhy?\\nLi Hua:\\nBecause.\\n")]
    ['pasted']
    """
    settings = settings or Settings()
    label, data, source = _read_source(path, text, name, settings.max_add_bytes)
    check_bytes(label, data, settings.max_add_bytes)
    return _parse(label, data, _meta(source, title, date, label))[0]


def _read_source(path, text, name, max_bytes: int) -> tuple[str, bytes, Path | None]:
    if (path is None) == (text is None):
        raise ValueError("give a file path or text, not both")
    if text is not None:
        return name, text.encode("utf-8"), None
    path = Path(path)
    if path.is_dir():
        raise CorpusError(str(path), "is a folder; give transcript files")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise CorpusError(str(path), f"cannot read file ({e.strerror})") from None
    if size > max_bytes:  # refused without reading it
        raise CorpusError(str(path), f"{size:,} bytes is over the {max_bytes:,}-byte limit for an added briefing "
                                     "(BRIEFQA_MAX_ADD_BYTES)")
    try:
        return str(path), path.read_bytes(), path
    except OSError as e:
        raise CorpusError(str(path), f"cannot read file ({e.strerror})") from None


# ---- adding and removing ----------------------------------------------------------------------

@dataclass
class _Item:
    label: str  # how messages name it: the path given, or the pasted text's name
    data: bytes
    meta: dict
    target: Path  # where it goes in the corpus
    previews: list[Preview]
    text_sha256: str


def _plan_item(label: str, data: bytes, source: Path | None, name: str, title, date, settings: Settings) -> _Item:
    check_bytes(label, data, settings.max_add_bytes)
    meta = _meta(source, title, date, label)
    previews, sha = _parse(label, data, meta)
    if not any(p.exchanges for p in previews):
        raise CorpusError(label, "no answers found (no official turns); nothing to add", line=1)
    return _Item(label, data, meta, Path(settings.corpus_dir).resolve() / safe_name(name), previews, sha)


def _conflicts(items: list[_Item], manifest: dict | None, replace: bool) -> list[str]:
    """Problems with where the items go: a name taken by another file, the same text already indexed."""
    problems, seen = [], {}
    indexed = {d.get("sha256"): d.get("path") for d in (manifest or {}).get("documents", [])}
    for it in items:
        if it.target in seen:
            problems.append(f"{it.label}: would be stored as {it.target.name}, like {seen[it.target]}; rename one")
            continue
        seen[it.target] = it.label
        if it.target.is_dir():
            problems.append(f"{it.label}: {it.target} is a folder; rename the file")
        elif it.target.exists() and not replace:
            same = it.target.read_bytes() == it.data
            problems.append(f"{it.label}: already in the corpus as {it.target}" if same else
                            f"{it.label}: {it.target} exists and is a different file; "
                            "add with --replace to replace it, or rename the file")
        elif twin := next((o for o in sorted(it.target.parent.glob(glob.escape(it.target.stem) + ".*"))
                           if o != it.target and o.suffix.lower() in SUPPORTED and o.stem == it.target.stem), None):
            # x.html beside x.txt would share x.meta.json (title, date) and the id x.
            problems.append(f"{it.label}: {twin} already uses the name {it.target.stem!r}; rename the file")
        elif indexed.get(it.text_sha256, str(it.target)) != str(it.target):
            problems.append(f"{it.label}: same text as {indexed[it.text_sha256]}, which is already indexed")
    return problems


def add(settings: Settings, embedder, files: list[str | Path] = (), *, texts: list[tuple[str, str]] = (),
        title: str | None = None, date: str | None = None, replace: bool = False,
        progress: bool = False) -> Change:
    """Check `files` (and pasted `texts`, as (name, text) pairs), copy them into the corpus and index
    them incrementally; all or nothing.

    Raises AddRefused listing every bad input (`file:line: why`) before anything changes. Any failure
    later (a build error, a full disk, an interrupt) undoes the copy and leaves the previous index
    live. --title applies to a single file; --date to every file given.
    """
    t0 = time.perf_counter()
    if title is not None and len(files) + len(texts) > 1:
        raise AddRefused([f"{(list(files) + [n for n, _ in texts])[1]}: --title names one briefing; "
                          "add files with different titles one at a time"])
    items, problems = [], []
    for f in files:
        try:
            label, data, source = _read_source(f, None, None, settings.max_add_bytes)
            items.append(_plan_item(label, data, source, Path(f).name, title, date, settings))
        except CorpusError as e:
            problems.append(str(e))
    for name, text in texts:
        try:
            items.append(_plan_item(name, text.encode("utf-8"), None, name, title, date, settings))
        except CorpusError as e:
            problems.append(str(e))
    if problems:
        raise AddRefused(problems)
    if not items:
        raise AddRefused(["briefqa add: give at least one file"])
    Path(settings.corpus_dir).mkdir(parents=True, exist_ok=True)
    with index_store.lock(settings):
        try:
            live = index_store.read_manifest(Path(settings.index_dir))
        except index_store.IndexError_:
            live = None
        problems = _conflicts(items, live, replace)
        if problems:
            raise AddRefused(problems)
        place: dict[Path, bytes] = {}
        for it in items:
            place[it.target] = it.data
            side = it.target.with_suffix(".meta.json")
            if it.meta:
                place[side] = _sidecar_bytes(it.meta)
        idx = _edit_and_build(settings, embedder, place, [], progress)
    added = tuple(Added(it.label, str(it.target),
                        tuple(t.doc_id for t in idx.transcripts if t.path == str(it.target)), tuple(it.previews))
                  for it in items)
    return _change(idx, added, (), (), t0)


def remove(settings: Settings, embedder, doc_id: str, *, whole_file: bool = False,
           progress: bool = False) -> Change:
    """Remove the file holding briefing `doc_id` from the corpus (with its sidecar) and index the rest.

    A file holding several briefings goes whole, so `whole_file=True` is required then. The last
    briefing cannot be removed (the index needs one). Raises BriefQAError naming what is wrong.
    """
    t0 = time.perf_counter()
    with index_store.lock(settings):
        idx = _live_index(settings)
        if idx is None:
            raise BriefQAError(f"{settings.index_dir}: no index built yet, so there is no briefing {doc_id!r}")
        tr = idx.transcript_by_id.get(doc_id)
        if tr is None:
            known = ", ".join(sorted(idx.transcript_by_id)[:10])
            raise BriefQAError(f"{doc_id}: no such briefing in the index (see `briefqa briefings`; ids: {known}"
                               f"{', …' if len(idx.transcript_by_id) > 10 else ''})")
        path = Path(tr.path)
        root = Path(settings.corpus_dir).resolve()
        if root not in path.parents or not path.is_file():
            raise BriefQAError(f"{path}: briefing {doc_id} is not a file inside the corpus folder {root}")
        gone = tuple(t.doc_id for t in idx.transcripts if t.path == tr.path)
        if len(gone) > 1 and not whole_file:
            raise BriefQAError(f"{path}: holds {len(gone)} briefings ({', '.join(gone)}); removing {doc_id} removes "
                               "the file and all of them: pass --whole-file")
        if len(gone) == len(idx.transcripts):
            raise BriefQAError(f"{doc_id}: the only briefing left; the index needs at least one (add another first)")
        side = path.with_suffix(".meta.json")
        shared = any(path.with_suffix(s).exists() for s in SUPPORTED if path.with_suffix(s) != path)
        files = [path] + ([side] if side.exists() and not shared else [])  # x.html may read x.txt's sidecar
        new = _edit_and_build(settings, embedder, {}, files, progress)
    return _change(new, (), gone, tuple(str(f) for f in files), t0)


def _sidecar_bytes(meta: dict) -> bytes:
    import json

    return (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _live_index(settings: Settings):
    try:
        return index_store.load(settings, verify_against=None)
    except index_store.IndexError_:
        return None


def _edit_and_build(settings, embedder, place: dict[Path, bytes], remove_files: list[Path], progress):
    """Change the corpus and build incrementally, under the lock the caller holds; undo on any failure."""
    edit = CorpusEdit(settings.index_dir, settings.corpus_dir)
    try:
        try:
            edit.plan(place, remove_files)
        except OSError as e:
            why = "disk full" if e.errno in (28, 122) else (e.strerror or str(e))
            raise BriefQAError(f"{e.filename or settings.corpus_dir}: {why} while copying into the corpus; "
                               "nothing was added or removed") from None
        idx = index_store.build_locked(settings, embedder, progress=progress, incremental=True)
    except BaseException:
        edit.undo()
        raise
    edit.commit()
    return idx


def _change(idx, added, removed, removed_files, t0) -> Change:
    r = idx.manifest.get("reuse") or {}
    return Change(added, removed, removed_files, int(r.get("embedded_passages", 0)), int(r.get("reused_passages", 0)),
                  len(idx.passages), len(idx.transcripts), round(time.perf_counter() - t0, 3), idx)


# ---- listing -----------------------------------------------------------------------------------

def briefings(index) -> list[BriefingRow]:
    """Every briefing the index holds, in corpus order: title, date, officials who answered, answers."""
    answers: dict[str, list[Chunk]] = {}
    for c in index.chunks:
        answers.setdefault(c.doc_id, []).append(c)
    rows = []
    for t in index.transcripts:
        cs = answers.get(t.doc_id, [])
        officials = tuple(dict.fromkeys([p.name for p in t.roster if p.role == "official"] + [c.speaker for c in cs]))
        rows.append(BriefingRow(t.doc_id, t.title, t.date, officials, len(cs), t.path, t.format))
    return rows


def skipped(index) -> list[str]:
    """The corpus files the last build skipped, each as `file:line: why`."""
    return [w[len("skipped "):] for w in index.manifest.get("warnings", []) if w.startswith("skipped ")] + \
        [w for w in index.manifest.get("warnings", []) if "duplicate of" in w]
