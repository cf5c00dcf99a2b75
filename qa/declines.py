"""Questions an official declined to answer: the exchange whose reporter asked what the user asks, and the reply.

"Has the ministry confirmed whether Liang will see the three presidents?" is answered by the briefing, with "I have
nothing further to share at the moment.": nothing in that reply shares a word with the question, so no sentence of
it is found by meaning or by words. What matches is the reporter's question. `declined(plan, lookup, settings)`
finds an exchange whose answer opens by declining ("I'm not going to get ahead of the President on that.", "I'd
refer you to the competent authorities …") and whose question is as close to the user's as an answering sentence
must be (`settings.abstain_threshold`); `answer_declined` quotes the question and the reply.

>>> [bool(DECLINE_RE.match(s)) for s in ("I'm not going to get ahead of the President on that.",
...  "I'd refer you to the competent authorities for the specifics.", "I don't have anything to announce today.",
...  "I'm not going to stand up here and make a promise that depends on the weather.", "I have visited Chile.")]
[True, True, True, False, False]
"""
from __future__ import annotations

import re

import numpy as np

from .answer import Composer, attribution
from .briefing import Exchange, question_sentences
from .salience import sentences_of
from .scope import briefings, per_index
from .types import Answer, Chunk, QueryPlan

# The first sentence of a reply that gives no answer: "I have nothing further to share at the moment.", "I have no
# information to release …", "I'm not going to speculate on that.", "I don't have anything to announce on that
# today.", "I'd refer you to the competent authorities …", "I am not going to get into any of those discussions …".
DECLINE_RE = re.compile(
    r"^(?:(?:Well|Look|So|Again|Yeah|No|Sorry)[,.]?\s+)?I(?:'m| am| have|'ve| do not| don't| would|'d)?\s+"
    r"(?:got\s+)?(?:nothing\b|no (?:information|details?|updates?|comment|new \w+)\b|"
    r"not going to (?:get ahead|speculate|comment|get into|go into|preview|characteri[sz]e)\b|"
    r"(?:have )?(?:anything|any \w+|a new \w+) to (?:announce|share|add|offer|release)\b|"
    r"(?:want to )?get ahead of\b|refer you\b)", re.I)
REPLY_SENTENCES = 3  # the reply quoted: its opening sentences, within its first paragraph


@per_index
def _declines(index) -> list[tuple[Exchange, Chunk]]:
    """Every exchange whose first answer opens by declining, with that answer."""
    out = []
    for b in briefings(index):
        for e in b.exchanges:
            first = e.answers[0] if e.answers else None
            sents = sentences_of(first, index) if first is not None else []
            if sents and DECLINE_RE.match(sents[0].text.strip()) and question_sentences(e):
                out.append((e, first))
    return out


@per_index
def _question_vectors(index) -> dict:
    """The embedding of each declined exchange's question (by answer chunk id), filled in one batch on first use."""
    return {}


def declined(plan: QueryPlan, lookup, settings) -> tuple[Exchange, Chunk, float] | None:
    """The declined exchange (in the question's scope) whose question is closest to the user's, with that
    closeness, when it is at least the bar an answering sentence must clear; else None."""
    f = lookup.plan_filters(plan)
    found = [(e, c) for e, c in _declines(lookup.index) if f.accepts(c)]
    if not found:
        return None
    vecs = _question_vectors(lookup.index)
    if not vecs:
        every = _declines(lookup.index)
        vecs.update(zip((c.id for _, c in every),
                        lookup.embedder.encode_queries([question_sentences(e)[0].text for e, _ in every])))
    # A follow-up that asks on its own ("Did she mention the G20 summit at all?") is matched as asked: its history's
    # topic was someone else's question.
    from .condense import is_elliptical

    alone = plan.follow_up and plan.standalone != plan.query and not is_elliptical(plan.standalone)
    q = lookup.vec(plan.standalone if alone else plan.query)
    sim, e, c = max(((float(np.dot(q, vecs[c.id])), e, c) for e, c in found), key=lambda x: x[0])
    return (e, c, sim) if sim >= settings.abstain_threshold else None


def answer_declined(plan: QueryPlan, lookup, e: Exchange, chunk: Chunk, sim: float, intent: str) -> Answer:
    """The reporter's question, quoted, and the official's reply that declines it, quoted."""
    from .answerers import searched_prefix
    from .briefing import Quoted

    b = next(b for b in briefings(lookup.index) if b.doc_id == e.doc_id)
    out = Composer()
    out.blocks.extend(searched_prefix(plan))
    out.add("notice", "The briefing has this question, and the reply gives no answer to it:")
    q = question_sentences(e)[0]
    n = out.cite_source(b, Quoted(q.text, q.start, q.end, q.line), "question", e.outlet, chunk)
    out.add("attribution", f"{e.outlet} asked:", group=chunk.speaker)
    out.add("quote", q.text, (n,), group=chunk.speaker)
    out.add("attribution", attribution(chunk), group=chunk.speaker)
    sents = sentences_of(chunk, lookup.index)
    reply = [s for s in sents[:REPLY_SENTENCES] if s.paragraph == sents[0].paragraph]
    out.quote_sentences(chunk, reply, sim, group=chunk.speaker)
    return out.answer(plan.question, intent, False, None, (), plan.query)
