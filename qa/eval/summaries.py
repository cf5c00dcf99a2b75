"""Summaries over per-question results (scoring.QuestionResult): the report's sections and its flat metrics."""
from __future__ import annotations

import collections

from .gold import FOLLOW_UP, OFF_TOPIC
from .metrics import mean, median, percentile, prf, ranking_summary, round4


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
    out["false_abstention_rate"] = round4(fp / len(ans)) if ans else None
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
            "max_ms": round4(max(ms)) if ms else None, "total_s": round4(total_s), "n": len(ms)}


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
