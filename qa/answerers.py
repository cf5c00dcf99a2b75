"""One answerer per intent, behind one signature: `(plan, lookup, settings) -> Answer`.

`ANSWERERS[intent]` picks the function (qa/route.py routes a plan to it); adding a kind of answer is
adding a function here (or in qa/structure.py for answers about the briefing's structure). Every
answerer quotes the transcript: each block is verbatim text with an exact span, or a row built from
header lines and labels.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Callable


from .answer import NOT_FOUND, Composer, Scored, attribution, extractive_answer, related
from .lookup import Lookup, threshold
from .salience import ORDINAL_RE, lead_sentences, sentences_of, summary_sentences
from .retrieve import Filters
from .scope import briefings, topic_words
from .structure import exchange_row
from .types import Answer, Block, Chunk, Hit, QueryPlan, Sentence

Answerer = Callable[[QueryPlan, Lookup, object], Answer]
ANSWERERS: dict[str, Answerer] = {}


def answerer(intent: str):
    """Register the decorated function as the answerer for `intent`."""
    def reg(fn: Answerer) -> Answerer:
        ANSWERERS[intent] = fn
        return fn
    return reg


def searched_prefix(plan: QueryPlan) -> list[Block]:
    """The blocks that open every answer to `plan`: "Searched for: …" when its spelling was corrected."""
    out = []
    if plan.searched:
        out.append(Block("notice", f"Searched for: {plan.searched}"))
    return out


def _empty_scope(plan: QueryPlan, intent: str) -> Answer:
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    out.add("notice", "No answer in the briefings matches the filters and the question's scope, "
                      "so there was nothing to search.")
    return out.answer(plan.question, intent, True, "empty-scope", (), plan.query)


def _scope(plan: QueryPlan, lookup: Lookup, intent: str) -> tuple[Filters, Answer | None]:
    """The filters for `plan`, and the answer to give at once when they leave nothing to search."""
    f = lookup.plan_filters(plan)
    return f, (_empty_scope(plan, intent) if f and not lookup.chunks(f) else None)


@answerer("fact")
def answer_fact(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """The best sentences of the best answer (qa/answer.py), inside the question's scope."""
    f, empty = _scope(plan, lookup, "fact")
    if empty:
        return empty
    hits = lookup.search(plan.query, f)
    if not hits:
        out = Composer()
        out.blocks.extend(searched_prefix(plan))
        return _abstain(plan, lookup, out, hits, "fact", "no-evidence")
    return extractive_answer(plan.standalone, plan.query, lookup.vec(plan.query), hits, lookup.index,
                             threshold(plan, settings), settings.max_answer_sentences, settings.answer_weights(),
                             searched_prefix(plan))


@answerer("summary")
def answer_summary(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """An extractive summary of a unit: the opening statement, one answer, one official's answers, or all."""
    f = lookup.plan_filters(plan)
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    whole = re.search(r"\b(briefing|press conference|conference|everything|whole|entire|all)\b", plan.question, re.I)
    if plan.scope.opening or ((plan.scope.officials or plan.scope.outlets) and not plan.topic):
        units = lookup.chunks(f)
    elif plan.topic and not (whole and not (plan.scope.officials or plan.scope.outlets)):
        hits = lookup.search(plan.query, f, k=3)
        scored = lookup.score(plan.query, hits, plan.standalone, max_hits=1)
        # "Summarize it." after a question: the unit is what that question finds, however the words score.
        points_back = plan.follow_up and not topic_words(plan.standalone)
        if not scored or (scored[0].relevance < threshold(plan, settings) and not points_back):
            out.add("notice", NOT_FOUND)
            return out.answer(plan.question, "summary", True, "weak-evidence", related(hits, lookup.index),
                              plan.query)
        units = [scored[0].chunk]
    else:
        # The whole briefing: the opening statement's lead, then one row per exchange.
        for b in briefings(lookup.index):
            if f.doc_ids and b.doc_id not in f.doc_ids or (f.doc_id and b.doc_id != f.doc_id):
                continue
            if len(briefings(lookup.index)) > 1:
                out.add("attribution", f"{b.title} ({b.date or 'undated'}):", group=b.doc_id)
            for c in b.opening:
                out.add("attribution", attribution(c), group=c.speaker)
                out.quote_sentences(c, summary_sentences(c, lookup.index, settings.summary_words // 2),
                                    group=c.speaker)
            if b.exchanges:
                out.add("notice", f"Then {len(b.exchanges)} questions, each with the answer's lead point:")
            for e in b.exchanges:
                exchange_row(out, b, e)
                for c in e.answers:
                    out.quote_sentences(c, lead_sentences(c, lookup.index, 1), group=c.speaker)
        return out.answer(plan.question, "summary", False, None, (), plan.query)
    if not units:
        return _empty_scope(plan, "summary")
    budget = max(60, settings.summary_words // max(1, min(len(units), 3)))
    for c in units:
        out.add("attribution", attribution(c), group=c.speaker)
        out.quote_sentences(c, summary_sentences(c, lookup.index, budget), group=c.speaker)
    return out.answer(plan.question, "summary", False, None, (), plan.query)


@dataclasses.dataclass(frozen=True)
class Enumeration:
    """A complete enumeration found in one answer: items as (start, end) spans, and how relevant it is."""

    chunk: Chunk
    items: tuple[tuple[int, int], ...]
    score: float


def _ordinal_items(chunk: Chunk, index, item_words: int) -> list[tuple[int, int, list[int]]]:
    """Each 'First, …'/'Second, …' sentence with the sentences after it in its paragraph, within `item_words`."""
    sents = sentences_of(chunk, index)
    starts = [i for i, s in enumerate(sents) if ORDINAL_RE.match(s.text)]
    if len(starts) < 2:
        return []
    items = []
    for k, i in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(sents)
        j, words = i, len(sents[i].text.split())
        while j + 1 < stop and sents[j + 1].paragraph == sents[i].paragraph \
                and words + len(sents[j + 1].text.split()) <= item_words:
            j += 1
            words += len(sents[j].text.split())
        items.append((sents[i].start, sents[j].end, list(range(i, j + 1))))
    return items


LIST_CUE_RE = re.compile(r"(?::|\b(?:including|such as|namely|like|among them|among|covering|with|between))\s+", re.I)
# Where an inline list ends: a clause ("… and C to promote …"), not a name's own preposition ("the Guidelines on
# Strengthening the Protection of …", whose next word is capitalised).
LIST_END_RE = re.compile(r"\s+(?:to|in order to|so as to|for|which|that|who|through|by|in|on|at)\s(?![A-Z])|[;:(]|"
                         r"[.?!]\s*$")


_NAME = r"(?:the )?[A-Z][\w'-]*(?: (?:of |for |on |and )?[A-Z][\w'-]*)*"
NAMED_PAIR_RE = re.compile(rf"\b({_NAME}) and ({_NAME})")


def inline_items(sentence: Sentence, count: int | None = None) -> list[tuple[int, int]]:
    """'… three systems: PCT, Hague and Madrid.' -> the spans of 'PCT', 'Hague', 'Madrid'.

    Items are the comma-separated parts after a cue (':', 'including', 'such as', 'with', …), the
    last one after 'and'/'or'; names that contain 'and' stay whole unless they are the last part.
    'and other departments' is not an item. At least three items, or exactly `count`; for a count of
    two, two names joined by "and" anywhere in the sentence.
    """
    text = sentence.text
    for cue in LIST_CUE_RE.finditer(text):
        start = cue.end()
        rest = text[start:]
        if rest.count("; ") >= 2:
            # "among A, B and C; D; E and F." — semicolons separate items that hold commas themselves.
            body = rest.rstrip(" .")
            pieces = body.split("; ")
        else:
            # The last item follows the Oxford ", and"/", or" when there is one, else the first "and"/"or".
            oxford = min((i for i in (rest.find(", and "), rest.find(", or ")) if i >= 0), default=-1)
            first_and = oxford if oxford >= 0 else min((i for i in (rest.find(" and "), rest.find(" or "))
                                                        if i >= 0), default=-1)
            if first_and < 0:
                continue
            end_m = LIST_END_RE.search(rest, first_and + 5)
            body = rest[:end_m.start() if end_m else len(rest)].rstrip(" .,")
            if 0 <= oxford < len(body):
                head, tail = body[:oxford], re.sub(r"^,\s+(?:and|or)\s+", "", body[oxford:])
            else:
                joiner = " and " if body.rfind(" and ") >= body.rfind(" or ") else " or "
                head, _, tail = body.rpartition(joiner)
            pieces = re.split(r",\s+", head) + [tail]  # "10,000" is a figure, not two items
        parts, pos = [], 0
        for piece in pieces:
            p = re.sub(r"^(?:and|or)\s+", "", piece.strip()).rstrip(",;")
            if not p:
                continue
            i = body.find(p, pos)
            pos = i + len(p)
            if re.match(r"(other|etc|and so on)\b", p, re.I):
                continue
            parts.append((sentence.start + start + i, sentence.start + start + i + len(p), p))
        # Items are short noun phrases: no clause ("to promote …"), no leading preposition or verb form.
        ok = len(parts) >= 3 or (count is not None and len(parts) == count >= 2)
        if ok and all(len(p.split()) <= 12 and ":" not in p and not re.search(r"\b(to|will|have|has|were|was|is|are)\b", p)
                      and not re.match(r"(with|by|for|in|on|at|from|as|including|such as|namely|like|among)\b", p)
                      for _, _, p in parts):
            return [(a, b) for a, b, _ in parts]
    if count == 2:
        # "Which two laws …": two names joined by "and" need no cue ("amendments to the Trademark Law and the Patent Law").
        for m in NAMED_PAIR_RE.finditer(text):
            if m.start() > 0:
                return [(sentence.start + m.start(1), sentence.start + m.end(1)),
                        (sentence.start + m.start(2), sentence.start + m.end(2))]
    return []


@answerer("list")
def answer_list(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """The complete enumeration from the answer that holds it, every item cited, with its count."""
    f, empty = _scope(plan, lookup, "list")
    if empty:
        return empty
    hits = lookup.search(plan.query, f)
    scored = lookup.score(plan.query, hits, plan.standalone)
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    if not scored or scored[0].relevance < threshold(plan, settings):
        return _abstain(plan, lookup, out, hits, "list")
    rel = {(s.chunk.id, s.sentence.start): s.relevance for s in scored}
    chunk_best = {}
    for x in scored:
        chunk_best.setdefault(x.chunk.id, x.relevance)
    best = scored[0].relevance
    cands: list[Enumeration] = []
    for hit in hits[:5 if plan.count else 3]:
        c = hit.chunk
        sents = sentences_of(c, lookup.index)
        items = _ordinal_items(c, lookup.index, settings.list_item_words)
        if items:
            # How well the whole list speaks to the question: its answer's best sentence and its items' mean.
            per_item = [max(rel.get((c.id, sents[i].start), 0.0) for i in ids) for _, _, ids in items]
            score = 0.5 * chunk_best.get(c.id, 0.0) + 0.5 * max(per_item)
            cands.append(Enumeration(c, tuple((a, b) for a, b, _ in items), score))
        for s in sents:
            parts = inline_items(s, plan.count)
            # An inline list answers when its sentence is among the most relevant ones.
            if parts and rel.get((c.id, s.start), 0.0) >= 0.75 * best:
                score = 0.5 * chunk_best.get(c.id, 0.0) + 0.5 * rel.get((c.id, s.start), 0.0)
                # "Which bodies/countries …" ask for names: a list of named things beats a list of phrases.
                named = all(re.search(r"\b[A-Z]", lookup.index.chunk_by_id[c.id].text and _slice(c, a, b))
                            for a, b in parts)
                cands.append(Enumeration(c, tuple(parts), score + 0.03 * named))
    # A usable enumeration is about as relevant as the best sentence; the asked count decides ties.
    good = [e for e in cands if e.score >= 0.85 * best or (plan.count and len(e.items) == plan.count
                                                          and e.score >= settings.list_counted_floor * best)]
    if plan.count:
        exact = [e for e in good if len(e.items) == plan.count]
        good = exact or good
    if good:
        e = max(good, key=lambda e: e.score)
        out.add("attribution", f"{_items(len(e.items))}, from {attribution(e.chunk)}", group=e.chunk.speaker)
        for k, (a, b) in enumerate(e.items, 1):
            n = out.cite_chunk(e.chunk, a, b, e.score)
            out.add("item", lookup.index.chunk_by_id[e.chunk.id].text and _slice(e.chunk, a, b), (n,), n=k,
                    group=e.chunk.speaker)
        return out.answer(plan.question, "list", False, None, related(hits, lookup.index), plan.query)
    # No enumeration: the relevant sentences of the best answer, each an item.
    top = scored[0].chunk
    picked = [s for s in scored if s.chunk.id == top.id and s.relevance >= 0.8 * best][:max(plan.count or 0, 6)]
    picked.sort(key=lambda s: s.sentence.start)
    out.add("attribution", f"{_items(len(picked))}, from {attribution(top)}", group=top.speaker)
    for k, s in enumerate(picked, 1):
        n = out.cite_chunk(top, s.sentence.start, s.sentence.end, s.score)
        out.add("item", s.sentence.text, (n,), n=k, group=top.speaker)
    return out.answer(plan.question, "list", False, None, related(hits, lookup.index), plan.query)


def _items(n: int) -> str:
    return f"{n} item" + ("" if n == 1 else "s")


def _slice(chunk: Chunk, a: int, b: int) -> str:
    para = next(p for p in chunk.paragraphs if p.start <= a and b <= p.end)
    return para.text[a - para.start:b - para.start]


def _side(plan: QueryPlan, lookup: Lookup, settings, f: Filters, per_answer: int, answers: int,
          floor: float) -> list[tuple[Chunk, list[Scored]]]:
    """The answers (at most `answers`) inside filters `f` that speak to the topic, with their best sentences."""
    hits = lookup.search(plan.query, f, k=max(answers, 3))
    scored = lookup.score(plan.query, hits, plan.standalone, max_hits=answers)
    by: dict[str, list[Scored]] = {}
    for s in scored:
        if s.relevance >= floor and len(by.setdefault(s.chunk.id, [])) < per_answer:
            by[s.chunk.id].append(s)
    return [(lookup.index.chunk_by_id[cid], ss) for cid, ss in by.items() if ss]


@answerer("compare")
def answer_compare(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """For each named official, what they said on the topic, side by side (one column each)."""
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    found = False
    for who in plan.scope.officials:
        f = lookup.scoped((who,), plan.scope.outlets, plan.scope.doc_ids)
        title = lookup.index.chunk_by_id.get(next((c.id for c in lookup.index.chunks if c.speaker == who), ""))
        out.add("column", who + (f", {title.speaker_title}" if title and title.speaker_title else ""), group=who)
        if not lookup.chunks(f):
            out.add("notice", f"{who} gave no answer in the briefing.", group=who)
            continue
        side = _side(plan, lookup, settings, f, per_answer=3, answers=2, floor=threshold(plan, settings))
        if not side:
            out.add("notice", f"I could not find a passage where {who} speaks to this.", group=who)
            continue
        found = True
        for chunk, ss in side[:2]:
            # The column already names the official: say only which answer the words come from.
            out.add("attribution", f"answering {chunk.asked_by}:" if chunk.asked_by else "in the opening statement:",
                    group=who)
            out.quote_sentences(chunk, [s.sentence for s in ss], max(s.score for s in ss), group=who)
    return out.answer(plan.question, "compare", not found, None if found else "weak-evidence", (), plan.query)


@answerer("overview")
def answer_overview(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """Every answer that speaks to the topic, grouped by official: their sentences on it, in source order."""
    f, empty = _scope(plan, lookup, "overview")
    if empty:
        return empty
    side = _side(plan, lookup, settings, f, per_answer=settings.overview_sentences,
                 answers=settings.overview_answers, floor=0.0)
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    best = max((s.relevance for _, ss in side for s in ss), default=0.0)
    bar = threshold(plan, settings)
    if best < bar:
        hits = lookup.search(plan.query, f)
        return _abstain(plan, lookup, out, hits, "overview")
    keep = [(c, [s for s in ss if s.relevance >= max(bar, settings.overview_keep * best)]) for c, ss in side]
    keep = [(c, ss) for c, ss in keep if ss]
    order = list(dict.fromkeys(c.speaker for c, _ in keep))
    for who in order:
        for c, ss in sorted((x for x in keep if x[0].speaker == who), key=lambda x: x[0].start):
            out.add("attribution", attribution(c), group=who)
            out.quote_sentences(c, [s.sentence for s in ss], max(s.score for s in ss), group=who)
    return out.answer(plan.question, "overview", False, None, (), plan.query)


def _abstain(plan: QueryPlan, lookup: Lookup, out: Composer, hits: list[Hit], intent: str,
             reason: str = "weak-evidence") -> Answer:
    out.add("notice", NOT_FOUND)
    return out.answer(plan.question, intent, True, reason, related(hits, lookup.index), plan.query)
