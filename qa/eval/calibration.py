"""Measure settings choices on the gold set: the abstention threshold sweep and the passage-design comparison.

Both reuse the evaluation's rules (gold.py, metrics.py) and the product's own functions, so a number
here means the same as in `briefqa eval`.

>>> cal = calibrate(settings, qa)                      # doctest: +SKIP
>>> cal["best_f1_threshold"]                           # doctest: +SKIP
"""
from __future__ import annotations

import collections
import dataclasses
import tempfile
import time
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError
from ..index_store import Index, build
from ..prepare import prepare
from ..retrieve import Retriever
from ..service import BriefingQA
from . import metrics as M
from .gold import OFF_TOPIC, GoldItem, gold_spans_in, load_gold, relevant_chunks, split_of
from .scoring import EVAL_MODES, RETRIEVE_K


def calibrate(settings: Settings, qa, questions_path=None, thresholds=None, split: str = "dev",
              field: str = "abstain_threshold") -> dict:
    """Abstention F1, false abstention and fact recall for each candidate value of `field`, on one split.

    Tuning reads the dev split only (items split by the answer their gold sits in, see
    gold.split_of); the test split is for reporting. Every question goes through the product's
    own path (BriefingQA.ask: plan, answerer, abstention) with the setting replaced.
    """
    if field not in ("abstain_threshold", "scoped_abstain_threshold"):
        raise ConfigError(f"calibration field {field!r} is not one of abstain_threshold, scoped_abstain_threshold")
    items = [it for it in load_gold(questions_path) if split_of(it, qa.index) == split]
    now = getattr(settings, field)
    # Default sweep: the current value +- 0.2 in steps of 0.025.
    thresholds = list(thresholds or [round(now + 0.025 * i, 3) for i in range(-8, 9) if now + 0.025 * i > 0])
    rows = []
    for t in thresholds:
        s2 = dataclasses.replace(settings, **{field: t})
        q2 = BriefingQA(s2, qa.embedder, qa.index)
        tp = fp = fn = 0
        recall = []
        by_kind = collections.Counter()
        for it in items:
            a = q2.ask(it.question, list(it.history))
            if it.answerable:
                fp += a.abstained
                if it.facts:
                    recall.append(0.0 if a.abstained else
                                  sum(M.facts_present(a.answer, it.facts)) / len(it.facts))
            else:
                tp, fn = tp + a.abstained, fn + (not a.abstained)
                by_kind[OFF_TOPIC[it.kind]] += a.abstained
        n_ans = sum(it.answerable for it in items)
        kinds = collections.Counter(OFF_TOPIC[it.kind] for it in items if not it.answerable)
        rows.append({"threshold": t, **M.prf(tp, fp, fn),
                     "false_abstention_rate": round(fp / n_ans, 4) if n_ans else None,
                     **{f"{k}_recall": round(by_kind[k] / n, 4) for k, n in kinds.items()},
                     "fact_recall": M.mean(recall)})
    top = max(rows, key=lambda r: ((r["f1"] or 0), -(r["false_abstention_rate"] or 0), -r["threshold"]))
    return {"field": field, "current": now, "split": split, "n": len(items),
            "retrieval_mode": settings.retrieval_mode, "rows": rows, "best_f1_threshold": top["threshold"]}


DESIGN_VARIANTS = (
    {"window_sentences": 1, "window_stride": 1},
    {"window_sentences": 2, "window_stride": 1},
    {"window_sentences": 3, "window_stride": 2},
    {"window_sentences": 3, "window_stride": 3},
    {"window_sentences": 5, "window_stride": 3},
    {"window_sentences": 3, "window_stride": 2, "embed_with_question": False},
)
GROUPINGS = ("max", "sum2")


def rank_chunks(retriever, query: str, mode: str, query_vec, grouping: str = "max",
                k: int = RETRIEVE_K) -> list[tuple[str, int]]:
    """[(chunk id, best passage id)] ranked by the best passage ("max", as Retriever.search) or the
    sum of the best two ("sum2"). Only the design comparison uses "sum2"."""
    if grouping not in GROUPINGS:
        raise ConfigError(f"grouping {grouping!r} is not one of {', '.join(GROUPINGS)}")
    info = retriever.passage_scores(query, mode, retriever.settings.candidate_passages, None, query_vec)
    by_chunk: dict[str, list[tuple[float, int]]] = {}
    for pid, d in info.items():
        by_chunk.setdefault(retriever.index.passages[pid].chunk_id, []).append((d["score"], pid))
    for v in by_chunk.values():
        v.sort(key=lambda sp: -sp[0])
    n = 1 if grouping == "max" else 2
    ranked = sorted(by_chunk.items(), key=lambda kv: -sum(s for s, _ in kv[1][:n]))[:k]
    return [(cid, v[0][1]) for cid, v in ranked]


def compare_designs(settings: Settings, embedder, variants=None, questions_path=None, modes=EVAL_MODES,
                    log=None) -> list[dict]:
    """Retrieval metrics per passage design, each built into a temporary index (removed afterwards).

    `variants` are dicts of Settings overrides (window_sentences, window_stride, embed_with_question);
    each row also compares grouping a chunk's passages by their best score vs the sum of the best two.
    """
    items = [it for it in load_gold(questions_path) if it.answerable]
    queries = [prepare(it.question, it.history, settings).query for it in items]
    qvecs = embedder.encode_queries(queries)
    rows = []
    with tempfile.TemporaryDirectory(prefix="briefqa-design-") as tmp:
        for i, v in enumerate(variants or DESIGN_VARIANTS):
            s = settings.with_overrides(index_dir=Path(tmp) / f"v{i}", **v)
            t0 = time.perf_counter()
            index = build(s, embedder, progress=False)
            build_s = time.perf_counter() - t0
            retriever = Retriever(index, embedder, s)
            rels = [relevant_chunks(index, it.gold) for it in items]
            row = {"variant": design_label(s), "overrides": v, "passages": index.manifest["counts"]["passages"],
                   "build_s": round(build_s, 1), "retrieval": {}}
            for mode in modes:
                for g in GROUPINGS:
                    ranked = [rank_chunks(retriever, q, mode, qv, g) for q, qv in zip(queries, qvecs)]
                    summary = M.ranking_summary([([cid in rel for cid, _ in rk], len(rel))
                                                 for rk, rel in zip(ranked, rels)])
                    summary["evidence@1"] = M.mean([bool(rk) and _evidence(index, rk[0], it)
                                                    for rk, it in zip(ranked, items)])
                    row["retrieval"][f"{mode}/{g}"] = summary
            rows.append(row)
            if log:
                log(f"design {row['variant']}: {row['passages']} passages, built in {build_s:.0f}s")
    return rows


def _evidence(index: Index, top: tuple[str, int], item: GoldItem) -> bool:
    p = index.passages[top[1]]
    return M.overlaps((p.start, p.end), gold_spans_in(index.chunk_by_id[top[0]], item.gold))


def design_label(s: Settings) -> str:
    return f"window {s.window_sentences} stride {s.window_stride}" + ("" if s.embed_with_question else ", no question")
