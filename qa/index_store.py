"""The index on disk: build a generation step by step, make it live, load it with every artifact checked.

A build parses the corpus, embeds what is new, builds the vector and BM25 indexes, writes them and their
manifest (qa/manifest.py) into a new generation folder, then swaps CURRENT (qa/generations.py, which also
holds the lock and describes the folder's layout); a crash mid-build leaves the old generation live.
An incremental build (load_or_build, `build --if-stale`, add, remove) reuses the live generation's
parses, passages and vectors for unchanged files and answers (qa/reuse.py).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, generations, manifest
from .bm25 import BM25Index
from .extract import corpus_files
from .config import Settings
from .embedding import Embedder, index_sha256
from .errors import ConfigError, CorpusError, IndexCorrupt, IndexError_, IndexMissing, IndexStale
from .generations import live_generation
from .manifest import FORMAT_VERSION, build_settings, corpus_fingerprint, differences, verify_artifacts  # noqa: F401
from .passages import embed_text
from .types import Chunk, Paragraph, Passage, Person, Sentence, Transcript, Turn
from .vectors import build_vector_index, load_vector_index, save_vector_index

log = logging.getLogger(__name__)


@dataclass
class Index:
    """A loaded index: chunks, passages, sentences, vector index, BM25 and the manifest."""

    folder: Path
    manifest: dict
    chunks: list[Chunk]
    passages: list[Passage]
    sentences: dict[str, list[Sentence]]
    vectors: object  # faiss.Index
    bm25: BM25Index
    sentence_vecs: np.ndarray  # one unit vector per sentence, chunks in order, sentences in order
    transcripts: list[Transcript] = dataclasses.field(default_factory=list)  # roster, turns, source text

    def __post_init__(self):
        self.chunk_by_id = {c.id: c for c in self.chunks}
        self.transcript_by_id = {t.doc_id: t for t in self.transcripts}
        # Row of each chunk's first sentence in sentence_vecs.
        self.sentence_row: dict[str, int] = {}
        row = 0
        for c in self.chunks:
            self.sentence_row[c.id] = row
            row += len(self.sentences.get(c.id, []))

    @property
    def documents(self) -> list[dict]:
        return self.manifest.get("documents", [])


def lock(settings: Settings):
    """Hold the index lock (`with lock(settings): ...`) to change the corpus and build (`build_locked`)."""
    return generations.lock(Path(settings.index_dir))


def read_manifest(folder: Path, gen: Path | None = None) -> dict:
    """The manifest of generation `gen` (default: the live one) of the index in `folder`."""
    return manifest.read(folder, gen or live_generation(folder))


@contextlib.contextmanager
def _undone_on_write_error(folder: Path):
    """Yield a list; if an OSError escapes after paths were added to it, remove them and raise one line."""
    written: list[Path] = []
    try:
        yield written
    except OSError as e:
        if not written:
            raise
        for p in written:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        why = "disk full" if _disk_full(e, folder) else "cannot write"
        raise IndexError_(f"{written[0]}: {why} while writing the new index ({e.strerror or e}); removed it, "
                          f"and the previous index in {folder} is still the live one") from None


def _disk_full(err: OSError, folder: Path) -> bool:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    try:  # numpy reports a short write without errno ("6144 requested and 2016 written")
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def _write_json(path: Path, obj) -> None:
    text = json.dumps(obj, ensure_ascii=False)  # dumps uses the C encoder; dump to a file does not (4x slower)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def build(settings: Settings, embedder: Embedder, progress: bool = True,
          warnings: list[str] | None = None, if_stale: bool = False, incremental: bool = False) -> Index:
    """Parse the corpus, split, embed, index; write a new generation and make it live.

    With if_stale, the index is checked once the lock is held and returned as it is when fresh: a
    build that waited for another build of the same corpus does not repeat it. With incremental,
    what the live generation already holds for unchanged files and answers is reused (qa/reuse.py).
    """
    folder = Path(settings.index_dir)
    if getattr(embedder, "backend", settings.embedding_backend) != settings.embedding_backend:
        raise ConfigError(f"the {embedder.backend} encoder cannot build an index for embedding backend "
                          f"{settings.embedding_backend!r}: the manifest would misname its vectors")
    with generations.lock(folder):
        if if_stale:
            try:
                idx = load(settings, embedder_sha=index_sha256(embedder))
                log.info(f"index in {folder} was built by another process while this one waited; using it")
                return idx
            except (IndexMissing, IndexStale, IndexCorrupt):
                pass
        return build_locked(settings, embedder, progress, warnings, incremental)


@dataclass
class _Built:
    """What one build made before anything is written: parses, passages and vectors, the search indexes."""

    fingerprint: dict[str, str]
    transcripts: list[Transcript]
    chunks: list[Chunk]
    reports: list
    emb: "reuse.Embedded"
    vindex: object  # faiss.Index
    vkind: dict
    bm25: BM25Index


def build_locked(settings: Settings, embedder: Embedder, progress: bool = True,
                 warnings: list[str] | None = None, incremental: bool = True) -> Index:
    """`build` for a caller that already holds the index lock (`lock`), e.g. one that changes the corpus."""
    folder = Path(settings.index_dir)
    warnings = warnings if warnings is not None else []
    t0 = time.perf_counter()
    with _undone_on_write_error(folder) as written:
        fingerprint = corpus_fingerprint(settings.corpus_dir)
        old = prior(settings, embedder, fingerprint) if incremental else None
        built = _parse_embed_index(settings, embedder, old, fingerprint, warnings, progress)
        gen, tmp, cur_tmp = generations.new_generation(folder)
        written += [tmp, gen, cur_tmp]  # none is live yet: a failed write removes them all
        _write_artifacts(tmp, built)
        _write_json(tmp / "manifest.json",
                    _manifest(settings, embedder, old, built, manifest.artifact_entries(tmp), warnings, t0))
        generations.make_live(folder, tmp, gen, cur_tmp)
        written.clear()  # gen is live now
        generations.cleanup(folder, keep={gen.name})
        emb, total = built.emb, time.perf_counter() - t0
        log.info(f"built {len(emb.passages)} passages ({emb.embedded_passages} embedded, {emb.reused_passages} "
                 f"reused) in {emb.embed_seconds:.1f}s embedding "
                 f"({emb.embedded_passages / max(emb.embed_seconds, 1e-9):.0f} passages/s), {total:.1f}s total -> {gen}")
    return load(settings, verify_against=None, folder=folder)


def _parse_embed_index(settings: Settings, embedder: Embedder, old: "reuse.Prior | None",
                       fingerprint: dict[str, str], warnings: list[str], progress: bool) -> _Built:
    """Parse and chunk the corpus, embed what `old` cannot lend, build the vector and BM25 indexes."""
    reports: list = []
    from . import reuse  # builds only: the parsing stack stays off the query path
    from .chunking import chunk_transcript, load_corpus

    parse = reuse.parser(old, len(corpus_files([settings.corpus_dir])), progress)
    transcripts, chunks = load_corpus([settings.corpus_dir], warnings, reports, parse=parse,
                                      chunk=old.chunk if old is not None else chunk_transcript)
    parse.close()
    for w in warnings:
        log.warning(f"warning: {w}")
    if not chunks:
        raise CorpusError(str(settings.corpus_dir), "no answers found in any transcript; nothing to index")
    emb = reuse.embed_chunks(chunks, transcripts, settings, embedder, old, progress)
    vindex, vkind = build_vector_index(emb.vectors, settings)
    # BM25 reads what the model reads: with the question the answer replies to, when the passages are
    # embedded with it, so the two retrievers agree on "why was X moved down?" -> its answer.
    by_id = {c.id: c for c in chunks}
    bm25 = BM25Index.build([embed_text(p, by_id[p.chunk_id], settings.embed_with_question and
                                       settings.bm25_with_question) for p in emb.passages])
    return _Built(fingerprint, transcripts, chunks, reports, emb, vindex, vkind, bm25)


def _write_artifacts(tmp: Path, b: _Built) -> None:
    """Every artifact of a generation except its manifest, into the new folder `tmp`."""
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_vector_index(b.vindex, tmp / "vectors.faiss")
    _write_json(tmp / "chunks.json", [dataclasses.asdict(c) for c in b.chunks])
    # Passages and sentences are flat: their fields as they are serialise like asdict, 3x faster.
    _write_json(tmp / "passages.json", [vars(p) for p in b.emb.passages])
    _write_json(tmp / "sentences.json", {k: [vars(s) for s in v] for k, v in b.emb.sentences.items()})
    _write_json(tmp / "transcripts.json", [dataclasses.asdict(t) for t in b.transcripts])
    b.bm25.save(tmp / "bm25")
    with open(tmp / "sentences.npy", "wb") as f:
        np.save(f, b.emb.sentence_vectors, allow_pickle=False)


def _manifest(settings: Settings, embedder: Embedder, old: "reuse.Prior | None", b: _Built, artifacts: dict,
              warnings: list[str], t0: float) -> dict:
    """The generation's manifest: what built it, from what, and the size and sha256 of each artifact."""
    from . import reuse

    emb, passages = b.emb, b.emb.passages
    if embedder.weights_sha256 is None and old is not None:  # nothing embedded: the model was never loaded
        model = dict(old.index.manifest["model"])
    else:
        model = {"name": embedder.name, "path": embedder.model_path, "weights_sha256": embedder.weights_sha256,
                 "dimension": int(emb.vectors.shape[1]), "max_wordpieces": embedder.max_wordpieces}
    return {
        "format_version": FORMAT_VERSION,
        "briefqa_version": __version__,
        "model": model,
        "settings": build_settings(settings),
        "corpus": b.fingerprint,
        "documents": [{"doc_id": t.doc_id, "title": t.title, "date": t.date, "path": t.path,
                       "sha256": t.sha256} for t in b.transcripts],
        "files": reuse.file_entries(b.transcripts, b.reports, settings.corpus_dir),
        "counts": {"transcripts": len(b.transcripts), "chunks": len(b.chunks), "passages": len(passages),
                   "sentences": sum(len(v) for v in emb.sentences.values()),
                   "passages_over_window": sum(p.wordpieces > settings.model_max_wordpieces for p in passages)},
        "vector_index": b.vkind,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": {"embed": round(emb.embed_seconds, 3), "total": round(time.perf_counter() - t0, 3)},
        "reuse": {"incremental": old is not None, "embedded_passages": emb.embedded_passages,
                  "reused_passages": emb.reused_passages,
                  "parsed_files": old.parsed if old is not None else len({r.path for r in b.reports}),
                  "reused_files": old.reused_files if old is not None else 0},
        "versions": manifest.versions(),
        "artifacts": artifacts,
        "warnings": warnings,
    }


def prior(settings: Settings, embedder: Embedder, fingerprint: dict[str, str]) -> "reuse.Prior | None":
    """The live generation opened for reuse by the next build, or None (saying why) when it cannot lend
    anything: missing, damaged, or built by another briefqa version, model or index settings."""
    from . import reuse

    folder = Path(settings.index_dir)
    try:
        m = read_manifest(folder)
    except IndexMissing:
        return None
    except IndexError_ as e:
        log.info(f"previous index not reusable ({e}); embedding every passage")
        return None
    sha = index_sha256(embedder)
    model = m.get("model") or {}
    why = []
    if m.get("briefqa_version") != __version__:
        why.append(f"built by briefqa {m.get('briefqa_version')}, this is {__version__}")
    if m.get("settings") != build_settings(settings):
        why.append("index settings differ")
    if model.get("weights_sha256") != sha or model.get("name") != embedder.name:
        why.append(f"built with model {model.get('name')} {str(model.get('weights_sha256'))[:12]}, "
                   f"now {embedder.name} {str(sha)[:12]}")
    if (m.get("vector_index") or {}).get("type") not in reuse.REUSABLE_VECTOR_INDEXES:
        why.append(f"its {(m.get('vector_index') or {}).get('type')} vectors cannot be read back exactly")
    if "files" not in m:
        why.append("it predates incremental builds")
    if not why:
        try:
            return reuse.Prior(load(settings, verify_against=None, folder=folder), settings.corpus_dir, fingerprint)
        except IndexError_ as e:
            why.append(str(e))
    log.info(f"previous index not reusable ({'; '.join(why)}); embedding every passage")
    return None


def load(settings: Settings, verify_against: str | None = "corpus", folder: Path | None = None,
         embedder_sha: str | None = None) -> Index:
    """Load the live index. With verify_against='corpus', raise IndexStale if corpus/model/settings differ."""
    folder = Path(folder or settings.index_dir)
    for attempt in (1, 2):
        gen = live_generation(folder)
        try:
            return _load_generation(settings, folder, gen, verify_against, embedder_sha)
        except (IndexCorrupt, FileNotFoundError) as e:
            # A build may have swapped CURRENT (and removed this generation) while we read it: read the new one.
            if attempt == 2 or live_generation(folder) == gen:
                if isinstance(e, FileNotFoundError):
                    raise IndexCorrupt(f"{e.filename}: missing") from None
                raise


def _load_generation(settings: Settings, folder: Path, gen: Path, verify_against: str | None,
                     embedder_sha: str | None) -> Index:
    # Manifest and artifacts come from the one generation folder read once from CURRENT.
    m = read_manifest(folder, gen)
    if verify_against == "corpus":
        diffs = differences(m, settings, embedder_sha)
        if diffs:
            raise IndexStale(str(folder), diffs)
    verify_artifacts(gen, m)
    try:
        chunks = [_chunk(d) for d in json.loads((gen / "chunks.json").read_text(encoding="utf-8"))]
        passages = [_passage(d) for d in json.loads((gen / "passages.json").read_text(encoding="utf-8"))]
        sents = {k: [Sentence(**s) for s in v]
                 for k, v in json.loads((gen / "sentences.json").read_text(encoding="utf-8")).items()}
        transcripts = [_transcript(d) for d in json.loads((gen / "transcripts.json").read_text(encoding="utf-8"))]
    except (json.JSONDecodeError, TypeError, KeyError) as e:
        raise IndexCorrupt(f"{gen}: metadata unreadable ({e})") from None
    vectors = load_vector_index(gen / "vectors.faiss")
    try:
        svecs = np.load(gen / "sentences.npy", allow_pickle=False)
    except (ValueError, OSError) as e:
        raise IndexCorrupt(f"{gen}/sentences.npy: unreadable ({e})") from None
    if len(svecs) != sum(len(v) for v in sents.values()):
        raise IndexCorrupt(f"{gen}/sentences.npy: {len(svecs)} vectors for {sum(len(v) for v in sents.values())} sentences")
    bm25 = BM25Index.load(gen / "bm25")
    n = (m.get("counts") or {}).get("passages")
    if len(passages) != n or vectors.ntotal != n or bm25.size != n:
        raise IndexCorrupt(f"{gen}: passages {len(passages)}, vectors {vectors.ntotal}, bm25 {bm25.size}; manifest says {n}")
    if any(p.id != i for i, p in enumerate(passages)):
        raise IndexCorrupt(f"{gen}/passages.json: passage ids are not 0..{n - 1} in order")
    ids = {c.id for c in chunks}
    if any(p.chunk_id not in ids for p in passages):
        raise IndexCorrupt(f"{gen}/passages.json: a passage names a chunk that is not in chunks.json")
    return Index(folder, m, chunks, passages, sents, vectors, bm25, svecs, transcripts)


def _chunk(d: dict) -> Chunk:
    d = dict(d)
    d["paragraphs"] = tuple(Paragraph(**p) for p in d["paragraphs"])
    return Chunk(**d)


def _tuples(d: dict) -> dict:
    """JSON lists back to the tuples the frozen dataclasses hold."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


def _transcript(d: dict) -> Transcript:
    d = dict(d)
    d["roster"] = tuple(Person(**_tuples(p)) for p in d["roster"])
    d["turns"] = tuple(Turn(**{**_tuples(t), "paragraphs": tuple(Paragraph(**p) for p in t["paragraphs"])})
                       for t in d["turns"])
    return Transcript(**_tuples(d))


def _passage(d: dict) -> Passage:
    d = dict(d)
    d["sentence_ids"] = tuple(d["sentence_ids"])
    return Passage(**d)


def load_or_build(settings: Settings, embedder: Embedder, rebuild: bool = True,
                  progress: bool = True) -> Index:
    """The index for the current corpus: loaded if fresh, else rebuilt (or IndexStale if rebuild=False)."""
    try:
        return load(settings, embedder_sha=index_sha256(embedder))
    except (IndexMissing, IndexStale, IndexCorrupt) as e:
        if not rebuild:
            raise
        log.info(f"{e}; rebuilding")
        return build(settings, embedder, progress=progress, if_stale=True, incremental=True)
