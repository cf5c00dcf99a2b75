"""The extractive answerer: pick the transcript's own sentences that answer, cite each, or abstain.

Each candidate sentence (from the top retrieved answers) is scored against the query:
  score = sem * cosine(query, sentence) + lex * weighted overlap of query terms (figures and
          names count double) + passage * (sentence lies in a matched passage) - rank penalty.
The best sentence decides: below `abstain_threshold` the briefing is taken not to cover the
question. Otherwise the best sentence's answer contributes the sentences scoring within `keep` of
the best (source order, neighbours merged into one quote), plus the best sentence of a second
answer when it scores almost as well (two officials spoke to it). Every weight and share is a
Settings field (`answer_*`), passed in as Settings.answer_weights().
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .bm25 import tokenize
from .config import Settings
from .constraints import missing_kind, unmatched
from .index_store import Index
from .present import blocks_text
from .scope import folded, named_terms, quoted_phrases
from .types import Answer, Block, Chunk, Citation, Hit, RelatedPassage, Sentence

# The answerer's weights when a caller passes none: the defaults in Settings.
DEFAULT_WEIGHTS = Settings().answer_weights()
QUANTITY_RE = re.compile(r"\bhow (many|much|long|fast|big|large|high|often|accurate)\b|\bwhat (share|percentage|"
                         r"proportion|number|rate|amount|value|figure|year)\b|\bby what\b|\bwhen\b|\bin how many\b|"
                         r"\b(what|which|any) (numbers|figures|statistics|stats|data)\b", re.I)
NUMBER_RE = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|"
                       r"thousand|million|billion|trillion|half|double|twice)\b", re.I)
LIST_RE = re.compile(r"\b(list|which|what are|what were|name|examples?|measures|steps|ways|areas|aspects|"
                     r"priorities|plans?|initiatives|countries|what has .* done|how will|how is|how are)\b", re.I)
NOT_FOUND = "I could not find a passage that answers this."
EXPLAIN_RE = re.compile(r"\W*(and |so )?how\b(?! (many|much|long|fast|big|large|high|often|soon|far)\b)", re.I)


def never_mentions(terms) -> str:
    """'The briefing never mentions Huawei.' / '… Huawei or Apple.'"""
    terms = list(dict.fromkeys(terms))
    said = terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " or " + terms[-1]
    return f"The briefing never mentions {said}."


class Composer:
    """Collects an answer's blocks and numbered citations (one number per distinct quoted span)."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.citations: list[Citation] = []
        self._n: dict[tuple, int] = {}

    def _add(self, key: tuple, make) -> int:
        if key not in self._n:
            self._n[key] = len(self.citations) + 1
            self.citations.append(make(self._n[key]))
        return self._n[key]

    def cite_chunk(self, chunk: Chunk, start: int, end: int, score: float = 1.0) -> int:
        """Cite [start, end) inside one paragraph of an answer chunk."""
        para = next(p for p in chunk.paragraphs if p.start <= start and end <= p.end)
        quote = para.text[start - para.start:end - para.start]
        return self._add((chunk.doc_id, start, end), lambda n: Citation(
            n=n, chunk_id=chunk.id, doc_title=chunk.doc_title, date=chunk.doc_date, speaker=chunk.speaker,
            speaker_title=chunk.speaker_title, asked_by=chunk.asked_by, question=chunk.question, quote=quote,
            start=start, end=end, score=round(score, 4), doc_path=chunk.doc_path, kind="answer",
            doc_id=chunk.doc_id))

    def cite_source(self, briefing, quoted, kind: str, speaker: str = "", chunk: Chunk | None = None) -> int:
        """Cite a header line, speaker label or question (a `qa.briefing.Quoted`) of `briefing`."""
        return self._add((briefing.doc_id, quoted.start, quoted.end), lambda n: Citation(
            n=n, chunk_id=chunk.id if chunk else f"{briefing.doc_id}#header", doc_title=briefing.title,
            date=briefing.date, speaker=speaker, speaker_title="", asked_by=None, question=None, quote=quoted.text,
            start=quoted.start, end=quoted.end, score=1.0, doc_path=briefing.path, kind=kind,
            doc_id=briefing.doc_id))

    def add(self, kind: str, text: str = "", cites=(), **kw) -> None:
        self.blocks.append(Block(kind, text, tuple(cites), **kw))

    def quote_sentences(self, chunk: Chunk, sentences: list[Sentence], score: float = 1.0, group=None) -> None:
        """Consecutive sentences of one paragraph as one citation, a quote block per sentence."""
        for g in _runs(sentences):
            n = self.cite_chunk(chunk, g[0].start, g[-1].end, score)
            for s in g:
                self.add("quote", s.text, (n,), group=group)

    def answer(self, question: str, intent: str, abstained: bool = False, reason: str | None = None,
               passages=(), query: str = "") -> Answer:
        return Answer(question, blocks_text(self.blocks), abstained, tuple(self.citations), tuple(passages), {},
                      query, reason=reason, intent=intent, blocks=tuple(self.blocks))


def _runs(items: list, sentence=lambda x: x) -> list[list]:
    """Consecutive sentences of one paragraph of one answer, grouped (one quote, one citation each).

    `sentence` reads the Sentence of an item (items may be Sentences or Scored sentences).
    """
    runs: list[list] = []
    for it in sorted(items, key=lambda x: sentence(x).start):
        s = sentence(it)
        prev = sentence(runs[-1][-1]) if runs else None
        if prev and prev.paragraph == s.paragraph and prev.chunk_id == s.chunk_id and _adjacent(prev, s):
            runs[-1].append(it)
        else:
            runs.append([it])
    return runs


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    chunk: Chunk
    hit_rank: int
    score: float  # ranking score
    relevance: float  # score without the answer-type bonus: what abstention is decided on


def _term_weights(query: str, question: str | None = None,
                  history: float = DEFAULT_WEIGHTS["history"]) -> dict[str, float]:
    """Query terms weighted: figures 2, other words 1; terms only in the history (query minus question) `history`."""
    own = set(tokenize(question)) if question else None
    w = {}
    for t in tokenize(query):
        v = 2.0 if t[0].isdigit() else 1.0
        if own is not None and t not in own:
            v *= history
        w[t] = max(w.get(t, 0.0), v)
    return w


def _lex_overlap(weights: dict[str, float], sentence: str) -> float:
    if not weights:
        return 0.0
    toks = set(tokenize(sentence))
    return sum(v for t, v in weights.items() if t in toks) / sum(weights.values())


def score_sentences(query_vec: np.ndarray, query: str, hits: list[Hit], index: Index,
                    max_hits: int = 3, question: str | None = None, weights_: dict | None = None,
                    names: bool = False, figures: bool = False) -> list[Scored]:
    """Every sentence of the top `max_hits` answers, scored against the query, best first.

    `question` is the user's own wording when `query` was condensed with history; `weights_` the
    scoring weights (Settings.answer_weights(); Settings' defaults when None). With `names`, a sentence naming
    a rare name of the question counts like one holding a quoted phrase (what everyone said about "Thailand").
    """
    w = {**DEFAULT_WEIGHTS, **(weights_ or {})}
    weights = _term_weights(query, question, w["history"])
    wants_number = figures or bool(QUANTITY_RE.search(question or query))
    quoted = quoted_phrases(question or query) + (named_terms(question or query, index) if names else [])
    out = []
    for hit in hits[:max_hits]:
        cid = hit.chunk.id
        sents = index.sentences.get(cid, [])
        if not sents:
            continue
        row = index.sentence_row[cid]
        sem = index.sentence_vecs[row:row + len(sents)] @ query_vec
        matched = {i for m in hit.passages for i in m.passage.sentence_ids}
        # Small-to-big: a passage is embedded with the question it answers, so its dense score says how
        # well the answer's question matches ("Why was X moved down?" -> "In short, the government …").
        context: dict[int, float] = {}
        for m in hit.passages:
            for i in m.passage.sentence_ids:
                context[i] = max(context.get(i, 0.0), m.dense_score or 0.0)
        for i, s in enumerate(sents):
            lex = _lex_overlap(weights, s.text)
            relevance = (w["sem"] * float(sem[i]) + w["lex"] * lex + w["passage"] * (i in matched)
                         + w["context"] * context.get(i, 0.0) - w["rank_penalty"] * (hit.rank - 1)
                         + w.get("quoted", 0.0) * any(q in folded(s.text) for q in quoted))
            score = relevance + w["number"] * (wants_number and bool(NUMBER_RE.search(s.text)))
            out.append(Scored(s, hit.chunk, hit.rank, score, relevance))
    out.sort(key=lambda x: -x.score)
    return out


def attribution(chunk: Chunk) -> str:
    """'Hu Wenhui, deputy commissioner of the CNIPA, answering Xinhua News Agency:'"""
    who = chunk.speaker + (f", {chunk.speaker_title}" if chunk.speaker_title else "")
    if chunk.asked_by:
        return f"{who}, answering {chunk.asked_by}:"
    return f"{who}, in the opening statement:"


def _adjacent(a: Sentence, b: Sentence) -> bool:
    return 0 <= b.start - a.end <= 2


def select(scored: list[Scored], question: str, max_sentences: int, weights: dict | None = None) -> list[Scored]:
    """The sentences that make the answer (see module doc)."""
    if not scored:
        return []
    best = scored[0]
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    # "Why …?", "How does …?": a reason or a way is seldom one sentence; the answer may run a little longer.
    explain = bool(WHY_RE.search(question) or EXPLAIN_RE.match(question))
    limit = max_sentences + (2 if LIST_RE.search(question) else int(w["explain_extra"]) if explain else 0)
    floor = best.score * (w["explain_keep"] if explain else w["keep"])
    same = [s for s in scored if s.chunk.id == best.chunk.id and s.score >= floor][:limit]
    chosen = list(same)
    other = next((s for s in scored if s.chunk.id != best.chunk.id), None)
    if other and other.score >= best.score * w["second_answer"]:
        chosen.append(other)
    return chosen


WHY_RE = re.compile(r"^\W*why\b|\bwhy (is|was|are|were|do|does|did|has|have|should|would)\b|\bwhat (is|was|are|were) "
                    r"the (reasons?|causes?|significance|impact|effect)\b|\bhow come\b|\bwhat explains\b|"
                    r"\b(matter|matters|significant|important)\b\W*$", re.I)
# A sentence that gives the reason for, or the meaning of, the one before it.
REASON_RE = re.compile(r"^(?:(?:This|That|These|It|Such)\s+(?:\w+\s+)?(?:demonstrates?|shows?|indicates?|reflects?|means?|"
                       r"suggests?|proves?|highlights?|underscores?)|As a result|Therefore|Thus|Hence|Consequently|"
                       r"This is because|That is because|Because|The reason)\b")


def _reason_after(s: Scored, index: Index) -> list[Sentence]:
    """The sentence at most two on from `s`, in its paragraph, that explains it ("This demonstrates that …")."""
    sents = index.sentences.get(s.chunk.id, [])
    at = next((i for i, x in enumerate(sents) if x.start == s.sentence.start), None)
    after = [x for x in sents[at + 1:at + 3] if x.paragraph == s.sentence.paragraph] if at is not None else []
    return [x for x in after if REASON_RE.match(x.text)][:1]


def _called_for(chosen: list[Scored], index: Index, question: str) -> list[Scored]:
    """Sentences the chosen ones call for, so an answer does not stop short: the "First, …" points a sentence
    announces ("… focuses on three aspects."), and for a "why" question the sentence that gives the reason."""
    from .enumerations import announced_points

    why = bool(WHY_RE.search(question))
    have = {(s.chunk.id, s.sentence.start) for s in chosen}
    out: list[Scored] = []
    for s in chosen:
        for p in announced_points(s.chunk, s.sentence, index) + (_reason_after(s, index) if why else []):
            if (s.chunk.id, p.start) not in have:
                have.add((s.chunk.id, p.start))
                out.append(Scored(p, s.chunk, s.hit_rank, s.score, s.relevance))
    return out


def related(hits: list[Hit], index: Index, n: int = 3) -> tuple[RelatedPassage, ...]:
    """The retrieved answers as related reading: whole answer text, best first."""
    return tuple(RelatedPassage(h.rank, h.chunk.id, h.chunk.speaker, round(h.score, 4), h.chunk.text)
                 for h in hits[:n])


def compose(chosen: list[Scored], out: Composer) -> None:
    """Add to `out`, per answer, an attribution block, then its sentences as quotes, answers in the order
    of their best sentence."""
    by_chunk: dict[str, list[Scored]] = {}
    for s in chosen:
        by_chunk.setdefault(s.chunk.id, []).append(s)
    for cid in sorted(by_chunk, key=lambda c: -max(s.score for s in by_chunk[c])):
        chunk = by_chunk[cid][0].chunk  # the index's own chunk: a Hit carries index.chunk_by_id[cid]
        out.add("attribution", attribution(chunk), group=chunk.speaker)
        for g in _runs(by_chunk[cid], lambda x: x.sentence):
            n = out.cite_chunk(chunk, g[0].sentence.start, g[-1].sentence.end, max(s.score for s in g))
            for s in g:
                out.add("quote", s.sentence.text, (n,), group=chunk.speaker)


def extractive_answer(question: str, query: str, query_vec: np.ndarray, hits: list[Hit], index: Index,
                      threshold: float, max_sentences: int = 3, weights: dict | None = None,
                      prefix: list[Block] | None = None, parts: tuple = (), names: bool = False) -> Answer:
    """Answer `question` (retrieved with `query`) from `hits`, or abstain. Timings are filled by the caller.

    `prefix` blocks (e.g. "Searched for: …") open the answer. `parts` are the further questions of a
    question that asks two things ("…, and how many experts were sent?"), each (text, vector, hits): the
    best sentence for each is quoted too when it clears the bar.
    """
    scored = score_sentences(query_vec, query, hits, index, question=question, weights_=weights, names=names)
    out = Composer()
    out.blocks.extend(prefix or [])
    if not scored or max(s.relevance for s in scored) < threshold:
        out.add("notice", NOT_FOUND)
        return out.answer(question, "fact", True, "weak-evidence", related(hits, index), query)
    chosen = select(scored, question, max_sentences, weights)
    chosen += _called_for(chosen, index, question)
    for text, vec, part_hits in parts:
        have = {(s.chunk.id, s.sentence.start) for s in chosen}
        best = next(iter(score_sentences(vec, text, part_hits, index, question=text, weights_=weights)), None)
        if best is not None and best.relevance >= threshold and (best.chunk.id, best.sentence.start) not in have:
            chosen.append(best)
    best_chunk = chosen[0].chunk
    doc_year = int(best_chunk.doc_date[:4]) if best_chunk.doc_date and best_chunk.doc_date[:4].isdigit() else None
    evidence = "\n".join([best_chunk.text, best_chunk.question or "", best_chunk.speaker, best_chunk.asked_by or ""])
    near = "\n".join([" ".join(s.sentence.text for s in chosen), best_chunk.question or "", best_chunk.asked_by or ""])
    missing = unmatched(question, evidence, doc_year, near)
    kinds = missing_kind(question, " ".join(s.sentence.text for s in chosen))
    if missing or kinds:
        # Near-miss: the question names something the evidence lacks. Say what the briefing gives.
        top = [s for s in chosen if s.chunk.id == best_chunk.id][:2]
        lacks = [f"this for {', '.join(missing)}"] if missing else []
        lacks += [f"{' or '.join(kinds)} for this"] if kinds else []
        out.add("notice", f"The briefing does not give {' or '.join(lacks)}. "
                          f"The briefing gives the following, which does not answer the question as asked:")
        missing = missing + kinds
        compose(top, out)
        return out.answer(question, "fact", True, "unmatched-constraint: " + ", ".join(missing),
                          related(hits, index), query)
    compose(chosen, out)
    return out.answer(question, "fact", False, None, related(hits, index), query)


def best_relevance(answer: Answer) -> float:
    """The highest citation score of an answer (0 when it cites nothing): how well supported it is."""
    return max((c.score for c in answer.citations), default=0.0)
