"""What answerers search with: the index, retrieval inside a question's scope, cached query vectors.

`Lookup` is built once per question (qa/service.py) and handed to the answerer for the plan's intent
(qa/answerers.py, qa/structure.py); `threshold` is the abstention bar a plan is answered against.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .answer import Scored, score_sentences
from .retrieve import Filters
from .types import Chunk, Hit, QueryPlan

NOTHING = "\x00"  # a filter value no answer has: the scope and the user's filters exclude each other


class Lookup:
    """What answerers search with: the index, retrieval within the question's scope, cached query vectors."""

    def __init__(self, index, retriever, embedder, settings, filters: Filters | None = None,
                 mode: str | None = None, k: int | None = None):
        self.index, self.retriever, self.embedder, self.settings = index, retriever, embedder, settings
        self.filters, self.mode, self.k = filters or Filters(), mode, k
        self._vecs: dict[str, np.ndarray] = {}

    def vec(self, text: str) -> np.ndarray:
        if text not in self._vecs:
            self._vecs[text] = self.embedder.encode_queries([text])[0]
        return self._vecs[text]

    def scoped(self, officials=(), outlets=(), doc_ids=(), opening: bool = False) -> Filters:
        """The user's filters narrowed to a scope: both apply, so a question naming an official the
        filters exclude searches nothing (and says so) rather than leaving the filters behind."""
        f = self.filters

        def both(named, chosen):
            if named and chosen:
                return tuple(x for x in named if x in chosen) or (NOTHING,)
            return tuple(named) or tuple(chosen)

        return dataclasses.replace(f, speakers=both(officials, f.speakers), asked_by=both(outlets, f.asked_by),
                                   doc_ids=both(doc_ids, f.doc_ids), opening=opening or f.opening)

    def plan_filters(self, plan: QueryPlan) -> Filters:
        s = plan.scope
        officials = [o for o in s.officials if any(c.speaker == o for c in self.index.chunks)]
        return self.scoped(officials, s.outlets, s.doc_ids, s.opening)

    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Hit]:
        return self.retriever.search(query, k=k or self.k or self.settings.top_k, mode=self.mode,
                                     filters=filters if filters is not None else self.filters,
                                     query_vec=self.vec(query))

    def chunks(self, filters: Filters) -> list[Chunk]:
        return [c for c in self.index.chunks if filters.accepts(c)]

    def score(self, query: str, hits: list[Hit], question: str, max_hits: int = 3, names: bool = False,
              figures: bool = False) -> list[Scored]:
        return score_sentences(self.vec(query), query, hits, self.index, max_hits=max_hits, question=question,
                               weights_=self.settings.answer_weights(), names=names, figures=figures)


def threshold(plan: QueryPlan, settings) -> float:
    """The abstention bar for `plan`: lower when the question names whose words it wants."""
    if plan.scope.officials or plan.scope.outlets or plan.intent == "overview":
        # Named people, or "what did they say about X": the reader wants any words on it.
        return min(settings.scoped_abstain_threshold, settings.abstain_threshold)
    if plan.intent == "list":
        return min(settings.list_abstain_threshold, settings.abstain_threshold)
    return settings.abstain_threshold
