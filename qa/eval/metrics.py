"""Evaluation metrics as pure functions: relevance by text, ranking scores, facts, precision/recall, percentiles.

Relevance is decided by text, never by chunk ids, so the gold set survives any change of chunking:
a retrieved text is relevant when it contains one of the item's gold substrings (whitespace folded).
Support of answer claims is not decided here: that is qa/grounding.py's job.
"""
from __future__ import annotations

import math
import statistics

import numpy as np

from ..grounding import fold


def contains_gold(text: str, gold) -> bool:
    """True when `text` contains any of the `gold` substrings, whitespace folded.

    >>> contains_gold("It reached\\n4.425 million  patents.", ["reached 4.425 million"])
    True
    >>> contains_gold("It reached 4.4 million.", ["reached 4.425 million"])
    False
    """
    t = fold(text)
    return any(fold(g) in t for g in gold if g and g.strip())


def gold_spans(text: str, offset: int, gold) -> list[tuple[int, int]]:
    """Character spans (shifted by `offset`) of every verbatim occurrence of a gold substring in `text`.

    >>> gold_spans("abc def abc", 100, ["abc"])
    [(100, 103), (108, 111)]
    """
    spans = []
    for g in gold:
        if not g:
            continue
        i = text.find(g)
        while i >= 0:
            spans.append((offset + i, offset + i + len(g)))
            i = text.find(g, i + 1)
    return sorted(spans)


def overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """True when span `a` shares at least one character with any of `spans`."""
    return any(a[0] < e and s < a[1] for s, e in spans)


def recall_at_k(rels: list[bool], k: int) -> float:
    """1.0 when any of the first `k` results is relevant (any one gold passage answers the question).

    >>> recall_at_k([False, True, False], 1), recall_at_k([False, True, False], 2)
    (0.0, 1.0)
    """
    return 1.0 if any(rels[:k]) else 0.0


def reciprocal_rank(rels: list[bool]) -> float:
    """1 / rank of the first relevant result, 0 when none is relevant.

    >>> reciprocal_rank([False, False, True])
    0.3333333333333333
    """
    return next((1.0 / r for r, ok in enumerate(rels, 1) if ok), 0.0)


def ndcg_at_k(rels: list[bool], k: int, n_relevant: int) -> float:
    """Binary-gain nDCG@k; the ideal ranking puts min(n_relevant, k) relevant results first.

    >>> ndcg_at_k([True, False], 5, 1), round(ndcg_at_k([False, True], 5, 1), 4)
    (1.0, 0.6309)
    """
    if n_relevant <= 0:
        return 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r, ok in enumerate(rels[:k], 1) if ok)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(n_relevant, k) + 1))
    return dcg / ideal


def first_relevant(rels: list[bool]) -> int | None:
    """1-based rank of the first relevant result, or None."""
    return next((r for r, ok in enumerate(rels, 1) if ok), None)


RANK_METRICS = ("recall@1", "recall@3", "recall@5", "mrr", "ndcg@5")


def ranking_summary(rows: list[tuple[list[bool], int]]) -> dict:
    """Mean Recall@1/3/5, MRR and nDCG@5 over (relevance list, number of relevant answers) rows."""
    if not rows:
        return {m: None for m in RANK_METRICS} | {"n": 0}
    return {
        "recall@1": mean([recall_at_k(r, 1) for r, _ in rows]),
        "recall@3": mean([recall_at_k(r, 3) for r, _ in rows]),
        "recall@5": mean([recall_at_k(r, 5) for r, _ in rows]),
        "mrr": mean([reciprocal_rank(r) for r, _ in rows]),
        "ndcg@5": mean([ndcg_at_k(r, 5, n) for r, n in rows]),
        "n": len(rows),
    }


def facts_present(answer: str, facts) -> list[bool]:
    """Which `facts` occur in `answer` (whitespace folded, case-insensitive).

    >>> facts_present("It took 15.7  months.", ["15.7 months", "94.2%"])
    [True, False]
    """
    a = fold(answer).lower()
    return [fold(f).lower() in a for f in facts]


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall and F1 (None where undefined).

    >>> prf(8, 2, 0)
    {'precision': 0.8, 'recall': 1.0, 'f1': 0.8889, 'tp': 8, 'fp': 2, 'fn': 0}
    """
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"precision": round4(p), "recall": round4(r), "f1": round4(f), "tp": tp, "fp": fp, "fn": fn}


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round4(sum(values) / len(values)) if values else None


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0..100) by numpy's linear interpolation, rounded; None for no values.

    >>> percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 95)
    (2.5, 3.85)
    """
    v = list(values)
    return round4(float(np.percentile(v, q))) if v else None


def median(values) -> float | None:
    return round4(statistics.median(values)) if values else None


def round4(x: float | None) -> float | None:
    """`x` to the 4 decimals every reported figure has (None stays None)."""
    return None if x is None else round(x, 4)
