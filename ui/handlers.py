"""The web UI's behaviour as plain functions over BriefingQA and the browser's conversation:
answering a turn, rating and commenting on an answer, reading the filter bar. No Gradio here."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

from qa.config import check_choice
from qa.errors import BriefQAError, ConfigError
from qa.feedback import record
from qa.retrieve import Filters
from qa.service import BriefingQA
from qa.types import Answer

from . import conversation
from .text import e, nice_date

NO_FILTERS = {"docs": [], "officials": [], "date_from": "", "date_to": ""}


def option(value, setting: str, what: str) -> str | None:
    """'' or None means "the configured default"; anything else must be one of Settings.<setting>'s choices."""
    return None if value in (None, "") else check_choice(setting, value, what)


def iso_date(value, what: str) -> str | None:
    """'' or None -> None; '2024-07-29' -> itself; anything else is a ConfigError naming the field."""
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ConfigError(f"{what} {value!r} is not a date like 2024-07-29") from None


def choice(raw) -> dict:
    """The filter bar's state, cleaned: {"docs": [doc ids], "officials": [names], "date_from", "date_to"}."""
    raw = raw if isinstance(raw, dict) else {}
    names = lambda v: [x for x in (v if isinstance(v, list) else [v] if v else []) if isinstance(x, str) and x]
    return {"docs": names(raw.get("docs")), "officials": names(raw.get("officials")),
            "date_from": str(raw.get("date_from") or "").strip(), "date_to": str(raw.get("date_to") or "").strip()}


def ui_filters(raw) -> Filters | None:
    """The filter bar as qa.retrieve.Filters, with the CLI flags' meaning: one briefing is `doc_id`
    (--doc), one official `speaker` (--speaker); several are `doc_ids` / `speakers`. None: no filter.

    >>> ui_filters({"officials": ["Hu Wenhui"], "date_to": "2024-12-31"})
    Filters(speaker='Hu Wenhui', doc_id=None, date_from=None, date_to='2024-12-31', speakers=(), asked_by=(), doc_ids=(), opening=False)
    """
    c = choice(raw)
    d_from, d_to = iso_date(c["date_from"], "date from"), iso_date(c["date_to"], "date to")
    if d_from and d_to and d_from > d_to:
        raise ConfigError(f"the date range is empty: {d_from} is after {d_to}")
    docs, people = c["docs"], c["officials"]
    f = Filters(speaker=people[0] if len(people) == 1 else None, doc_id=docs[0] if len(docs) == 1 else None,
                date_from=d_from, date_to=d_to, speakers=tuple(people) if len(people) > 1 else (),
                doc_ids=tuple(docs) if len(docs) > 1 else ())
    return f or None


def chips_html(raw, documents: list[dict]) -> str:
    """The active filters as removable chips (empty when none), or what is wrong with a date."""
    c = choice(raw)
    titles = {d.get("doc_id"): f"{d.get('title') or d.get('doc_id')} ({nice_date(d.get('date'))})" for d in documents}
    chips = [("docs", v, "Briefing", titles.get(v, v)) for v in c["docs"]]
    chips += [("officials", v, "Official", v) for v in c["officials"]]
    chips += [(k, c[k], label, c[k]) for k, label in (("date_from", "From"), ("date_to", "To")) if c[k]]
    if not chips:
        return ""
    try:
        ui_filters(c)
        problem = ""
    except ConfigError as err:
        problem = f'<span class="bq-chip-error" role="alert">{e(str(err)[:1].upper() + str(err)[1:])}: fix or remove it.</span>'
    items = "".join(
        f'<span class="bq-chip" data-key="{e(k)}" data-value="{e(v)}"><span class="bq-chip-label">{e(label)}:</span> '
        f'{e(text)}<button type="button" class="bq-chip-x" aria-label="Remove filter {e(label)}: {e(text)}" '
        f'title="Remove this filter">×</button></span>' for k, v, label, text in chips)
    return (f'<div class="bq-chips" role="group" aria-label="Active filters"><span class="bq-chips-title">'
            f'Searching only:</span>{items}<button type="button" class="bq-chip-clear">Clear filters</button>'
            f'{problem}</div>')


def without(raw, key: str, value: str | None = None) -> dict:
    """The filter choice with one chip removed (`key` "all" removes every filter)."""
    c = choice(raw)
    if key == "all":
        return dict(NO_FILTERS)
    if key in ("docs", "officials"):
        c[key] = [v for v in c[key] if v != value]
    elif key in ("date_from", "date_to"):
        c[key] = ""
    return c


def chat_turn(qa: BriefingQA, question: str, conv: list[dict] | None, turn_id: str | None = None,
              k: int | None = None, mode: str | None = None, answer_mode: str | None = None,
              filters: dict | Filters | None = None) -> Iterator[list[dict]]:
    """Answer one question, yielding the conversation as the answer grows; the last yield is final.

    `conv` is the browser's list of turns (ui.conversation); earlier answered questions are passed
    to the library as history, so follow-ups work. `turn_id` is the id the browser gave the
    question when it queued it (a fresh one otherwise); a turn with that id already answered is
    not asked again. `filters` is the filter bar's choice (or Filters). Domain errors (an empty
    question, a bad setting or date) become an error turn, never an exception.

    >>> *_, conv = chat_turn(qa, "How many PPH agreements?", [])                 # doctest: +SKIP
    >>> conv[-1]["result"]["citations"][0]["speaker"]                            # doctest: +SKIP
    'Shen Changyu'
    """
    conv = [t for t in conv or [] if not t.get("pending")]  # left by an ask that was interrupted
    tid = conversation.new_id(turn_id)
    if conversation.find(conv, tid) is not None:
        yield conv
        return
    question = question if isinstance(question, str) else ""
    cap = qa.settings.max_question_chars
    shown = question if len(question) <= cap else question[:cap] + "…"  # the library's notice says it was cut
    turn = {"id": tid, "question": shown, "history": conversation.history(conv)}
    yield conv + [{**turn, "pending": True}]
    text, final = "", None
    try:
        f = filters if isinstance(filters, Filters) or filters is None else ui_filters(filters)
        for event in qa.ask_stream(question, turn["history"], k=k, mode=option(mode, "retrieval_mode", "retrieval mode"),
                                   answer_mode=option(answer_mode, "answer_mode", "answer mode"), filters=f):
            if isinstance(event, Answer):
                final = event
            else:
                text += event
                yield conv + [{**turn, "pending": True, "partial": text}]
    except BriefQAError as err:
        yield conv + [{**turn, "error": str(err)}]
        return
    assert final is not None, "ask_stream ends with an Answer"
    yield conv + [{**turn, "result": conversation.stored(final)}]


def rate(path: Path, conv: list[dict], turn_id: str, rating) -> tuple[list[dict], str | None]:
    """Record a thumbs up ("up"), down ("down") or its removal (None) for the answer with `turn_id`.

    The feedback line's id is the answer's id, so a later comment or change replaces it. Returns
    (the conversation with the rating stored, None) or (it unchanged, why nothing was saved).
    """
    conv = list(conv or [])
    i = conversation.find(conv, turn_id)
    if i is None or not conversation.ratable(conv[i]):
        return conv, "There is no answer there to rate."
    rating = rating if rating in ("up", "down") else None
    t = conv[i]
    record(path, t["question"], t["result"], rating, t.get("comment", ""), t.get("history", ()), feedback_id=t["id"])
    conv[i] = {**t, "rating": rating}
    return conv, None


def comment(path: Path, conv: list[dict], turn_id: str, text: str) -> tuple[list[dict], str | None]:
    """Attach a comment to the rated answer with `turn_id`; (conversation, None) or (unchanged, why not)."""
    conv = list(conv or [])
    i = conversation.find(conv, turn_id)
    if i is None or not conversation.ratable(conv[i]):
        return conv, "There is no answer there to comment on."
    if not (text or "").strip():
        return conv, "The comment is empty; type what was wrong or missing."
    t = conv[i]
    item = record(path, t["question"], t["result"], t.get("rating"), text, t.get("history", ()), feedback_id=t["id"])
    conv[i] = {**t, "comment": item["comment"]}
    return conv, None
