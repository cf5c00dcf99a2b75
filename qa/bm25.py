"""Lexical retrieval: bm25s (Lucene BM25) over our own tokens, which keep figures like '15.7' and '82.04'."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from .errors import IndexCorrupt

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _stop_and_stem():
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    extra = {"what", "which", "who", "whom", "how", "many", "much", "does", "did", "do", "has", "have",
             "had", "can", "could", "would", "should", "about", "tell", "me", "us", "you", "your", "i",
             "we", "our", "its", "from", "been", "so", "than", "also", "any", "did", "was", "were"}
    return frozenset(STOPWORDS_EN) | extra, Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lowercased, stopwords dropped, words stemmed, numbers kept whole.

    >>> tokenize("The examination period fell to 15.7 months, 94.2% accurate.")
    ['examin', 'period', 'fell', '15.7', 'month', '94.2%', 'accur']
    """
    stop, stemmer = _stop_and_stem()
    out = []
    for tok in TOKEN_RE.findall(text.lower()):
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
    """A bm25s index whose document i is passage i."""

    def __init__(self, retriever, size: int):
        self.retriever = retriever
        self.size = size
        self.vocab = set(getattr(retriever, "vocab_dict", {}) or {})

    @classmethod
    def build(cls, texts: list[str]) -> "BM25Index":
        import bm25s

        r = bm25s.BM25()
        # An empty document would break bm25s' sparse matrix; give it a placeholder token.
        r.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)
        return cls(r, len(texts))

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)
        (Path(folder) / "size.txt").write_text(str(self.size))

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        import bm25s

        try:
            r = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
            size = int((Path(folder) / "size.txt").read_text())
        except Exception as e:  # bm25s raises assorted errors on damaged files
            raise IndexCorrupt(f"{folder}: BM25 index unreadable ({e})") from None
        return cls(r, size)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """[(passage id, score)] best first, only positive scores; `mask` (0/1 per passage) filters."""
        toks = [t for t in tokenize(query) if t in self.vocab]
        if not toks or self.size == 0:
            return []
        k = min(k, self.size)
        ids, scores = self.retriever.retrieve([toks], k=k, show_progress=False, n_threads=1,
                                              weight_mask=mask)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if s > 0]
