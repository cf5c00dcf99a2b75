"""Scoring one gold question: its retrieved answers judged by text, its answer's facts, citations and claims.

Whether a claim is supported by its citation is decided by qa/grounding.py, never here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..grounding import Claim, Verdict, answer_claims, check_claims, judge
from ..types import Answer, Hit
from .gold import GoldItem, gold_spans_in
from .metrics import contains_gold, facts_present, first_relevant, overlaps

if TYPE_CHECKING:
    from ..index_store import Index

EVAL_MODES = ("bm25", "dense", "hybrid")
WHOLE = "whole-dense"  # baseline: one vector per whole answer (the model reads its first 256 word pieces)
RETRIEVE_K = 10  # answers ranked per query: MRR is cut here, Recall and nDCG at 5 and below
PASSAGE_TEXT_RANKS = 5  # results.jsonl keeps matched-passage text for this many answers per mode
MARK_RE = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class Retrieved:
    """One ranked answer for a question, judged by text."""

    rank: int
    chunk_id: str
    speaker: str
    score: float
    relevant: bool  # the answer's text contains a gold substring
    evidence: bool | None  # its best matched passage overlaps a gold occurrence (None: baseline)
    passage: str  # its best matched passage ("" for the baseline)


@dataclass(frozen=True)
class QuestionResult:
    """Everything measured for one question, for results.jsonl and the summaries."""

    id: str
    question: str
    kind: str
    answerable: bool
    follow_up: bool
    query: str  # the condensed retrieval query
    n_relevant: int  # answers in the index whose text holds a gold substring
    retrieved: dict  # mode -> tuple[Retrieved, ...]
    answer: str
    abstained: bool
    reason: str | None
    answer_mode: str  # the mode that produced the answer ("extractive" when the LLM fell back)
    flagged: tuple[str, ...]  # LLM sentences dropped by the grounding check
    citations: tuple
    claims: tuple  # per claim: text, cited, recall verdict (whole answers), grounded verdict (quotes)
    citation_checks: tuple  # per (claim, citation): supports alone?, contains gold?, ok
    facts: dict  # fact -> present in the answer text
    speaker_cited: bool | None  # the gold speaker is among the cited speakers
    cites_gold: bool | None  # a citation's span overlaps a gold occurrence
    words: int  # answer length without citation markers
    latency_ms: float
    problems: tuple[str, ...]
    badness: float
    split: str = "dev"
    intent_expected: str | None = None
    intent: str | None = None
    absent_named: bool | None = None  # kind absent: the answer names the term the briefing never mentions
    fact_recall_alone: float | None = None  # follow-ups: fact recall when asked without history


def judge_hits(hits: list[Hit], item: GoldItem, relevant: set[str]) -> tuple[Retrieved, ...]:
    """The ranked `hits` for `item`, each judged relevant (by answer text) and as evidence (by passage span)."""
    out = []
    for h in hits:
        best = h.passages[0].passage if h.passages else None
        ev = None if best is None else overlaps((best.start, best.end), gold_spans_in(h.chunk, item.gold))
        out.append(Retrieved(h.rank, h.chunk.id, h.chunk.speaker, round(h.score, 4), h.chunk.id in relevant,
                             ev, best.text if best and h.rank <= PASSAGE_TEXT_RANKS else ""))
    return tuple(out)


def score_citations(answer: Answer, index: Index, item: GoldItem) -> tuple[tuple, tuple]:
    """(claims, citation checks) of one answer, every support decision made by qa.grounding.

    Citation recall reads the cited answers whole (ALCE: the cited documents together support the
    claim); groundedness reads only the quoted passage the reader sees; a citation is precise when
    its quote alone supports its claim or contains a gold substring.
    """
    quotes = {c.n: c.quote for c in answer.citations}
    whole = {c.n: index.chunk_by_id[c.chunk_id].text if c.kind == "answer" and c.chunk_id in index.chunk_by_id
             else c.quote for c in answer.citations}
    cs = answer_claims(answer)
    rec, grd = check_claims(cs, whole), check_claims(cs, quotes)
    cl = tuple({"text": r.claim.text, "cited": list(r.claim.cited), "recall": _v(r), "grounded": _v(g)}
               for r, g in zip(rec, grd))
    checks = []
    for c in cs:
        for n in c.cited:
            alone = judge(Claim(c.text, (n,)), quotes)
            has_gold = n in quotes and contains_gold(quotes[n], item.gold)
            checks.append({"claim": c.text, "n": n, "supports": alone.status, "contains_gold": has_gold,
                           "ok": alone.ok or has_gold})
    return cl, tuple(checks)


def _v(v: Verdict) -> dict:
    return {"status": v.status, "reason": v.reason, "ok": v.ok}


def score_question(item: GoldItem, query: str, retrieved: dict, answer: Answer, latency_ms: float, index: Index,
                   n_relevant: int, default_mode: str, answer_mode: str = "extractive", split: str = "dev",
                   alone: Answer | None = None) -> QuestionResult:
    """One question's result: its facts, citations and claims scored, and what went wrong, in words."""
    cl, checks = score_citations(answer, index, item)
    facts = dict(zip(item.facts, facts_present(answer.answer, item.facts)))
    cited_speakers = {c.speaker for c in answer.citations}
    speaker_ok = (item.speaker in cited_speakers) if item.answerable and cited_speakers and item.speaker else None
    cites_gold = None
    if item.answerable and answer.citations:
        cites_gold = any(overlaps((c.start, c.end), gold_spans_in(index.chunk_by_id[c.chunk_id], item.gold))
                         for c in answer.citations if c.chunk_id in index.chunk_by_id)
    probs, bad = [], 0.0
    if answer.mode != answer_mode:
        probs.append(f"answered in {answer.mode} mode, not {answer_mode}: {answer.notice or 'fallback'}")
        bad += 0.5
    if item.answerable:
        rank = first_relevant([r.relevant for r in retrieved.get(default_mode, ())])
        if default_mode in retrieved and rank is None and n_relevant:
            probs.append(f"no retrieved answer holds the gold text ({default_mode}, top {RETRIEVE_K})")
            bad += 1.0
        elif rank and rank > 1:
            probs.append(f"gold answer ranked {rank} ({default_mode})")
            bad += 0.25 if rank <= 3 else 0.5
        if answer.abstained:
            probs.append(f"abstained ({answer.reason}) on an answerable question")
            bad += 1.0
        else:
            missing = [f for f, ok in facts.items() if not ok]
            if missing:
                probs.append("missing facts: " + ", ".join(missing))
                bad += len(missing) / len(facts)
            if speaker_ok is False:
                probs.append(f"cites {', '.join(sorted(cited_speakers))}; the gold answer is {item.speaker}'s")
                bad += 0.25
    elif not answer.abstained:
        probs.append(f"answered a question the briefing does not cover ({item.kind})")
        bad += 1.5
    absent_named = None
    if item.absent:
        term = re.sub(r"^(the|a|an)\s+", "", item.absent.strip(), flags=re.I).lower()
        absent_named = term in answer.answer.lower() and "never mentions" in answer.answer
        if answer.abstained and not absent_named:
            probs.append(f"abstained without naming '{item.absent}', which the briefing never mentions")
            bad += 0.25
    if item.intent and answer.intent != item.intent:
        probs.append(f"intent {answer.intent}, expected {item.intent}")
        bad += 0.25
    alone_recall = None
    if alone is not None and item.answerable and item.facts:
        alone_recall = 0.0 if alone.abstained else sum(facts_present(alone.answer, item.facts)) / len(item.facts)
        with_recall = 0.0 if answer.abstained else sum(facts.values()) / len(facts)
        if with_recall < alone_recall:
            probs.append(f"worse with history (fact recall {with_recall:.2f}) than alone ({alone_recall:.2f})")
            bad += 0.5
    unsupported = [c for c in cl if not c["recall"]["ok"]]
    for c in unsupported[:2]:
        probs.append(f"unsupported claim {c['text'][:70]!r}: {c['recall']['reason']}")
    bad += 0.5 * len(unsupported) / max(1, len(cl))
    return QuestionResult(
        item.id, item.question, item.kind, item.answerable, bool(item.history), query, n_relevant, retrieved,
        answer.answer, answer.abstained, answer.reason, answer.mode, answer.flagged, answer.citations, cl, checks,
        facts, speaker_ok, cites_gold, len(MARK_RE.sub("", answer.answer).split()), round(latency_ms, 2),
        tuple(probs), round(bad, 3), split, item.intent, answer.intent, absent_named, alone_recall)
