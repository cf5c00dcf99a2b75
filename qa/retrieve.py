"""Retrieval: dense (FAISS), lexical (BM25) or hybrid (reciprocal rank fusion), grouped by answer."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Settings, check_choice
from .embedding import Embedder
from .index_store import Index
from .types import Chunk, Hit, MatchedPassage
from .vectors import search_vectors


@dataclass(frozen=True)
class Filters:
    """Restrict a search: speaker (whole words of the name, any case: "Hu", "hu wenhui"), document id, ISO dates.

    The question's scope adds: `speakers` (any of these exact names), `asked_by` (answers to these
    outlets), `doc_ids` (any of these briefings) and `opening` (only answers given before any question).
    """

    speaker: str | None = None
    doc_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speakers: tuple[str, ...] = ()
    asked_by: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    opening: bool = False

    def accepts(self, c: Chunk) -> bool:
        if self.speaker and not set(self.speaker.lower().split()) <= set(c.speaker.lower().split()):
            return False
        if self.speakers and c.speaker not in self.speakers:
            return False
        if self.asked_by and c.asked_by not in self.asked_by:
            return False
        if self.doc_ids and c.doc_id not in self.doc_ids:
            return False
        if self.opening and c.asked_by is not None:
            return False
        if self.doc_id and c.doc_id != self.doc_id:
            return False
        if self.date_from and (c.doc_date or "") < self.date_from:
            return False
        if self.date_to and (c.doc_date or "9999") > self.date_to:
            return False
        return True

    def __bool__(self):
        return any((self.speaker, self.doc_id, self.date_from, self.date_to, self.speakers, self.asked_by,
                    self.doc_ids, self.opening))


def rrf(rankings: list[list[int]], k: int = 60, weights: list[float] | None = None) -> dict[int, float]:
    """Weighted reciprocal rank fusion: sum of w/(k + rank) over the rankings an item appears in.

    >>> sorted(rrf([[1, 2], [2, 3]], k=0).items())
    [(1, 1.0), (2, 1.5), (3, 0.5)]
    """
    weights = weights or [1.0] * len(rankings)
    out: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for r, pid in enumerate(ranking, 1):
            out[pid] = out.get(pid, 0.0) + w / (k + r)
    return out


class Retriever:
    """Searches a loaded Index. `search` returns answer chunks (Hits) with their matched passages.

    >>> r = Retriever(index, embedder, settings)        # doctest: +SKIP
    >>> [h.chunk.speaker for h in r.search("How many PPH agreements?", k=2)]   # doctest: +SKIP
    ['Shen Changyu', 'Hu Wenhui']
    """

    def __init__(self, index: Index, embedder: Embedder, settings: Settings):
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if not filters:
            return None
        ok = {c.id for c in self.index.chunks if filters.accepts(c)}
        return np.array([p.id for p in self.index.passages if p.chunk_id in ok], dtype="int64")

    def passage_scores(self, query: str, mode: str, n: int, allowed: np.ndarray | None = None,
                       query_vec: np.ndarray | None = None) -> dict[int, dict]:
        """{passage id: {"score", "dense", "bm25"}} for the top `n` passages of each retriever used."""
        dense, lex = [], []
        if mode in ("dense", "hybrid"):
            qv = query_vec if query_vec is not None else self.embedder.encode_queries([query])[0]
            dense = search_vectors(self.index.vectors, qv, n, allowed, self.settings.hnsw_threshold)
        if mode in ("bm25", "hybrid"):
            mask = None
            if allowed is not None:
                mask = np.zeros(self.index.bm25.size, dtype="float32")
                mask[allowed] = 1
            lex = self.index.bm25.search(query, n, mask)
        info: dict[int, dict] = {}
        for pid, s in dense:
            info.setdefault(pid, {})["dense"] = s
        for pid, s in lex:
            info.setdefault(pid, {})["bm25"] = s
        if mode == "dense":
            fused = {pid: s for pid, s in dense}
        elif mode == "bm25":
            fused = {pid: s for pid, s in lex}
        else:
            fused = rrf([[p for p, _ in dense], [p for p, _ in lex]], self.settings.rrf_k,
                        [1.0, self.settings.rrf_bm25_weight])
        for pid, s in fused.items():
            info[pid]["score"] = s
        return info

    def search(self, query: str, k: int | None = None, mode: str | None = None,
               filters: Filters | None = None, query_vec: np.ndarray | None = None) -> list[Hit]:
        """The top `k` answers for `query`, each with the passages inside it that matched, best first."""
        k = k or self.settings.top_k
        mode = check_choice("retrieval_mode", mode or self.settings.retrieval_mode, "retrieval mode")
        if not query or not query.strip():
            return []
        allowed = self._allowed(filters)
        info = self.passage_scores(query, mode, self.settings.candidate_passages, allowed, query_vec)
        groups: dict[str, list[MatchedPassage]] = {}
        for pid, d in info.items():
            p = self.index.passages[pid]
            groups.setdefault(p.chunk_id, []).append(
                MatchedPassage(p, d["score"], d.get("dense"), d.get("bm25")))
        # An answer scores as its best passage: measured against sum-of-top-2 in eval (README).
        ranked = sorted(groups.items(), key=lambda kv: -max(m.score for m in kv[1]))[:k]
        hits = []
        for rank, (cid, ms) in enumerate(ranked, 1):
            ms = sorted(ms, key=lambda m: -m.score)
            hits.append(Hit(self.index.chunk_by_id[cid], rank, ms[0].score, tuple(ms)))
        return hits
