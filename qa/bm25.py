"""Lexical retrieval: bm25s (Lucene BM25) over our own tokens, which keep figures like '15.7' and '82.04'."""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from .errors import IndexCorrupt

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


# bm25s.stopwords.STOPWORDS_EN (checked in tests/test_bm25.py): importing it would import bm25s, and with
# it scipy, into every process that tokenizes a question.
STOPWORDS_EN = ("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
                "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
                "to", "was", "will", "with")


@functools.lru_cache(maxsize=1)
def _stop_and_stem():
    import Stemmer

    extra = {"what", "which", "who", "whom", "how", "many", "much", "does", "did", "do", "has", "have",
             "had", "can", "could", "would", "should", "about", "tell", "me", "us", "you", "your", "i",
             "we", "our", "its", "from", "been", "so", "than", "also", "any", "did", "was", "were"}
    return frozenset(STOPWORDS_EN) | extra, Stemmer.Stemmer("english")


def unaccent(text: str) -> str:
    """`text` without accents, so a reader's 'Bogota' or 'Gonzalez' finds the transcript's 'Bogotá', 'González'.

    >>> unaccent("Bogotá, Brasília, González")
    'Bogota, Brasilia, Gonzalez'
    """
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Lowercased, accents dropped, stopwords dropped, words stemmed, numbers kept whole.

    >>> tokenize("The examination period fell to 15.7 months, 94.2% accurate, in Bogotá.")
    ['examin', 'period', 'fell', '15.7', 'month', '94.2%', 'accur', 'bogota']
    """
    stop, stemmer = _stop_and_stem()
    out = []
    for tok in TOKEN_RE.findall(unaccent(text.lower())):
        if tok in stop:
            continue
        if tok[0].isdigit():
            out.append(tok.replace(",", ""))
            if tok.endswith("%"):
                continue
        else:
            out.append(stemmer.stemWord(tok))
    return out


class BM25Index:
    """A Lucene BM25 index whose document i is passage i.

    bm25s builds and saves it. Loading and searching read bm25s' saved arrays with numpy alone, by bm25s'
    own arithmetic (the same float32 sums in the same order, the same top-k selection), so scores and
    ties are bm25s' (tests/test_bm25.py compares them): importing bm25s pulls in scipy, a quarter of a
    second of every cold start.
    """

    FILES = {"data": "data.csc.index.npy", "indices": "indices.csc.index.npy", "indptr": "indptr.csc.index.npy"}

    def __init__(self, scores: dict, vocab: dict[str, int], size: int, nonoccurrence: np.ndarray | None = None,
                 retriever=None):
        self.scores = scores  # bm25s' CSC arrays: data, indices, indptr (term-major)
        self.vocab = vocab
        self.size = size
        self.nonoccurrence = nonoccurrence
        self.retriever = retriever  # the bm25s.BM25 that built it (None once loaded): saves it

    @classmethod
    def build(cls, texts: list[str]) -> "BM25Index":
        import bm25s

        r = bm25s.BM25()
        # An empty document would break bm25s' sparse matrix; give it a placeholder token.
        r.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)
        scores = {k: r.scores[k] for k in cls.FILES}
        return cls(scores, dict(r.vocab_dict), len(texts), r.nonoccurrence_array, retriever=r)

    def save(self, folder: Path) -> None:
        assert self.retriever is not None, "only an index built in this process is saved"
        self.retriever.save(str(folder), show_progress=False)
        (Path(folder) / "size.txt").write_text(str(self.size))

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        folder = Path(folder)
        try:
            params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
            vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
            scores = {k: np.load(folder / name, allow_pickle=False) for k, name in cls.FILES.items()}
            nnoc = folder / "nonoccurrence_array.index.npy"
            nonoccurrence = np.load(nnoc, allow_pickle=False) if nnoc.exists() else None
            size = int((folder / "size.txt").read_text())
            # bm25s' vocabulary may end with "" (no column of its own); every other term has one.
            if params.get("num_docs") != size or not 0 <= len(vocab) - (len(scores["indptr"]) - 1) <= 1:
                raise ValueError(f"{params.get('num_docs')} documents and {len(scores['indptr']) - 1} terms for "
                                 f"{size} passages and {len(vocab)} terms")
            if scores["data"].dtype != np.dtype(params.get("dtype", "float32")):
                raise ValueError(f"scores are {scores['data'].dtype}, parameters say {params.get('dtype')}")
        except (OSError, ValueError, TypeError, KeyError, json.JSONDecodeError, UnicodeDecodeError) as e:
            raise IndexCorrupt(f"{folder}: BM25 index unreadable ({e})") from None
        return cls(scores, vocab, size, nonoccurrence)

    def term_scores(self, token_ids: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Score of every document for the query's term ids (repeats count again), as bm25s computes it."""
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        scores = np.zeros(self.size, dtype=data.dtype)
        for start, end in zip(indptr[token_ids], indptr[token_ids + 1]):
            np.add.at(scores, indices[start:end], data[start:end])
        if self.nonoccurrence is not None:
            scores += self.nonoccurrence[token_ids].sum()
        if mask is not None:
            scores *= mask
        return scores

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """[(passage id, score)] best first, only positive scores; `mask` (0/1 per passage) filters."""
        n_terms = len(self.scores["indptr"]) - 1
        ids = [i for i in (self.vocab.get(t) for t in tokenize(query)) if i is not None and i < n_terms]
        if not ids or self.size == 0:
            return []
        k = min(k, self.size)
        scores = self.term_scores(np.asarray(ids, dtype=self.scores["indptr"].dtype), mask)
        # bm25s' numpy top-k: partition, then the k best sorted descending.
        part = np.argpartition(scores, -k).take(indices=range(-k, 0))
        top = np.take(scores, part)
        order = np.flip(np.argsort(top))
        return [(int(i), float(v)) for i, v in zip(part[order], top[order]) if v > 0]
