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
from .enumerations import best_enumeration, counted_enumeration, slice_of
from .condense import question_parts
from .lookup import Lookup, threshold
from .salience import lead_sentences, summary_sentences
from .retrieve import Filters
from .scope import briefings, named_terms, topic_words
from .structure import exchange_row, pointed_to
from .types import Answer, Block, Chunk, Hit, QueryPlan
from .wording import BRIEFING_RE, SUMMARY_RE, asking_part

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
    # "How many students enrolled, and how many experts were sent abroad?": each further question is searched too.
    parts = tuple((p, lookup.vec(p), lookup.search(p, f)) for p in question_parts(plan.standalone)[1:])
    return extractive_answer(plan.standalone, plan.query, lookup.vec(plan.query), hits, lookup.index,
                             threshold(plan, settings), settings.max_answer_sentences, settings.answer_weights(),
                             searched_prefix(plan), parts, names=_name_is_topic(plan, lookup))


@answerer("summary")
def answer_summary(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """An extractive summary of a unit: the opening statement, one answer, one official's answers, or all."""
    f = lookup.plan_filters(plan)
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    # "Sum up the whole briefing", "the gist of the press conference": no topic but the briefing itself.
    asks = asking_part(plan.question)  # not a framing lead ("I'm writing a brief: …")
    whole = re.search(r"\b(everything|whole|entire|all|overall)\b", asks, re.I) or (
        BRIEFING_RE.search(asks) and not [w for w in topic_words(BRIEFING_RE.sub(" ", SUMMARY_RE.sub(" ", asks)))
                                          if w.lower() not in ("today", "today's", "this", "press")])
    pinned = pointed_to(plan, lookup.index) if plan.nth is not None else []
    if pinned and not (plan.scope.opening or plan.scope.outlets):
        units = [c for e in pinned for c in e.answers if f.accepts(c)]  # "the last answer", "the third answer"
    elif plan.scope.opening or plan.scope.outlets or (plan.scope.officials and not plan.topic):
        units = lookup.chunks(f)  # the opening statement, the answer to an outlet, or all of one official's
    elif plan.topic and not (whole and not plan.scope.officials):
        # The answer is picked by its topic alone: "summarize", "main points", "the answer" say nothing about
        # which answer, and only blur how well the best one speaks to the topic.
        q = plan.query if plan.follow_up else (BRIEFING_RE.sub(" ", plan.topic).replace("'s", " ").strip()
                                               or plan.topic)
        hits = lookup.search(q, f, k=3)
        scored = lookup.score(q, hits, plan.standalone if plan.follow_up else q, max_hits=1)
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
    e = counted_enumeration(plan, lookup.chunks(f), lookup.index, settings)
    if e is None and (not scored or scored[0].relevance < threshold(plan, settings)):
        return _abstain(plan, lookup, out, hits, "list")
    e = e or best_enumeration(plan, hits[:5 if plan.count else 3], scored, lookup.index, settings)
    if e is not None:
        out.add("attribution", f"{_items(len(e.items))}, from {attribution(e.chunk)}", group=e.chunk.speaker)
        if e.lead is not None:
            out.quote_sentences(e.chunk, [e.lead], e.score, group=e.chunk.speaker)
        for k, (a, b) in enumerate(e.items, 1):
            n = out.cite_chunk(e.chunk, a, b, e.score)
            out.add("item", slice_of(e.chunk, a, b), (n,), n=k, group=e.chunk.speaker)
        return out.answer(plan.question, "list", False, None, related(hits, lookup.index), plan.query)
    # No enumeration in the answers found: answered as a fact question ("What were the export sales …?"),
    # with its checks of what the question names.
    return dataclasses.replace(answer_fact(plan, lookup, settings), intent="list")


def _items(n: int) -> str:
    return f"{n} item" + ("" if n == 1 else "s")


def _side(plan: QueryPlan, lookup: Lookup, settings, f: Filters, per_answer: int, answers: int,
          floor: float, names: bool = False, figures: bool = False) -> list[tuple[Chunk, list[Scored]]]:
    """The answers (at most `answers`) inside filters `f` that speak to the topic, with their best sentences."""
    hits = lookup.search(plan.query, f, k=max(answers, 3))
    scored = lookup.score(plan.query, hits, plan.standalone, max_hits=answers, names=names, figures=figures)
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
    # Each side is searched for the topic alone: the names are the scope, and "how do their figures differ in what
    # they measure" is the same question of both.
    on_topic = dataclasses.replace(plan, query=plan.topic) if plan.topic and not plan.follow_up else plan
    for who in plan.scope.officials:
        f = lookup.scoped((who,), plan.scope.outlets, plan.scope.doc_ids)
        title = lookup.index.chunk_by_id.get(next((c.id for c in lookup.index.chunks if c.speaker == who), ""))
        out.add("column", who + (f", {title.speaker_title}" if title and title.speaker_title else ""), group=who)
        if not lookup.chunks(f):
            out.add("notice", f"{who} gave no answer in the briefing.", group=who)
            continue
        side = _side(on_topic, lookup, settings, f, per_answer=3, answers=2, floor=threshold(plan, settings),
                     figures=True)
        if not side:
            out.add("notice", f"I could not find a passage where {who} speaks to this.", group=who)
            continue
        found = True
        for chunk, ss in side[:2]:
            # The column already names the official: say only which answer the words come from.
            out.add("attribution", f"answering {chunk.asked_by}:" if chunk.asked_by else "in the opening statement:",
                    group=who)
            out.quote_sentences(chunk, _with_figures(chunk, [s.sentence for s in ss], lookup.index),
                                max(s.relevance for s in ss), group=who)
    return out.answer(plan.question, "compare", not found, None if found else "weak-evidence", (), plan.query)


def _with_figures(chunk: Chunk, chosen: list, index) -> list:
    """`chosen` sentences of `chunk`, each one without a figure followed by the next sentence of its paragraph when
    that one gives figures ("… innovation in artificial intelligence has been notably vigorous. By the end of 2023,
    the number of valid AI invention patents … reached 378,000 …"): a comparison sets figures side by side."""
    from .constraints import FIGURE_RE
    from .salience import sentences_of

    sents = sentences_of(chunk, index)
    at = {x.start: i for i, x in enumerate(sents)}
    out = list(chosen)
    for s in chosen:
        i = at.get(s.start)
        nxt = sents[i + 1] if i is not None and i + 1 < len(sents) else None
        if nxt is not None and nxt.paragraph == s.paragraph and nxt not in out and not FIGURE_RE.search(s.text) \
                and FIGURE_RE.search(nxt.text):
            out.append(nxt)
    return sorted(out, key=lambda x: x.start)


@answerer("overview")
def answer_overview(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """Every answer that speaks to the topic, grouped by official: their sentences on it, in source order."""
    f, empty = _scope(plan, lookup, "overview")
    if empty:
        return empty
    side = _side(plan, lookup, settings, f, per_answer=settings.overview_sentences,
                 answers=settings.overview_answers, floor=0.0, names=_name_is_topic(plan, lookup), figures=True)
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
            out.quote_sentences(c, [s.sentence for s in ss], max(s.relevance for s in ss), group=who)
    return out.answer(plan.question, "overview", False, None, (), plan.query)


# Words that ask about a name without adding to what it is ("in what context did X come up?").
ABOUT_WORDS = {"context", "come", "came", "comes", "up", "during", "across", "mentioned", "mention", "raised", "role",
               "discussed", "brought", "referred", "referenced", "cited", "part", "connection", "regard"}


def _name_is_topic(plan: QueryPlan, lookup: Lookup) -> bool:
    """'What was said about Thailand?', 'Marrakesh Treaty - in what context did it come up?': a rare name of the
    question is its whole topic, so a sentence naming it speaks to the question however its words score."""
    named = named_terms(plan.standalone, lookup.index)
    rest = [w for w in plan.topic.lower().split() if not any(w in n for n in named) and w not in ABOUT_WORDS]
    return bool(named) and len(rest) <= 1


def _abstain(plan: QueryPlan, lookup: Lookup, out: Composer, hits: list[Hit], intent: str,
             reason: str = "weak-evidence") -> Answer:
    out.add("notice", NOT_FOUND)
    return out.answer(plan.question, intent, True, reason, related(hits, lookup.index), plan.query)
