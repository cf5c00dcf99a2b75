"""The app's HTTP API (`/ask`, `/search`) as plain functions, and how they are published through Gradio
with every parameter described and every parameter after the first optional."""
from __future__ import annotations

import json

from qa.config import ANSWER_MODES, MODES, check_k
from qa.errors import ConfigError, QuestionError
from qa.retrieve import Filters
from qa.service import BriefingQA
from qa.types import Hit

from .handlers import iso_date, option

FILTER_KEYS = ("speaker", "doc_id", "date_from", "date_to")
FILTERS_DOC = ('an object with any of "speaker" (an official\'s name or part of it, as briefqa --speaker; '
               'a list for several officials), "doc_id" (a briefing id, as --doc; a list for several), '
               '"date_from" and "date_to" (YYYY-MM-DD, inclusive); null or {} for no filter')
PARAMS = {
    "ask": {
        "question": "the question, in plain words, e.g. \"How many PPH agreements does China have?\"",
        "history": "earlier questions of the conversation, oldest first, so a follow-up such as "
                   "\"And for trademarks?\" is understood; [] or null for none",
        "k": "how many answers from the transcript to search for the best sentences (1-20); null for the "
             "server's default",
        "mode": f"how to answer: {' or '.join(ANSWER_MODES)} (llm only when the server has an endpoint "
                "configured); null for the server's default",
        "filters": f"restrict the search: {FILTERS_DOC}",
    },
    "search": {
        "query": "what to search for, e.g. \"PPH agreements\"",
        "k": "how many answers from the transcript to return (1-50); null for the server's default",
        "mode": f"retrieval: {', '.join(MODES)} (meaning, keywords, or both fused); null for the server's default",
        "filters": f"restrict the search: {FILTERS_DOC}",
    },
}


RETURNS = {"ask": "result", "search": "hits"}


def api_filters(filters) -> Filters | None:
    """The API's filters object (the CLI's --speaker/--doc/--date-from/--date-to) as qa.retrieve.Filters."""
    if filters in (None, "", {}):
        return None
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except json.JSONDecodeError as err:
            raise ConfigError(f"filters must be a JSON object ({err})") from None
    if not isinstance(filters, dict):
        raise ConfigError(f"filters must be an object with keys {', '.join(FILTER_KEYS)}")
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise ConfigError(f"unknown filter {', '.join(map(repr, unknown))}; use {', '.join(FILTER_KEYS)}")

    def names(key):
        v = filters.get(key)
        v = [v] if isinstance(v, str) else v or []
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise ConfigError(f"filter {key!r} must be a name or a list of names")
        return [x.strip() for x in v]

    speakers, docs = names("speaker"), names("doc_id")
    f = Filters(speaker=speakers[0] if len(speakers) == 1 else None, doc_id=docs[0] if len(docs) == 1 else None,
                date_from=iso_date(filters.get("date_from"), "date_from"),
                date_to=iso_date(filters.get("date_to"), "date_to"),
                speakers=tuple(speakers) if len(speakers) > 1 else (), doc_ids=tuple(docs) if len(docs) > 1 else ())
    return f or None


def _k(k, top: int) -> int | None:
    """A count of answers from 1 to `top` (qa.config.check_k's rules: '2.5', '1e8', 'abc' refused); None = default."""
    try:
        n = check_k(k, "k")
    except ConfigError:
        n = -1
    if n is not None and not 1 <= n <= top:
        raise ConfigError(f"k {k!r} is not a whole number from 1 to {top}")
    return n


def _history(history) -> list[str]:
    if history in (None, ""):
        return []
    if isinstance(history, str):  # version one of the API took a JSON string
        try:
            history = json.loads(history)
        except json.JSONDecodeError as err:
            raise ConfigError(f"history must be a list of earlier questions, e.g. [\"...\"] ({err})") from None
        except RecursionError:
            raise ConfigError("history is nested too deeply; give a flat list of earlier questions") from None
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise ConfigError("history must be a list of strings (earlier questions, oldest first)")
    return history


def ask(qa: BriefingQA, question: str, history=None, k=None, mode=None, filters=None) -> dict:
    """The `/ask` endpoint: the documented JSON result (Answer.to_dict()). Raises BriefQAError on bad input."""
    if question is not None and not isinstance(question, str):
        raise QuestionError(f"the question must be a string, got {type(question).__name__}")
    a = qa.ask(question, _history(history), k=_k(k, 20), answer_mode=option(mode, "answer_mode", "mode"),
               filters=api_filters(filters))
    return a.to_dict()


def hit_dict(h: Hit) -> dict:
    """One search result: the answer (chunk) ranked, who said it to whom, and the passages that matched."""
    c = h.chunk
    return {"rank": h.rank, "score": h.score, "chunk_id": c.id, "doc_id": c.doc_id, "doc_title": c.doc_title,
            "date": c.doc_date, "speaker": c.speaker, "speaker_title": c.speaker_title, "asked_by": c.asked_by,
            "question": c.question, "start": c.start, "end": c.end,
            "passages": [{"text": m.passage.text, "start": m.passage.start, "end": m.passage.end, "score": m.score,
                          "dense": m.dense_score, "bm25": m.bm25_score} for m in h.passages]}


def search(qa: BriefingQA, query: str, k=None, mode=None, filters=None) -> list[dict]:
    """The `/search` endpoint: ranked answers with their matching passages (as `briefqa search --json`)."""
    if not isinstance(query, str) or not query.strip():
        raise ConfigError("the query is empty; give words to search for")
    hits = qa.search(query, k=_k(k, 50), mode=option(mode, "retrieval_mode", "mode"), filters=api_filters(filters))
    return [hit_dict(h) for h in hits]


def describe(demo, api_name: str, params: dict[str, str], returns: str) -> None:
    """Give each parameter of the gr.api endpoint `api_name` its name and description, and its result
    a name (API page, /info)."""
    fn = next(f for f in demo.fns.values() if f.api_name == api_name)
    for block, (name, text) in zip(fn.inputs, params.items()):
        block.label = name
        block._api_info = {**block._api_info, "additional_description": text}
    for block in fn.outputs:
        block.label = returns
