"""Connect the components of ui.layout to ui.handlers and ui.api (call inside the app's gr.Blocks)."""
import json
import logging

import gradio as gr

from qa.errors import BriefQAError
from qa.service import BriefingQA

from . import api, briefings, conversation, handlers
from . import layout
from .layout import Layout

log = logging.getLogger(__name__)

PRIVATE = dict(api_visibility="private")


def wire(ui: Layout, qa: BriefingQA | briefings.Live, settings, demo: gr.Blocks) -> None:
    # Every handler reads the BriefingQA from `live`: adding or removing a briefing swaps it there.
    live = qa if isinstance(qa, briefings.Live) else briefings.Live(qa)
    path = settings.feedback_path
    filter_inputs = [ui.docs, ui.officials, ui.date_from, ui.date_to]

    def view(conv, done=None):
        return {**conversation.view(conv, live.qa.index.chunk_by_id), "done": done}

    def data(evt: gr.EventData) -> dict:
        return evt._data if isinstance(getattr(evt, "_data", None), dict) else {}

    # Asking: the browser queues questions and sends one at a time (static/chat.js).
    def on_ask(conv, k, mode, answer_mode, d_docs, d_people, d_from, d_to, evt: gr.EventData):
        d = data(evt)
        choice = {"docs": d_docs, "officials": d_people, "date_from": d_from, "date_to": d_to}
        conv = conversation.restore(conv)
        last = conv
        try:
            for last in handlers.chat_turn(live.qa, d.get("question", ""), conv, d.get("id"), int(k or 0) or None,
                                           mode, answer_mode, choice):
                yield view(last), last
        except Exception as err:  # a bug, not a bad question: say so in the chat, then let Gradio report it
            failed = [t for t in last if not t.get("pending")] + [
                {"id": conversation.new_id(d.get("id")), "question": str(d.get("question", "")),
                 "error": f"something went wrong while answering ({type(err).__name__}); please ask again"}]
            yield view(failed, d.get("tok")), failed
            raise
        yield view(last, d.get("tok")), last

    asking = ui.chat.ask(on_ask, [ui.conv, ui.k, ui.mode, ui.answer_mode, *filter_inputs], [ui.chat, ui.conv],
                show_progress="hidden", trigger_mode="multiple", **PRIVATE)

    def on_rate(conv, evt: gr.EventData):
        d = data(evt)
        conv, problem = handlers.rate(path, conversation.restore(conv), d.get("id"), d.get("rating"))
        if problem:
            gr.Warning(problem)
        return view(conv, d.get("tok")), conv

    def on_comment(conv, evt: gr.EventData):
        d = data(evt)
        conv, problem = handlers.comment(path, conversation.restore(conv), d.get("id"), d.get("text", ""))
        if problem:
            gr.Warning(problem)
        return view(conv, d.get("tok")), conv

    for event, fn in ((ui.chat.rate, on_rate), (ui.chat.comment, on_comment)):
        event(fn, [ui.conv], [ui.chat, ui.conv], show_progress="hidden", trigger_mode="multiple", **PRIVATE)

    # Restore the conversation and filters kept in this browser; then the browser asks anything
    # that was still queued or loading when the page was left.
    def restore(conv, saved):
        conv = conversation.restore(conv)
        c = handlers.choice(saved)
        docs = live.qa.documents
        known_docs = {d["doc_id"] for d in docs}
        known_people = {name for _, name in layout.officials(live.qa.index)}
        c["docs"] = [d for d in c["docs"] if d in known_docs]
        c["officials"] = [p for p in c["officials"] if p in known_people]
        return (view(conv, "restore"), conv, gr.Dropdown(choices=layout.doc_choices(docs), value=c["docs"]),
                gr.Dropdown(choices=layout.officials(live.qa.index), value=c["officials"]),
                c["date_from"] or None, c["date_to"] or None, handlers.chips_html(c, docs), c,
                briefings.rows_html(live.qa.index))

    outs = [ui.chat, ui.conv, *filter_inputs, ui.chips, ui.filters] + ([ui.add.listing] if ui.add else [])
    demo.load(lambda conv, saved: restore(conv, saved)[:len(outs)], [ui.conv, ui.filters], outs,
              show_progress="hidden", **PRIVATE)

    # Enter in the question box and the Ask button are handled in static/chat.js (takeQuestion), which
    # hands the question to the browser's queue; the examples do the same.
    for button, text in ui.examples:
        button.click(None, js=f"() => {{ window.bqChat.drawer(false); window.bqChat.submit({json.dumps(text)}); }}",
                     **PRIVATE)
    ui.copy.click(None, js="() => window.bqChat.copyLatest()", **PRIVATE)
    ui.drawer_open.click(None, js="() => window.bqChat.drawer(true)", **PRIVATE)
    ui.drawer_close.click(None, js="() => window.bqChat.drawer(false)", **PRIVATE)
    ui.clear.click(lambda: (view([], "clear"), []), None, [ui.chat, ui.conv], js="() => window.bqChat.clear()",
                   queue=False, show_progress="hidden", cancels=[asking], **PRIVATE)

    # Filters: chips above the conversation, kept in the browser, applied to every question.
    def filters_changed(d_docs, d_people, d_from, d_to):
        c = handlers.choice({"docs": d_docs, "officials": d_people, "date_from": d_from, "date_to": d_to})
        return handlers.chips_html(c, live.qa.documents), c

    for comp in filter_inputs:
        comp.change(filters_changed, filter_inputs, [ui.chips, ui.filters], show_progress="hidden", **PRIVATE)

    def remove_chip(d_docs, d_people, d_from, d_to, evt: gr.EventData):
        d = data(evt)
        c = handlers.without({"docs": d_docs, "officials": d_people, "date_from": d_from, "date_to": d_to},
                             str(d.get("key", "")), d.get("value"))
        return c["docs"], c["officials"], c["date_from"] or None, c["date_to"] or None

    ui.chips.remove(remove_chip, filter_inputs, filter_inputs, show_progress="hidden", **PRIVATE)

    if ui.add:
        wire_add_panel(ui, live)

    # The HTTP API: /ask and /search (README "API").
    def ask(question: str, history: list[str] | None = None, k: int | None = None, mode: str | None = None,
            filters: dict | None = None) -> dict:
        """Answer a question about the loaded briefings: the JSON result of `briefqa ask --json`, every
        sentence quoted from the transcript with its citation (speaker, outlet, character span)."""
        try:
            return api.ask(live.qa, question, history, k, mode, filters)
        except BriefQAError as err:
            # A refused call is the caller's mistake, not the server's: one line in the log, no traceback.
            log.warning(f"ask API: refused: {err}")
            raise gr.Error(str(err), print_exception=False) from None

    def search(query: str, k: int | None = None, mode: str | None = None, filters: dict | None = None) -> list[dict]:
        """Search the briefings: ranked answers (who said it, to which outlet, span) with the passages
        that matched, as `briefqa search --json`."""
        try:
            return api.search(live.qa, query, k, mode, filters)
        except BriefQAError as err:
            log.warning(f"search API: refused: {err}")
            raise gr.Error(str(err), print_exception=False) from None

    for fn, name in ((ask, "ask"), (search, "search")):
        gr.api(fn, api_name=name)
        api.describe(demo, name, api.PARAMS[name], api.RETURNS[name])


def wire_add_panel(ui: Layout, live: briefings.Live) -> None:
    """Preview, add and remove briefings (ui.briefings); after a change the Briefings list and the
    filter bar's choices show the new index, and every later question uses it."""
    p = ui.add
    fields = [p.upload, p.text, p.title, p.date]

    def lists(keep_docs, keep_people):
        docs, people = live.qa.documents, layout.officials(live.qa.index)
        known, names = {d["doc_id"] for d in docs}, {n for _, n in people}
        return (briefings.rows_html(live.qa.index),
                gr.Dropdown(choices=layout.doc_choices(docs), value=[d for d in keep_docs or [] if d in known]),
                gr.Dropdown(choices=people, value=[n for n in keep_people or [] if n in names]))

    def on_preview(upload, text, title, date):
        return briefings.preview(live.qa.settings, upload, text, title, date)[::-1]

    p.preview.click(on_preview, fields, [p.message, p.shown], **PRIVATE)

    def on_add(upload, text, title, date, d_docs, d_people):
        ok, line = briefings.add(live, upload, text, title, date)
        if not ok:
            return (line, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip())
        return (line, "", None, "", *lists(d_docs, d_people))

    p.add.click(on_add, [*fields, ui.docs, ui.officials],
                [p.message, p.shown, p.upload, p.text, p.listing, ui.docs, ui.officials], **PRIVATE)

    def on_remove(d_docs, d_people, evt: gr.EventData):
        d = evt._data if isinstance(getattr(evt, "_data", None), dict) else {}
        ok, line = briefings.remove(live, d.get("doc", ""))
        return (line, *lists(d_docs, d_people)) if ok else (line, gr.skip(), gr.skip(), gr.skip())

    p.listing.remove_briefing(on_remove, [ui.docs, ui.officials], [p.message, p.listing, ui.docs, ui.officials],
                              **PRIVATE)
