"""Evaluation metrics as pure functions: relevance by text, ranking scores, facts, abstention, percentiles.

Relevance is decided by text, never by chunk ids, so the gold set survives any change of chunking:
a retrieved text is relevant when it contains one of the item's gold substrings (whitespace folded).
Support of answer claims is not decided here: that is qa/grounding.py's job.
"""
from __future__ import annotations

import collections
import math
import statistics

from .grounding import fold


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
    return {"precision": _r(p), "recall": _r(r), "f1": _r(f), "tp": tp, "fp": fp, "fn": fn}


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return _r(sum(values) / len(values)) if values else None


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation, as numpy's default.

    >>> percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 95)
    (2.5, 3.85)
    """
    v = sorted(values)
    if not v:
        return None
    pos = (len(v) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return _r(v[lo] + (v[hi] - v[lo]) * (pos - lo))


def median(values) -> float | None:
    return _r(statistics.median(values)) if values else None


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# ---- Summaries over per-question results (objects with the fields of evaluate.QuestionResult) ----

FOLLOW_UP = "follow-up"  # a group across kinds: questions asked with history
OFF_TOPIC = {"unanswerable": "off-topic", "near-miss": "near-miss", "absent": "absent"}  # gold kind -> label


def groups(r) -> tuple[str, ...]:
    return (r.kind, FOLLOW_UP) if r.follow_up else (r.kind,)


def _group_names(results) -> list[str]:
    names = list(dict.fromkeys(r.kind for r in results))
    return names + ([FOLLOW_UP] if any(r.follow_up for r in results) else [])


def summarize_retrieval(results, modes) -> tuple[dict, dict]:
    """({mode: ranking summary}, {mode: {group: ranking summary}}) over answerable questions."""
    # Only items whose gold sits in an answer can be retrieved (structure gold is header or label text).
    ans = [r for r in results if r.answerable and r.n_relevant > 0]
    overall, by_group = {}, {}
    for m in modes:
        def rows(rs):
            return [([x.relevant for x in r.retrieved[m]], r.n_relevant) for r in rs]

        overall[m] = ranking_summary(rows(ans))
        if any(x.evidence is not None for r in ans for x in r.retrieved[m]):
            overall[m]["evidence@1"] = mean([bool(r.retrieved[m] and r.retrieved[m][0].evidence) for r in ans])
        by_group[m] = {g: ranking_summary(rows([r for r in ans if g in groups(r)])) for g in _group_names(ans)}
    return overall, by_group


def _fact_recall(r) -> float:
    return 0.0 if r.abstained or not r.facts else sum(r.facts.values()) / len(r.facts)


def _fact_exact(r) -> float:
    return float(not r.abstained and all(r.facts.values()))


def _answer_stats(rs) -> dict:
    answered = [r for r in rs if not r.abstained]
    return {
        "n": len(rs),
        "answered": mean([float(not r.abstained) for r in rs]),
        "fact_recall": mean([_fact_recall(r) for r in rs]),
        "fact_accuracy": mean([_fact_exact(r) for r in rs]),
        "fact_recall_answered": mean([_fact_recall(r) for r in answered]),
        "fact_accuracy_answered": mean([_fact_exact(r) for r in answered]),
        "words_mean": mean([r.words for r in answered]),
        "words_median": median([r.words for r in answered]),
    }


def summarize_answers(results) -> tuple[dict, dict]:
    """Fact recall/accuracy (abstaining counts as no facts), length, attribution, on answerable items."""
    ans = [r for r in results if r.answerable]
    overall = _answer_stats(ans)
    answered = [r for r in ans if not r.abstained]
    overall["attribution"] = mean([float(r.speaker_cited) for r in answered if r.speaker_cited is not None])
    overall["cites_gold"] = mean([float(r.cites_gold) for r in answered if r.cites_gold is not None])
    overall["words_mean_all"] = mean([r.words for r in results])
    return overall, {g: _answer_stats([r for r in ans if g in groups(r)]) for g in _group_names(ans)}


def summarize_citations(results) -> dict:
    """ALCE-style citation precision and recall, and groundedness, pooled over every claim shown."""
    cl = [c for r in results for c in r.claims]
    checks = [c for r in results for c in r.citation_checks]
    status = collections.Counter(c["grounded"]["status"] for c in cl)
    return {
        "claims": len(cl), "citations": len(checks),
        "answers_with_claims": sum(1 for r in results if r.claims),
        "precision": mean([float(c["ok"]) for c in checks]),
        "recall": mean([float(c["recall"]["ok"]) for c in cl]),
        "groundedness": mean([float(c["grounded"]["ok"]) for c in cl]),
        "verbatim": mean([float(c["grounded"]["status"] == "verbatim") for c in cl]),
        "supported": mean([float(c["grounded"]["status"] == "supported") for c in cl]),
        "uncited": sum(1 for c in cl if not c["cited"]),
        "flagged": sum(len(r.flagged) for r in results),  # LLM sentences the answerer dropped
        "status": dict(status),
    }


def summarize_abstention(results) -> dict:
    """Abstaining on unanswerable items is the positive class; by kind, answerable items are the negatives."""
    ans = [r for r in results if r.answerable]
    fp = sum(r.abstained for r in ans)
    out = {"n_answerable": len(ans), "n_unanswerable": len(results) - len(ans)}
    un = [r for r in results if not r.answerable]
    out.update(prf(sum(r.abstained for r in un), fp, sum(not r.abstained for r in un)))
    out["false_abstention_rate"] = _r(fp / len(ans)) if ans else None
    out["by_kind"] = {}
    for kind, label in OFF_TOPIC.items():
        rs = [r for r in un if r.kind == kind]
        if rs:
            tp, fn = sum(r.abstained for r in rs), sum(not r.abstained for r in rs)
            out["by_kind"][label] = prf(tp, fp, fn) | {"n": len(rs)}
    out["reasons"] = {
        "unanswerable": dict(collections.Counter(_reason(r) for r in un if r.abstained)),
        "answerable": dict(collections.Counter(_reason(r) for r in ans if r.abstained)),
    }
    return out


def _reason(r) -> str:
    return (r.reason or "unknown").split(":")[0]


def summarize_latency(results, total_s: float) -> dict:
    ms = [r.latency_ms for r in results]
    return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mean_ms": mean(ms),
            "max_ms": _r(max(ms)) if ms else None, "total_s": _r(total_s), "n": len(ms)}


def summarize_understanding(results) -> dict:
    """Intent accuracy (items labelled with an intent), naming of absent terms, follow-ups no worse than alone."""
    labelled = [r for r in results if r.intent_expected]
    by_intent = {}
    for intent in dict.fromkeys(r.intent_expected for r in labelled):
        rs = [r for r in labelled if r.intent_expected == intent]
        by_intent[intent] = {"n": len(rs), "accuracy": mean([float(r.intent == intent) for r in rs])}
    absent = [r for r in results if r.absent_named is not None]
    follow = [r for r in results if r.fact_recall_alone is not None]
    return {
        "intent_accuracy": mean([float(r.intent == r.intent_expected) for r in labelled]),
        "intent_n": len(labelled), "by_intent": by_intent,
        "absent_named": mean([float(r.absent_named) for r in absent]), "absent_n": len(absent),
        "follow_up_no_worse": mean([float(_fact_recall(r) >= r.fact_recall_alone) for r in follow]),
        "follow_up_n": len(follow),
    }


def summarize_split(results) -> dict:
    """The headline sections for one split (dev or test): answers overall and by kind, abstention, citations."""
    if not results:
        return {"n": 0}
    answers, by_kind = summarize_answers(results)
    return {"n": len(results), "answers": answers, "answers_by_kind": by_kind,
            "abstention": summarize_abstention(results), "citations": summarize_citations(results),
            "understanding": summarize_understanding(results), "latency": summarize_latency(results, 0.0)}


def flat_metrics(report: dict) -> dict[str, float]:
    """The report's headline numbers as {"section.name": value}: what eval/thresholds.json names."""
    out = {}
    for mode, d in report["retrieval"].items():
        for k, v in d.items():
            if k != "n":
                out[f"retrieval.{mode}.{k}"] = v
    for k, v in report["answers"].items():
        if k != "n":
            out[f"answers.{k}"] = v
    for k in ("precision", "recall", "groundedness", "verbatim"):
        out[f"citations.{k}"] = report["citations"][k]
    ab = report["abstention"]
    for k in ("precision", "recall", "f1", "false_abstention_rate"):
        out[f"abstention.{k}"] = ab[k]
    for label, d in ab["by_kind"].items():
        for k in ("precision", "recall", "f1"):
            out[f"abstention.{label}.{k}"] = d[k]
    for k in ("p50_ms", "p95_ms", "total_s"):
        out[f"latency.{k}"] = report["latency"][k]
    u = report.get("understanding") or {}
    for k in ("intent_accuracy", "absent_named", "follow_up_no_worse"):
        out[f"understanding.{k}"] = u.get(k)
    for sp, d in (report.get("splits") or {}).items():
        if not d.get("n"):
            continue
        for k in ("fact_recall", "fact_accuracy", "answered"):
            out[f"{sp}.answers.{k}"] = d["answers"][k]
        for kind, a in d["answers_by_kind"].items():
            out[f"{sp}.answers.{kind}.fact_recall"] = a["fact_recall"]
        for k in ("precision", "recall", "f1", "false_abstention_rate"):
            out[f"{sp}.abstention.{k}"] = d["abstention"][k]
        for k in ("precision", "recall", "groundedness", "verbatim"):
            out[f"{sp}.citations.{k}"] = d["citations"][k]
        out[f"{sp}.understanding.intent_accuracy"] = d["understanding"]["intent_accuracy"]
        out[f"{sp}.understanding.follow_up_no_worse"] = d["understanding"]["follow_up_no_worse"]
    return {k: v for k, v in out.items() if v is not None}


def check_thresholds(flat: dict, thresholds: dict) -> tuple[list[str], list[str]]:
    """(failures, unmeasured): each failure names the metric, its value and the bound it broke.

    >>> check_thresholds({"a": 0.5, "b": 0.2}, {"min": {"a": 0.6, "c": 0.1}, "max": {"b": 0.3}})
    (['a = 0.5 is below its minimum 0.6'], ['c'])
    """
    failures, unmeasured = [], []
    for key, lo in thresholds.get("min", {}).items():
        if key not in flat:
            unmeasured.append(key)
        elif flat[key] < lo:
            failures.append(f"{key} = {flat[key]:g} is below its minimum {lo:g}")
    for key, hi in thresholds.get("max", {}).items():
        if key not in flat:
            unmeasured.append(key)
        elif flat[key] > hi:
            failures.append(f"{key} = {flat[key]:g} is above its maximum {hi:g}")
    return failures, unmeasured


def propose_thresholds(flat: dict, gate_min, gate_max, current: dict | None = None, margin: float = 0.03) -> dict:
    """Bounds at the measured values less `margin` (more, for "max" metrics), to 2 decimals, never
    looser than `current`: thresholds only ever get stricter.

    >>> propose_thresholds({"a": 0.884, "b": 0.012}, ["a"], ["b"], {"min": {"a": 0.9}})
    {'min': {'a': 0.9}, 'max': {'b': 0.05}}
    """
    current = current or {}
    out = {"min": {}, "max": {}}
    for k in gate_min:
        if k in flat:
            v = max(0.0, math.floor((flat[k] - margin) * 100 + 1e-9) / 100)
            out["min"][k] = max(v, current.get("min", {}).get(k, v))
    for k in gate_max:
        if k in flat:
            v = math.ceil((flat[k] + margin) * 100 - 1e-9) / 100
            out["max"][k] = min(v, current.get("max", {}).get(k, v))
    return out
