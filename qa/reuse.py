"""Incremental builds: what the live index generation lends the next one, so only new work is done.

A build always reads the whole corpus, in corpus order, through `load_corpus`; three things are
taken from the previous generation instead of being computed again:
- a file whose bytes and sidecar are unchanged is not parsed: its briefings come from
  transcripts.json (with the ids their file gives them, so `load_corpus` decides ids as ever);
- such a briefing is not chunked again: its answers come from chunks.json (renamed if its id moved);
- an answer whose text, paragraphs and question are unchanged is not split or embedded again: its
  sentences, passages, passage vectors and sentence vectors are copied (passages renumbered).
Everything else (FAISS, BM25, the manifest) is written anew, so the generation is complete and a
full build of the same corpus holds the same contents. Reuse needs the previous generation to pass
every check `load` makes and to come from the same briefqa version, model and index settings
(`index_store.prior`); otherwise nothing is reused.
"""
from __future__ import annotations

import dataclasses
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import chunk_transcript
from .passages import chunk_sentences, embed_text, make_passages
from .transcript import parse_path
from .types import Chunk, Passage, Sentence, Transcript

log = logging.getLogger(__name__)

# Vector indexes whose rows can be read back exactly (IVF stores quantized codes).
REUSABLE_VECTOR_INDEXES = ("IndexFlatIP", "IndexHNSWFlat")
# Texts per encode call: small enough for a progress bar that moves, large enough to batch well.
ENCODE_SLICE = 256


def raw_doc_id(path: str | Path, k: int) -> str:
    """The id parsing gives the k-th briefing (from 0) of a file, before `load_corpus` makes ids unique.

    >>> raw_doc_id("/c/x.txt", 0), raw_doc_id("/c/x.txt", 2)
    ('x', 'x-3')
    """
    stem = Path(path).stem
    return stem if k == 0 else f"{stem}-{k + 1}"


def chunk_key(chunk: Chunk, text_sha256: str) -> tuple:
    """What an answer's sentences, passages and vectors depend on: its document's text, its
    paragraphs' spans in that text and the question embedded in front of its passages."""
    return text_sha256, chunk.question, tuple((p.start, p.end) for p in chunk.paragraphs)


def file_entries(transcripts: list[Transcript], reports, corpus_dir: Path) -> dict[str, dict]:
    """manifest["files"]: {relative path: {"docs": [{"doc_id", "chunk_warnings"}]}} for each file that
    gave briefings, in order; what the next build needs to reuse its parse and chunks."""
    root = Path(corpus_dir).resolve()
    by_id = {t.doc_id: t for t in transcripts}
    out: dict[str, dict] = {}
    for r in reports:
        if r.status != "parsed":
            continue
        tr = by_id.get(r.doc_id)
        own = list(r.warnings[len(tr.warnings):]) if tr is not None else list(r.warnings)
        rel = str(Path(r.path).relative_to(root))
        out.setdefault(rel, {"docs": []})["docs"].append({"doc_id": r.doc_id, "chunk_warnings": own})
    return out


class Prior:
    """The previous generation opened for reuse by a build of `corpus_dir` (see the module docstring).

    `fingerprint` is the corpus as it is now ({relative path: sha256}, sidecars included).
    """

    def __init__(self, index, corpus_dir: Path, fingerprint: dict[str, str]):
        self.index = index
        root = Path(corpus_dir).resolve()
        was = index.manifest.get("corpus", {})
        by_path: dict[str, list[Transcript]] = {}
        for t in index.transcripts:
            by_path.setdefault(t.path, []).append(t)
        chunks_of: dict[str, list[Chunk]] = {}
        for c in index.chunks:
            chunks_of.setdefault(c.doc_id, []).append(c)
        self._stored: dict[str, list[Transcript]] = {}  # file -> its briefings, with raw ids
        self._chunks: dict[tuple[str, int], tuple[list[Chunk], list[str]]] = {}  # (file, segment) -> answers, warnings
        for rel, entry in (index.manifest.get("files") or {}).items():
            side = str(Path(rel).with_suffix(".meta.json"))
            if was.get(rel) is None or was.get(rel) != fingerprint.get(rel) or was.get(side) != fingerprint.get(side):
                continue
            path = str(root / rel)
            docs, trs = entry.get("docs") or [], by_path.get(path, [])
            # A briefing without answers is not stored: such a file is parsed again.
            if [d.get("doc_id") for d in docs] != [t.doc_id for t in trs]:
                continue
            self._stored[path] = [dataclasses.replace(t, doc_id=raw_doc_id(path, k)) for k, t in enumerate(trs)]
            for t, d in zip(trs, docs):
                self._chunks[(path, t.segment_start)] = (chunks_of.get(t.doc_id, []), list(d.get("chunk_warnings") or []))
        sha_of = {t.doc_id: t.sha256 for t in index.transcripts}
        self._by_key = {chunk_key(c, sha_of[c.doc_id]): c for c in index.chunks if c.doc_id in sha_of}
        self._passages: dict[str, list[Passage]] = {}
        for p in index.passages:
            self._passages.setdefault(p.chunk_id, []).append(p)
        self._vectors: np.ndarray | None = None
        self.parsed = self.reused_files = 0

    @property
    def dimension(self) -> int:
        return int(self.index.vectors.d)

    def parse(self, f: Path) -> list[Transcript]:
        """The briefings of file `f`: stored ones when it is unchanged, else parsed now."""
        stored = self._stored.get(str(f))
        if stored is not None:
            self.reused_files += 1
            return list(stored)
        self.parsed += 1
        return parse_path(f)

    def chunk(self, tr: Transcript, warnings: list[str]) -> list[Chunk]:
        """The answers of a briefing: stored ones (with its id now) when parse() gave it, else chunked now."""
        hit = self._chunks.get((tr.path, tr.segment_start)) if tr.path in self._stored else None
        if hit is None:
            return chunk_transcript(tr, warnings)
        chunks, own = hit
        warnings.extend(own)
        return [c if c.doc_id == tr.doc_id else
                dataclasses.replace(c, id=f"{tr.doc_id}#{c.ordinal:02d}", doc_id=tr.doc_id) for c in chunks]

    def find(self, chunk: Chunk, text_sha256: str) -> Chunk | None:
        """The previous generation's answer with the same text, paragraphs and question, if any."""
        return self._by_key.get(chunk_key(chunk, text_sha256))

    def passages_of(self, chunk_id: str) -> list[Passage]:
        return self._passages.get(chunk_id, [])

    def vectors(self) -> np.ndarray:
        """Every passage vector of the previous generation, row i for passage i (exact copies)."""
        if self._vectors is None:
            v = self.index.vectors
            self._vectors = v.reconstruct_n(0, v.ntotal) if v.ntotal else np.zeros((0, v.d), dtype="float32")
        return self._vectors


@dataclass(frozen=True)
class Embedded:
    """Sentences, passages (ids 0..n-1 in chunk order) and their vectors for a list of chunks."""

    sentences: dict[str, list[Sentence]]
    passages: list[Passage]
    vectors: np.ndarray  # row i: passage i
    sentence_vectors: np.ndarray  # chunks in order, sentences in order (Index.sentence_row)
    embedded_passages: int  # passages embedded by this build
    reused_passages: int  # passages copied from the previous generation
    embed_seconds: float


def embed_chunks(chunks: list[Chunk], transcripts: list[Transcript], settings, embedder, prior: Prior | None = None,
                 progress: bool = False) -> Embedded:
    """Split chunks into sentences and passages and embed both, copying what `prior` already holds."""
    sha_of = {t.doc_id: t.sha256 for t in transcripts}
    sentences: dict[str, list[Sentence]] = {}
    passages: list[Passage] = []
    new_texts, new_rows = [], []  # passage texts to embed and their rows
    new_sents, new_sent_rows = [], []
    copy_rows, copy_from, copy_srows, copy_sfrom = [], [], [], []
    row = 0  # sentence row
    fresh_chunks = 0
    for c in chunks:
        old = prior.find(c, sha_of[c.doc_id]) if prior is not None else None
        if old is not None:
            sents = [dataclasses.replace(s, chunk_id=c.id) for s in prior.index.sentences.get(old.id, [])]
            olds = prior.passages_of(old.id)
            ps = [dataclasses.replace(p, id=len(passages) + k, chunk_id=c.id) for k, p in enumerate(olds)]
            copy_rows += [p.id for p in ps]
            copy_from += [p.id for p in olds]
            first = prior.index.sentence_row[old.id]
            copy_srows += range(row, row + len(sents))
            copy_sfrom += range(first, first + len(sents))
        else:
            fresh_chunks += 1
            sents = chunk_sentences(c)
            ps = make_passages([c], settings.window_sentences, settings.window_stride, settings.model_max_wordpieces,
                               settings.model_path, start_id=len(passages), sentences={c.id: sents})
            new_texts += [embed_text(p, c, settings.embed_with_question) for p in ps]
            new_rows += [p.id for p in ps]
            new_sents += [s.text for s in sents]
            new_sent_rows += range(row, row + len(sents))
        sentences[c.id] = sents
        passages.extend(ps)
        row += len(sents)

    if new_texts or new_sents or prior is None:
        embedder.warm_up()
    t0 = time.perf_counter()
    if new_texts or new_sents or prior is None:
        reused = f"; reusing {len(copy_rows)} passages from the previous index" if prior is not None else ""
        log.info(f"embedding {len(new_texts)} passages from {fresh_chunks} answers in {len(transcripts)} transcript(s){reused}")
        # One pass over passages and sentences: one progress bar, one ETA for the whole embedding.
        both = encode(embedder, new_texts + new_sents, progress)
        dim = both.shape[1] if len(both) else embedder.dim
    else:
        log.info(f"nothing new to embed; reusing {len(copy_rows)} passages from the previous index")
        both = np.zeros((0, prior.dimension), dtype="float32")
        dim = prior.dimension
    embed_s = time.perf_counter() - t0
    vecs = np.zeros((len(passages), dim), dtype="float32")
    svecs = np.zeros((row, dim), dtype="float32")
    if new_rows:
        vecs[new_rows] = both[:len(new_texts)]
    if new_sent_rows:
        svecs[new_sent_rows] = both[len(new_texts):]
    if copy_rows:
        vecs[copy_rows] = prior.vectors()[copy_from]
    if copy_srows:
        svecs[copy_srows] = prior.index.sentence_vecs[copy_sfrom]
    return Embedded(sentences, passages, vecs, svecs, len(new_texts), len(copy_rows), embed_s)


def encode(embedder, texts: list[str], progress: bool) -> np.ndarray:
    """Unit vectors for `texts` (as passages), longest first in slices, with a progress bar and ETA
    on stderr whatever the backend; rows come back in the order of `texts`."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype="float32")
    order = np.argsort([-len(t) for t in texts], kind="stable")
    out: np.ndarray | None = None
    bar = _bar(len(texts), "embedding", "text", progress)
    try:
        for s in range(0, len(texts), ENCODE_SLICE):
            idx = order[s:s + ENCODE_SLICE]
            v = embedder.encode_passages([texts[i] for i in idx], progress=False)
            if out is None:
                out = np.empty((len(texts), v.shape[1]), dtype="float32")
            out[idx] = v
            bar.update(len(idx))
    finally:
        bar.close()
    return out


def parser(prior: Prior | None, files: int, progress: bool):
    """The `parse` hook for load_corpus: the prior's (reusing unchanged files) or parse_path, with a
    progress bar over the corpus's files when `progress`."""
    bar = _bar(files, "parsing", "file", progress and files > 1)
    parse = prior.parse if prior is not None else parse_path

    def run(f: Path) -> list[Transcript]:
        try:
            return parse(f)
        finally:
            bar.update(1)
            if bar.n >= files:
                bar.close()

    run.close = bar.close
    return run


def _bar(total: int, desc: str, unit: str, on: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not on, file=sys.stderr, leave=False)
