"""The offline evaluation behind `briefqa eval`: every gold question through the product's own calls, then the report.

Every gold question goes through the calls the product makes (prepare -> Retriever.search ->
BriefingQA.ask). Relevance is judged by text (metrics.py); whether a claim is supported by its
citation is judged by qa/grounding.py, never here. eval/README.md explains every number.

>>> report = run_eval(settings, BriefingQA.open(settings), out=Path("eval/report"))   # doctest: +SKIP
>>> report["metrics"]["retrieval.hybrid.recall@1"]                                    # doctest: +SKIP
"""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import time
from pathlib import Path

import numpy as np

from ..config import ANSWER_MODES, MODES, Settings
from ..embedding import file_sha256
from ..errors import ConfigError
from ..grounding import SUPPORT_OVERLAP
from ..index_store import Index
from ..prepare import prepare
from ..types import Chunk
from . import summaries as S
from .gold import QUESTIONS, SPLITS, display_path, load_gold, relevant_chunks, split_of
from .report import write_outputs
from .scoring import EVAL_MODES, RETRIEVE_K, WHOLE, QuestionResult, Retrieved, judge_hits, score_question


class WholeAnswerBaseline:
    """Dense retrieval without passages: each whole answer is one vector, truncated by the model.

    Shows what the passage design buys: the model reads only an answer's first 256 word pieces.
    The vectors are computed once per (answers, model) in a process.
    """

    _cache: dict[tuple, np.ndarray] = {}

    def __init__(self, index: Index, embedder):
        self.chunks = list(index.chunks)
        key = (tuple((c.id, c.text) for c in self.chunks), type(embedder).__name__,
               getattr(embedder, "model_path", None), getattr(embedder, "weights_sha256", None))
        if key not in self._cache:
            self._cache[key] = embedder.encode_passages([c.text for c in self.chunks])
        self.vecs = self._cache[key]

    def rank(self, query_vec: np.ndarray, k: int) -> list[tuple[Chunk, float]]:
        s = self.vecs @ query_vec
        return [(self.chunks[i], float(s[i])) for i in np.argsort(-s, kind="stable")[:k]]


def run_eval(settings: Settings, qa, questions_path=None, modes=EVAL_MODES, answer_mode: str = "extractive",
             out: Path | None = None, log=None) -> dict:
    """Score the gold set; return the report (plain JSON data) and, with `out`, write its files there.

    `modes` are the retrieval modes compared side by side (the answer-whole baseline is always
    added); answers use `settings.retrieval_mode`. The report's "metrics" is the flat dict that
    eval/thresholds.json is checked against; "questions" holds every question's result.
    """
    t0 = time.perf_counter()
    modes = tuple(dict.fromkeys(modes or EVAL_MODES))
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ConfigError(f"retrieval mode {bad[0]!r} is not one of {', '.join(MODES)}")
    if answer_mode not in ANSWER_MODES:
        raise ConfigError(f"answer mode {answer_mode!r} is not one of {', '.join(ANSWER_MODES)}")
    if answer_mode == "llm" and not (settings.llm_base_url and settings.llm_model):
        # Without an endpoint the service falls back to extractive: the scores would be mislabelled.
        raise ConfigError("answer mode 'llm' needs an endpoint (set BRIEFQA_LLM_BASE_URL and BRIEFQA_LLM_MODEL)")
    questions_path = Path(questions_path or QUESTIONS)
    items = load_gold(questions_path)
    index = qa.index
    queries = [prepare(it.question, it.history, settings).query for it in items]
    qvecs = qa.embedder.encode_queries(queries)
    baseline = WholeAnswerBaseline(index, qa.embedder)
    results = []
    for i, (it, query, qv) in enumerate(zip(items, queries, qvecs), 1):
        rel = relevant_chunks(index, it.gold)
        retrieved = {m: judge_hits(qa.retriever.search(query, k=RETRIEVE_K, mode=m, query_vec=qv), it, rel)
                     for m in modes}
        retrieved[WHOLE] = tuple(Retrieved(r, c.id, c.speaker, round(s, 4), c.id in rel, None, "")
                                 for r, (c, s) in enumerate(baseline.rank(qv, RETRIEVE_K), 1))
        t = time.perf_counter()
        ans = qa.ask(it.question, list(it.history), mode=settings.retrieval_mode, answer_mode=answer_mode)
        latency = (time.perf_counter() - t) * 1000
        alone = qa.ask(it.question, [], mode=settings.retrieval_mode, answer_mode=answer_mode) if it.history else None
        results.append(score_question(it, query, retrieved, ans, latency, index, len(rel), settings.retrieval_mode,
                                      answer_mode, split_of(it, index), alone))
        if log and i % 25 == 0:
            log(f"eval: {i}/{len(items)} questions")
    report = build_report(results, modes, settings, answer_mode, questions_path, index, time.perf_counter() - t0)
    if out is not None:
        write_outputs(report, Path(out))
    return report


def build_report(results: list[QuestionResult], modes: tuple[str, ...], settings: Settings, answer_mode: str,
                 questions_path: Path, index: Index, total_s: float) -> dict:
    """The report as plain JSON data: meta, one section per concern, the worst questions, every result."""
    retrieval, retrieval_by_kind = S.summarize_retrieval(results, modes + (WHOLE,))
    answers, answers_by_kind = S.summarize_answers(results)
    worst = sorted((r for r in results if r.badness > 0), key=lambda r: (-r.badness, r.id))[:10]
    report = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "questions": display_path(questions_path), "questions_sha256": file_sha256(questions_path),
            "n": len(results), "answerable": sum(r.answerable for r in results),
            "unanswerable": sum(not r.answerable for r in results),
            "follow_ups": sum(r.follow_up for r in results),
            "answer_mode": answer_mode,
            "answered_in": dict(collections.Counter(r.answer_mode for r in results)),
            "retrieval_mode": settings.retrieval_mode, "modes": list(modes),
            "baseline": WHOLE, "retrieve_k": RETRIEVE_K,
            "settings": {k: getattr(settings, k) for k in (
                "window_sentences", "window_stride", "embed_with_question", "top_k", "candidate_passages",
                "rrf_k", "abstain_threshold", "max_answer_sentences")},
            "model": index.manifest.get("model", {}).get("name"),
            "index": index.manifest.get("counts", {}),
            "support_rule": (f"verbatim: the claim (whitespace folded) occurs in the cited text; supported: "
                             f"every figure of the claim occurs in it and at least {SUPPORT_OVERLAP:.0%} of its "
                             f"content words do (qa/grounding.py)"),
        },
        "retrieval": retrieval, "retrieval_by_kind": retrieval_by_kind,
        "answers": answers, "answers_by_kind": answers_by_kind,
        "citations": S.summarize_citations(results),
        "abstention": S.summarize_abstention(results),
        "latency": S.summarize_latency(results, total_s),
        "understanding": S.summarize_understanding(results),
        "splits": {sp: S.summarize_split([r for r in results if r.split == sp]) for sp in SPLITS},
        "worst": [{"id": r.id, "kind": r.kind, "question": r.question, "badness": r.badness,
                   "problems": list(r.problems), "answer": r.answer} for r in worst],
        "questions": [dataclasses.asdict(r) for r in results],
    }
    report["metrics"] = S.flat_metrics(report)
    return report
