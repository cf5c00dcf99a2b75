"""The web UI's behaviour: chat turns, feedback and the ask API as plain functions over BriefingQA,
then `wire`, which connects them to the components from ui.layout."""
import json
import sys
from pathlib import Path
from typing import Iterator

from qa.config import ANSWER_MODES, MODES, check_k
from qa.errors import BriefQAError, ConfigError, QuestionError
from qa.feedback import record
from qa.service import BriefingQA
from qa.types import Answer

from . import render

COPY_JS = """(text) => {
  if (!text) return;
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text); return; }
  const area = document.createElement("textarea");  // plain http on another host: no Clipboard API
  area.value = text; area.style.position = "fixed"; area.style.opacity = "0";
  document.body.appendChild(area); area.select(); document.execCommand("copy"); area.remove();
}"""
THINKING = '<div class="bq-answer bq-streaming"><span class="bq-muted">Searching the briefing…</span></div>'


def _option(value, choices: tuple[str, ...], what: str) -> str | None:
    """'' or None means "the configured default"; anything else must be one of `choices`."""
    if value in (None, ""):
        return None
    if value not in choices:
        raise ConfigError(f"{what} {value!r} is not one of {', '.join(choices)}")
    return value


def chat_turn(qa: BriefingQA, question: str, messages: list[dict] | None, turns: list[dict] | None,
              k: int | None = None, mode: str | None = None,
              answer_mode: str | None = None) -> Iterator[tuple[list[dict], list[dict]]]:
    """Answer one chat turn, yielding (messages, turns) as the answer grows; the last yield is final.

    `messages` are the chat's {"role", "content"} dicts (content is HTML made by ui.render);
    `turns` is one record per assistant message: {"question", "history", "message", "result"
    (Answer.to_dict()) or "error"}. Earlier questions are passed to the library as history,
    so follow-ups work. Domain errors (an empty question, a bad setting) become an assistant
    message, never an exception.

    >>> *_, (msgs, turns) = chat_turn(qa, "How many PPH agreements?", [], [])   # doctest: +SKIP
    >>> turns[-1]["result"]["citations"][0]["speaker"]                          # doctest: +SKIP
    'Shen Changyu'
    """
    messages, turns = list(messages or []), list(turns or [])
    question = question or ""
    history = [t["question"] for t in turns if t.get("result")]
    turn_no = len(turns) + 1  # numbers the source-card anchors, unique on the page
    if question.strip():
        messages.append({"role": "user", "content": render.question_html(question)})
    turn = {"question": question, "history": history, "message": len(messages)}

    def snapshot(content: str, done: dict | None = None):
        return messages + [{"role": "assistant", "content": content}], turns + ([done] if done else [])

    yield snapshot(THINKING)
    text, final = "", None
    try:
        for event in qa.ask_stream(question, history, k=k, mode=_option(mode, MODES, "retrieval mode"),
                                   answer_mode=_option(answer_mode, ANSWER_MODES, "answer mode")):
            if isinstance(event, Answer):
                final = event
            else:
                text += event
                yield snapshot(render.streaming_html(text))
    except BriefQAError as err:
        message = str(err)
        yield snapshot(render.error_html(message[:1].upper() + message[1:] + "."), {**turn, "error": message})
        return
    assert final is not None, "ask_stream ends with an Answer"
    html = render.answer_html(final, turn_no, qa.index.chunk_by_id)
    yield snapshot(html, {**turn, "question": final.question, "result": final.to_dict(),
                          "text": plain_text(final)})


def plain_text(a: Answer) -> str:
    """The answer as the terminal prints it (text, then numbered sources): what "Copy answer" copies."""
    return a.to_text().strip()


def find_turn(turns: list[dict], message_index) -> int | None:
    """The position in `turns` of the turn whose assistant message is at `message_index`."""
    if isinstance(message_index, (list, tuple)):  # Gradio gives (row, column) for 2-D values
        message_index = message_index[0]
    for i, t in enumerate(turns or []):
        if t.get("message") == message_index:
            return i
    return None


def rate(path: Path, turns: list[dict], message_index, liked) -> tuple[list[dict], int | None, str]:
    """Record a thumbs up (liked True), down (False) or its removal ('' or None) for one answer.

    Returns (turns with the rating and feedback id stored, the turn rated or None, a status line).
    """
    turns = list(turns or [])
    i = find_turn(turns, message_index)
    if i is None or not turns[i].get("result"):
        return turns, None, "There is no answer there to rate."
    rating = "up" if liked is True else "down" if liked is False else None
    t = turns[i]
    item = record(path, t["question"], t["result"], rating, t.get("comment", ""), t.get("history", ()),
                  feedback_id=t.get("feedback_id"))
    turns[i] = {**t, "rating": rating, "feedback_id": item["id"]}
    word = {"up": "helpful", "down": "not helpful", None: "no rating"}[rating]
    status = f"Saved “{word}” for the answer to “{t['question']}”. Add a comment if you like:"
    return turns, i, status


def comment(path: Path, turns: list[dict], turn_index: int | None, text: str) -> tuple[list[dict], bool, str]:
    """Attach a comment to the answer rated last; returns (turns, whether it was saved, a status line)."""
    turns = list(turns or [])
    if turn_index is None or turn_index >= len(turns) or not turns[turn_index].get("result"):
        return turns, False, "Rate an answer with the thumbs under it first, then add your comment."
    if not (text or "").strip():
        return turns, False, "The comment is empty; type what was wrong or missing."
    t = turns[turn_index]
    item = record(path, t["question"], t["result"], t.get("rating"), text, t.get("history", ()),
                  feedback_id=t.get("feedback_id"))
    turns[turn_index] = {**t, "comment": item["comment"], "feedback_id": item["id"]}
    return turns, True, f"Thank you: your comment on “{t['question']}” was saved."


def api_answer(qa: BriefingQA, question: str, history: str = "", k: int = 0, mode: str = "",
               answer_mode: str = "") -> dict:
    """The ask API: `history` is a JSON array of earlier questions ('' for none); 0 or '' mean defaults.

    Returns the documented JSON result (Answer.to_dict). Raises BriefQAError on bad input.
    """
    if history is not None and not isinstance(history, str):
        raise ConfigError(f"history must be a string holding a JSON array, got {type(history).__name__}")
    try:
        hist = json.loads(history) if history and history.strip() else []
    except json.JSONDecodeError as err:
        raise ConfigError(f"history must be a JSON array of earlier questions, e.g. [\"...\"] ({err})") from None
    except RecursionError:
        raise ConfigError("history is nested too deeply; give a flat JSON array of earlier questions") from None
    if not isinstance(hist, list) or not all(isinstance(h, str) for h in hist):
        raise ConfigError("history must be a JSON array of strings (earlier questions, oldest first)")
    if question is not None and not isinstance(question, str):
        raise QuestionError(f"the question must be a string, got {type(question).__name__}")
    a = qa.ask(question, hist, k=check_k(k, "k"), mode=_option(mode, MODES, "retrieval mode"),
               answer_mode=_option(answer_mode, ANSWER_MODES, "answer mode"))
    return a.to_dict()


def wire(ui, qa: BriefingQA, settings) -> None:
    """Connect the components of a ui.layout.Layout to the functions above (call inside its Blocks)."""
    import gradio as gr

    path = settings.feedback_path

    def turn(question, messages, turns, k, mode, answer_mode):  # not "ask": that name is the API's
        for msgs, new_turns in chat_turn(qa, question, messages, turns, int(k or 0) or None, mode, answer_mode):
            last = next((t["text"] for t in reversed(new_turns) if t.get("text")), "")
            yield "", msgs, new_turns, last

    turn_io = dict(inputs=[ui.question, ui.chatbot, ui.turns, ui.k, ui.mode, ui.answer_mode],
                   outputs=[ui.question, ui.chatbot, ui.turns, ui.last_text], api_visibility="private")
    ui.question.submit(turn, **turn_io)
    ui.ask.click(turn, **turn_io)
    for button, text in ui.examples:
        button.click(lambda t=text: t, None, ui.question, api_visibility="private", queue=False).then(turn, **turn_io)

    def copied(text):
        if text:
            gr.Info("Copied the latest answer and its sources.")
        else:
            gr.Warning("There is no answer to copy yet.")

    ui.copy.click(copied, [ui.last_text], None, js=COPY_JS, api_visibility="private", queue=False)

    def clear():
        return [], [], None, gr.update(visible=False), "", ""

    cleared = [ui.chatbot, ui.turns, ui.rated, ui.feedback_box, ui.question, ui.last_text]
    ui.clear.click(clear, None, cleared, api_visibility="private", queue=False)
    ui.chatbot.clear(clear, None, cleared, api_visibility="private", queue=False)

    def status(text):
        return f'<div class="bq-status">{render.e(text)}</div>'

    def on_like(turns, evt: gr.LikeData):
        turns, i, line = rate(path, turns, evt.index, evt.liked)
        return turns, i, gr.update(visible=True), status(line)

    ui.chatbot.like(on_like, [ui.turns], [ui.turns, ui.rated, ui.feedback_box, ui.feedback_status],
                    api_visibility="private")

    def on_comment(turns, rated, text):
        turns, saved, line = comment(path, turns, rated, text)
        return turns, status(line), ("" if saved else text)

    send = dict(inputs=[ui.turns, ui.rated, ui.comment], outputs=[ui.turns, ui.feedback_status, ui.comment],
                api_visibility="private")
    ui.send_comment.click(on_comment, **send)
    ui.comment.submit(on_comment, **send)

    def ask_api(question: str, history: str = "", k: int = 0, mode: str = "", answer_mode: str = "") -> dict:
        """Answer a question about the loaded briefings with citations.

        Args:
            question: the question.
            history: earlier questions as a JSON array, oldest first ("" for none).
            k: answers to retrieve, 1 to 50 (0 = default).
            mode: retrieval mode: dense, bm25 or hybrid ("" = default).
            answer_mode: extractive or llm ("" = default).
        """
        try:
            return api_answer(qa, question, history, k, mode, answer_mode)
        except BriefQAError as err:
            # A refused call is the caller's mistake, not the server's: one line in the log, no traceback.
            print(f"ask API: refused: {err}", file=sys.stderr, flush=True)
            raise gr.Error(str(err), print_exception=False) from None

    gr.api(ask_api, api_name="ask")
