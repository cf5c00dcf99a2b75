"""The conversation as the browser keeps it: a list of plain-dict turns, and what the chat draws from it.

A turn is {"id", "question", "history"} plus one of
  "pending": True (being answered; "partial" holds streamed text),
  "result": Answer.to_dict() as stored (no plan; related passages only for abstentions),
  "error": a message for a question that could not be asked;
and, once rated, "rating" ("up" | "down" | None) and "comment". It lives in the browser's local
storage (gr.BrowserState) and is sent with each event; the server keeps none of it.
"""
from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

from qa.types import Answer, Block, Cell, Chunk, Citation, RelatedPassage

from . import render
from .text import e

ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,40}$")
MAX_TURNS = 100  # kept in the browser and sent with each question (about 9 KB a turn): older turns are dropped
RATING_WORDS = {"up": "helpful", "down": "not helpful"}
# An inline icon (Lucide's thumbs-up, ISC licence): no emoji font or icon file needed; CSS turns it for "down".
THUMB = ('<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" '
         'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M7 10v12"/><path d="M15 5.88 '
         '14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.76a2 2 0 0 0 '
         '1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z"/></svg>')


def new_id(proposed: object = None) -> str:
    """`proposed` when it is a safe id (the browser names a turn when it is queued), else a fresh one."""
    if isinstance(proposed, str) and ID_RE.match(proposed):
        return proposed
    return uuid.uuid4().hex[:16]


def stored(a: Answer) -> dict:
    """What a turn keeps of an answer: the JSON contract without the plan, related passages only
    when they are shown (under an abstention), so local storage stays small."""
    d = a.to_dict()
    d.pop("plan", None)
    d["passages"] = d["passages"][:render.RELATED_N] if a.abstained else []
    return d


def _build(cls, d: dict):
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in names})


def answer_of(result: dict) -> Answer:
    """The Answer a stored result describes (the inverse of `stored`, without the plan)."""
    blocks = tuple(Block(b["kind"], b.get("text", ""), tuple(b.get("cites") or ()), b.get("group"), b.get("n"),
                         tuple(_build(Cell, c) for c in b.get("cells") or ())) for b in result.get("blocks") or ())
    return Answer(question=result.get("question", ""), answer=result.get("answer", ""),
                  abstained=bool(result.get("abstained")),
                  citations=tuple(_build(Citation, c) for c in result.get("citations") or ()),
                  passages=tuple(_build(RelatedPassage, p) for p in result.get("passages") or ()),
                  timings_ms=result.get("timings_ms") or {}, query=result.get("query") or "",
                  mode=result.get("mode") or "extractive", notice=result.get("notice"), reason=result.get("reason"),
                  flagged=tuple(result.get("flagged") or ()), intent=result.get("intent") or "fact", blocks=blocks)


def history(conv: list[dict]) -> list[str]:
    """The questions answered so far, oldest first: what a follow-up is read against."""
    return [t["question"] for t in conv if t.get("result")]


def find(conv: list[dict], turn_id: str) -> int | None:
    return next((i for i, t in enumerate(conv) if t.get("id") == turn_id), None)


def ratable(turn: dict) -> bool:
    """Only a real answer (abstentions included) can be rated: not an error, not a question still
    being answered, not the notice that the filters left nothing to search."""
    r = turn.get("result")
    return bool(r) and not turn.get("pending") and not str(r.get("reason") or "").startswith("empty-scope")


def restore(conv: Any) -> list[dict]:
    """The conversation read back from the browser: well-formed finished turns only. A turn still
    pending was interrupted by the reload; the browser asks its question again."""
    out = []
    for t in conv if isinstance(conv, list) else []:
        if not (isinstance(t, dict) and isinstance(t.get("question"), str) and isinstance(t.get("id"), str)
                and ID_RE.match(t["id"]) and not t.get("pending")):
            continue
        if isinstance(t.get("result"), dict):
            try:
                answer_of(t["result"])
            except (TypeError, KeyError, AssertionError, ValueError):
                continue  # written by another version of the app, or edited by hand
        elif not isinstance(t.get("error"), str):
            continue
        out.append(t)
    return out[-MAX_TURNS:]


def actions_html(turn: dict) -> str:
    """Under a real answer: thumbs up/down (pressed when chosen), Copy, and after a rating a line
    naming what was saved and a comment box. Nothing for errors or questions still being answered."""
    if not ratable(turn):
        return ""
    rating = turn.get("rating")
    buttons = "".join(
        f'<button type="button" class="bq-rate" data-rating="{r}" aria-pressed="{str(rating == r).lower()}" '
        f'title="{label}" aria-label="{label}">{THUMB}</button>'
        for r, label in (("up", "Helpful"), ("down", "Not helpful")))
    row = (f'<div class="bq-actions" role="group" aria-label="This answer">{buttons}'
           f'<button type="button" class="bq-copy-one" title="Copy this answer and its sources">Copy</button></div>')
    if not rating and not turn.get("comment"):
        return row
    comment = turn.get("comment") or ""
    if comment:
        status = "Thank you: your comment on this answer was saved."
    else:
        status = f"Saved “{RATING_WORDS.get(rating, 'no rating')}” for this answer. Add a comment if you like:"
    form = (f'<form class="bq-comment-form"><textarea name="comment" rows="2" maxlength="2000" '
            f'placeholder="What was wrong or missing? (optional)" aria-label="Comment on this answer">{e(comment)}'
            f'</textarea><button type="submit" class="bq-send-comment">Send comment</button></form>')
    return row + f'<div class="bq-feedback"><div class="bq-status" role="status">{e(status)}</div>{form}</div>'


def turn_view(turn: dict, n: int, chunks: dict[str, Chunk]) -> dict:
    """One turn as the chat draws it: {"id", "pending", "kind" (answer | abstain | error | pending),
    "user" (the question), "answer", "actions", "under" (sources or related reading), "text" (what
    Copy copies), "sources" (how many)}. The browser puts the last four inside the turn's bot message."""
    q = turn.get("question") or ""
    view = {"id": turn["id"], "pending": bool(turn.get("pending")), "user": render.question_html(q) if q.strip() else "",
            "actions": "", "under": "", "text": "", "sources": 0}
    if turn.get("pending"):
        partial = turn.get("partial") or ""
        view.update(kind="pending", answer=render.streaming_html(partial) if partial else render.THINKING)
    elif turn.get("error") is not None:
        msg = turn["error"]
        view.update(kind="error", answer=render.error_html(msg[:1].upper() + msg[1:] + "."))
    else:
        a = answer_of(turn["result"])
        answer, under = render.answer_parts(a, n, chunks)
        view.update(kind="abstain" if a.abstained else "answer", answer=answer, under=under,
                    text=a.to_text().strip(), sources=len(a.citations), actions=actions_html(turn))
    return view


def view(conv: list[dict], chunks: dict[str, Chunk]) -> dict:
    """The chat component's value: every turn drawn, in order (the browser redraws only what changed)."""
    return {"turns": [turn_view(t, i + 1, chunks) for i, t in enumerate(conv)]}
