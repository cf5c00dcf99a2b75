"""The extractive answerer: pick the transcript's own sentences that answer, cite each, or abstain.

Each candidate sentence (from the top retrieved answers) is scored against the query:
  score = W_SEM * cosine(query, sentence) + W_LEX * weighted overlap of query terms (figures and
          names count double) + W_PASSAGE * (sentence lies in a matched passage) - rank penalty.
The best sentence decides: below `abstain_threshold` the briefing is taken not to cover the
question. Otherwise the best sentence's answer contributes the sentences scoring within KEEP of
the best (source order, neighbours merged into one quote), plus the best sentence of a second
answer when it scores almost as well (two officials spoke to it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .bm25 import tokenize
from .constraints import unmatched
from .index_store import Index
from .types import Answer, Chunk, Citation, Hit, RelatedPassage, Sentence

W_SEM, W_LEX, W_PASSAGE, RANK_PENALTY = 0.55, 0.35, 0.10, 0.02
W_NUMBER = 0.08  # a "how many / how much / what share" question prefers sentences that state a figure
HISTORY_WEIGHT = 0.5  # terms that come only from earlier questions count half
QUANTITY_RE = re.compile(r"\bhow (many|much|long|fast|big|large|high|often|accurate)\b|\bwhat (share|percentage|"
                         r"proportion|number|rate|amount|value|figure|year)\b|\bby what\b|\bwhen\b|\bin how many\b", re.I)
NUMBER_RE = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|"
                       r"thousand|million|billion|trillion|half|double|twice)\b", re.I)
KEEP = 0.80  # keep sentences scoring at least this share of the best
SECOND_ANSWER = 0.92  # a second answer is quoted when its best sentence is this close
LIST_RE = re.compile(r"\b(list|which|what are|what were|name|examples?|measures|steps|ways|areas|aspects|"
                     r"priorities|plans?|initiatives|countries|what has .* done|how will|how is|how are)\b", re.I)
ABSTAIN_TEXT = "The briefing does not cover that."


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    chunk: Chunk
    hit_rank: int
    score: float  # ranking score
    sem: float
    lex: float
    relevance: float  # score without the answer-type bonus: what abstention is decided on


def _term_weights(query: str, question: str | None = None) -> dict[str, float]:
    """Query terms weighted: figures 2, other words 1; terms only in the history (query minus question) half."""
    own = set(tokenize(question)) if question else None
    w = {}
    for t in tokenize(query):
        v = 2.0 if t[0].isdigit() else 1.0
        if own is not None and t not in own:
            v *= HISTORY_WEIGHT
        w[t] = max(w.get(t, 0.0), v)
    return w


def _lex_overlap(weights: dict[str, float], sentence: str) -> float:
    if not weights:
        return 0.0
    toks = set(tokenize(sentence))
    return sum(v for t, v in weights.items() if t in toks) / sum(weights.values())


def score_sentences(query_vec: np.ndarray, query: str, hits: list[Hit], index: Index,
                    max_hits: int = 3, question: str | None = None) -> list[Scored]:
    """Every sentence of the top `max_hits` answers, scored against the query, best first.

    `question` is the user's own wording when `query` was condensed with history.
    """
    weights = _term_weights(query, question)
    wants_number = bool(QUANTITY_RE.search(question or query))
    out = []
    for hit in hits[:max_hits]:
        cid = hit.chunk.id
        sents = index.sentences.get(cid, [])
        if not sents:
            continue
        row = index.sentence_row[cid]
        sem = index.sentence_vecs[row:row + len(sents)] @ query_vec
        matched = {i for m in hit.passages for i in m.passage.sentence_ids}
        for i, s in enumerate(sents):
            lex = _lex_overlap(weights, s.text)
            relevance = (W_SEM * float(sem[i]) + W_LEX * lex + W_PASSAGE * (i in matched)
                         - RANK_PENALTY * (hit.rank - 1))
            score = relevance + W_NUMBER * (wants_number and bool(NUMBER_RE.search(s.text)))
            out.append(Scored(s, hit.chunk, hit.rank, score, float(sem[i]), lex, relevance))
    out.sort(key=lambda x: -x.score)
    return out


def attribution(chunk: Chunk) -> str:
    """'Hu Wenhui, deputy commissioner of the CNIPA, answering Xinhua News Agency:'"""
    who = chunk.speaker + (f", {chunk.speaker_title}" if chunk.speaker_title else "")
    if chunk.asked_by:
        return f"{who}, answering {chunk.asked_by}:"
    return f"{who}, in the opening statement:"


def _groups(selected: list[Scored]) -> list[list[Scored]]:
    """Consecutive sentences of one paragraph merge into one quote."""
    groups: list[list[Scored]] = []
    for s in sorted(selected, key=lambda x: x.sentence.start):
        prev = groups[-1][-1] if groups else None
        if (prev and prev.chunk.id == s.chunk.id and prev.sentence.paragraph == s.sentence.paragraph
                and _adjacent(prev.sentence, s.sentence)):
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _adjacent(a: Sentence, b: Sentence) -> bool:
    return 0 <= b.start - a.end <= 2


def select(scored: list[Scored], question: str, max_sentences: int) -> list[Scored]:
    """The sentences that make the answer (see module doc)."""
    if not scored:
        return []
    best = scored[0]
    limit = max_sentences + (2 if LIST_RE.search(question) else 0)
    floor = best.score * KEEP
    same = [s for s in scored if s.chunk.id == best.chunk.id and s.score >= floor][:limit]
    chosen = list(same)
    other = next((s for s in scored if s.chunk.id != best.chunk.id), None)
    if other and other.score >= best.score * SECOND_ANSWER and len(chosen) < limit + 1:
        chosen.append(other)
    return chosen


def related(hits: list[Hit], index: Index, n: int = 3) -> tuple[RelatedPassage, ...]:
    """The retrieved answers as related reading: whole answer text, best first."""
    return tuple(RelatedPassage(h.rank, h.chunk.id, h.chunk.speaker, round(h.score, 4), h.chunk.text)
                 for h in hits[:n])


def compose(question: str, chosen: list[Scored], hits: list[Hit], index: Index,
            prefix: str | None = None) -> tuple[str, tuple[Citation, ...]]:
    """Answer text and citations: per answer an attribution line, then sentences each with [n]."""
    lines: list[str] = [prefix] if prefix else []
    citations: list[Citation] = []
    by_chunk: dict[str, list[list[Scored]]] = {}
    order: list[str] = []
    for g in _groups(chosen):
        cid = g[0].chunk.id
        if cid not in by_chunk:
            by_chunk[cid] = []
            order.append(cid)
        by_chunk[cid].append(g)
    # Answers in the order of their best sentence.
    order.sort(key=lambda cid: -max(s.score for g in by_chunk[cid] for s in g))
    for cid in order:
        chunk = index.chunk_by_id[cid]
        lines.append(attribution(chunk))
        parts = []
        for g in by_chunk[cid]:
            n = len(citations) + 1
            start, end = g[0].sentence.start, g[-1].sentence.end
            para = chunk.paragraphs[g[0].sentence.paragraph]
            quote = para.text[start - para.start:end - para.start]
            citations.append(Citation(n, cid, chunk.doc_title, chunk.doc_date, chunk.speaker, chunk.speaker_title,
                                      chunk.asked_by, chunk.question, quote, start, end,
                                      round(max(s.score for s in g), 4), chunk.doc_path))
            parts.extend(f"{s.sentence.text} [{n}]" for s in g)
        lines.append(" ".join(parts))
    return "\n".join(lines), tuple(citations)


def extractive_answer(question: str, query: str, query_vec: np.ndarray, hits: list[Hit], index: Index,
                      threshold: float, max_sentences: int = 3) -> Answer:
    """Answer `question` (retrieved with `query`) from `hits`, or abstain. Timings are filled by the caller."""
    scored = score_sentences(query_vec, query, hits, index, question=question)
    if not scored or max(s.relevance for s in scored) < threshold:
        return Answer(question, ABSTAIN_TEXT, True, (), related(hits, index), {}, query,
                      reason="weak-evidence")
    chosen = select(scored, question, max_sentences)
    best_chunk = chosen[0].chunk
    doc_year = int(best_chunk.doc_date[:4]) if best_chunk.doc_date else None
    evidence = "\n".join([best_chunk.text, best_chunk.question or "", best_chunk.speaker, best_chunk.asked_by or ""])
    missing = unmatched(question, evidence, doc_year)
    if missing:
        # Near-miss: the question names something the evidence lacks. Say what the briefing gives.
        top = [s for s in chosen if s.chunk.id == best_chunk.id][:2]
        prefix = (f"The briefing does not give this for {', '.join(missing)}. "
                  f"The briefing gives the following, which does not answer the question as asked:")
        text, cites = compose(question, top, hits, index, prefix=prefix)
        return Answer(question, text, True, cites, related(hits, index), {}, query,
                      reason="unmatched-constraint: " + ", ".join(missing))
    text, cites = compose(question, chosen, hits, index)
    return Answer(question, text, False, cites, related(hits, index), {}, query)
