"""BriefingQA: the library's front door, composing retrieve → answer for the CLI, UI and eval."""
from __future__ import annotations

import dataclasses
import time
from typing import Iterator

from .config import Settings, check_choice, load_settings
from .embedding import Encoder, make_embedder
from .errors import LLMError
from .index_store import Index, load_or_build
from .prepare import prepare
from .retrieve import Filters, Retriever
from .types import Answer, Hit


def release_freed_memory() -> None:
    """Hand back to the OS the heap that loading freed (glibc's malloc_trim): a long-running server or chat
    then keeps about 60 MiB less resident (`make bench`, serving RSS). A no-op without glibc."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class BriefingQA:
    """Loads the model and index once; answers questions with citations.

    >>> qa = BriefingQA.open()                                   # doctest: +SKIP
    >>> qa.ask("How many PPH agreements does China have?").answer  # doctest: +SKIP
    """

    def __init__(self, settings: Settings, embedder: Encoder, index: Index):
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.retriever = Retriever(index, embedder, settings)

    @classmethod
    def open(cls, settings: Settings | None = None, rebuild: bool = True, progress: bool = True,
             status=None) -> "BriefingQA":
        """Load (or build, when missing or stale and `rebuild`) the index for `settings`, with the encoder
        `settings.embedding_backend` names. `status`, when given, is called with a line per loading step."""
        settings = settings or load_settings()
        status = status or (lambda m: None)
        emb = make_embedder(settings)
        t0 = time.perf_counter()
        status(f"loading the index from {settings.index_dir}")
        index = load_or_build(settings, emb, rebuild=rebuild, progress=progress)
        if emb.load_seconds is None:
            status(f"loading the model ({emb.name}, {emb.backend})")
        emb.warm_up()
        status(f"ready: {len(index.chunks)} answers, {len(index.passages)} passages, "
               f"{len(index.documents)} briefing(s) in {time.perf_counter() - t0:.1f}s")
        return cls(settings, emb, index)

    @property
    def documents(self) -> list[dict]:
        return self.index.documents

    def search(self, query: str, k: int | None = None, mode: str | None = None,
               filters: Filters | None = None) -> list[Hit]:
        return self.retriever.search(query, k=k, mode=mode, filters=filters)

    def ask(self, question: str, history: list[str] | None = None, k: int | None = None,
            mode: str | None = None, answer_mode: str | None = None, filters: Filters | None = None) -> Answer:
        """Answer `question` (earlier user questions in `history`) with citations, or abstain."""
        final = None
        for event in self.ask_stream(question, history, k, mode, answer_mode, filters):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def plan(self, question: str, history: list[str] | None = None):
        """The QueryPlan for a cleaned question and history (qa/understand.py)."""
        from .understand import plan

        return plan(question, history, self.index)

    def ask_stream(self, question: str, history: list[str] | None = None, k: int | None = None,
                   mode: str | None = None, answer_mode: str | None = None,
                   filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yield text deltas as the answer is produced, then the final Answer."""
        from .lookup import Lookup
        from .route import answer
        from .understand import plan as make_plan

        t0 = time.perf_counter()
        s = self.settings
        answer_mode = check_choice("answer_mode", answer_mode or s.answer_mode, "answer mode")
        p = prepare(question, history, s)
        q, notice = p.question, p.notice
        qplan = make_plan(q, list(p.history), self.index)
        lookup = Lookup(self.index, self.retriever, self.embedder, s, filters, mode, k)
        result: Answer | None = None
        t1 = time.perf_counter()
        if answer_mode == "llm" and qplan.intent == "fact" and not qplan.absent and not qplan.scope.unknown:
            from .llm import generate_answer

            hits = lookup.search(qplan.query, lookup.plan_filters(qplan))
            t1 = time.perf_counter()
            try:
                for ev in generate_answer(q, qplan.query, hits, self.index, s):
                    if isinstance(ev, Answer):
                        result = ev
                    else:
                        yield ev
            except LLMError as e:
                notice = f"The language model was unavailable ({e}); this is the extractive answer."
                result = None
        if result is None:
            result = answer(qplan, lookup, s)
            for line in result.answer.splitlines(keepends=True):
                yield line
        t2 = time.perf_counter()
        timings = {"retrieve": round((t1 - t0) * 1000, 2), "answer": round((t2 - t1) * 1000, 2),
                   "total": round((t2 - t0) * 1000, 2)}
        yield dataclasses.replace(result, question=q, timings_ms=timings, query=result.query or qplan.query,
                                  notice=notice if notice else result.notice, plan=qplan,
                                  intent=result.intent if result.mode == "extractive" else qplan.intent)
