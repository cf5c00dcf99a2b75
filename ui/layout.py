"""The page's components and look: toolbar, filter chips, conversation, question box, and a side panel
(a drawer on a phone) with examples, filters and settings. No behaviour here."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from qa.config import ANSWER_MODES, MODES, Settings

from . import render
from .text import e, nice_date

STATIC = Path(__file__).parent / "static"
CSS_PATH = STATIC / "app.css"
HEAD = f'<style>{(STATIC / "page.css").read_text(encoding="utf-8")}</style>'
CHAT_JS = (STATIC / "chat.js").read_text(encoding="utf-8")
# System fonts only: a named Google font would make every page load fetch from a CDN.
THEME = gr.themes.Default(
    primary_hue="blue", neutral_hue="slate",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)
EXAMPLES = (
    "How many PPH agreements does China have?",
    "Who chaired the press conference?",
    "What are the three WIPO systems where Chinese applicants rank among the leaders?",
    "Compare what Hu Wenhui and Wang Peizhang said about patents",
    "Summarize the opening statement",
    "What did the commissioner say about foreign companies?",
)


@dataclass
class Layout:
    """The components `ui.wiring.wire` connects."""

    chat: gr.HTML  # the conversation, drawn in the browser by static/chat.js
    chips: gr.HTML  # active filters above the conversation
    question: gr.Textbox
    ask: gr.Button
    copy: gr.Button
    clear: gr.Button
    drawer_open: gr.Button
    drawer_close: gr.Button
    examples: list[tuple[gr.Button, str]]
    docs: gr.Dropdown
    officials: gr.Dropdown
    date_from: gr.DateTime
    date_to: gr.DateTime
    k: gr.Slider
    mode: gr.Radio
    answer_mode: gr.Radio
    conv: gr.BrowserState  # the conversation (ui.conversation), kept in the browser
    filters: gr.BrowserState  # the filter bar's choice, kept in the browser
    add: "AddPanel | None" = None  # the "Add a briefing" panel


@dataclass
class AddPanel:
    """The "Add a briefing" accordion (ui.briefings does the work)."""

    upload: gr.File
    text: gr.Textbox
    title: gr.Textbox
    date: gr.Textbox
    preview: gr.Button
    add: gr.Button
    message: gr.Markdown  # one line: what happened, or what is wrong
    shown: gr.HTML  # the preview: roster, answers, warnings
    listing: gr.HTML  # the Briefings list, with a Remove button per briefing


def _llm_line(s: Settings) -> str:
    if s.llm_base_url and s.llm_model:
        return (f"Generative endpoint: `{s.llm_base_url}`, model `{s.llm_model}` "
                "(set with BRIEFQA_LLM_BASE_URL / BRIEFQA_LLM_MODEL; not editable here, "
                "so the API key is only ever sent where the operator chose).")
    return ("Generative answers are off: set BRIEFQA_LLM_BASE_URL and BRIEFQA_LLM_MODEL "
            "(an OpenAI-compatible endpoint) and restart to enable them.")


def welcome_html() -> str:
    """What an empty conversation shows: what the app does and questions to try."""
    buttons = "".join(f'<button type="button" class="bq-example" data-q="{e(q)}">{e(q)}</button>' for q in EXAMPLES)
    return ('<div class="bq-welcome"><h2>Ask about the briefing</h2>'
            '<p>Every sentence of an answer is quoted from the transcript. Click a [1] marker to see who said '
            'it, in answer to which reporter, with the quote highlighted.</p>'
            f'<div class="bq-welcome-examples">{buttons}</div></div>')


def chat_template() -> str:
    # Constant: Gradio never redraws it, so static/chat.js owns everything inside. (The template is
    # evaluated as a JavaScript template literal; the welcome text has no backquote or "${".)
    html = f'<div class="bq-conv" role="log" aria-label="Conversation">{welcome_html()}<div class="bq-turns"></div></div>'
    assert "`" not in html and "${" not in html and "{{" not in html
    return html


def doc_choices(documents: list[dict]) -> list[tuple[str, str]]:
    """(label, doc_id) of every briefing, for the Briefings filter."""
    return [(f"{d.get('title') or d['doc_id']} ({nice_date(d.get('date'))})", d["doc_id"]) for d in documents]


def officials(index) -> list[tuple[str, str]]:
    """(label, name) of everyone who answered a question or gave the opening statement, in order of first answer."""
    seen: dict[str, str] = {}
    for c in index.chunks:
        seen.setdefault(c.speaker, c.speaker_title)
    return [(f"{name} ({title})" if title else name, name) for name, title in seen.items()]


def storage_secret(documents: list[dict]) -> str:
    """BrowserState's key, stable while the corpus is: a conversation survives a server restart, and one
    about another corpus (whose citations would no longer match) is not read back."""
    return hashlib.sha256("".join(sorted(d.get("sha256", "") for d in documents)).encode()).hexdigest()[:32]


UPLOAD_TYPES = [".txt", ".html", ".htm", ".pdf", ".docx"]


def add_panel(listing_html: str) -> AddPanel:
    """Upload or paste a transcript, preview it, add it; the Briefings list with Remove buttons."""
    with gr.Accordion("Add a briefing", open=False, elem_id="bq-add"):
        upload = gr.File(label="Transcript file (.txt .html .htm .pdf .docx)", file_types=UPLOAD_TYPES,
                         file_count="single", type="filepath", elem_id="bq-add-file")
        text = gr.Textbox(label="…or paste the transcript", lines=5, max_lines=12, elem_id="bq-add-text")
        title = gr.Textbox(label="Title (optional)", elem_id="bq-add-title")
        date = gr.Textbox(label="Date (optional)", placeholder="2024-07-29 or July 29, 2024", elem_id="bq-add-date")
        with gr.Row():
            preview = gr.Button("Preview", size="sm", variant="secondary", elem_id="bq-add-preview")
            add = gr.Button("Add to the index", size="sm", variant="primary", elem_id="bq-add-go")
        message = gr.Markdown("", elem_id="bq-add-message", elem_classes=["bq-small"])
        shown = gr.HTML("", elem_id="bq-add-shown", js_on_load=None)
        gr.Markdown("**Briefings**")
        listing = gr.HTML(listing_html, elem_id="bq-briefings", js_on_load=BRIEFINGS_JS)
    return AddPanel(upload, text, title, date, preview, add, message, shown, listing)


def build(documents: list[dict], people: list[tuple[str, str]], settings: Settings,
          listing_html: str = "") -> Layout:
    """Create the components inside the current gr.Blocks and return them."""
    llm_ready = bool(settings.llm_base_url and settings.llm_model)
    secret = storage_secret(documents)
    gr.HTML(f'<div class="bq-header"><h1>Briefing QA</h1>{render.documents_line(documents)}</div>',
            elem_id="bq-header", js_on_load=None)
    with gr.Row(equal_height=False, elem_id="bq-page"):
        with gr.Column(scale=3, min_width=320, elem_id="bq-main"):
            with gr.Row(elem_id="bq-tools"):
                drawer_open = gr.Button("☰ Filters & settings", size="sm", variant="secondary",
                                        elem_id="bq-drawer-open", scale=0)
                copy = gr.Button("Copy answer", size="sm", variant="secondary", elem_id="bq-copy", scale=0)
                clear = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="bq-clear", scale=0)
            chips = gr.HTML("", elem_id="bq-chips", js_on_load=CHIPS_JS)
            chat = gr.HTML({"turns": [], "done": None}, html_template=chat_template(), js_on_load=CHAT_JS,
                           elem_id="bq-chat", apply_default_css=False)
            with gr.Row(elem_id="bq-ask-row", equal_height=True):
                question = gr.Textbox(show_label=False, placeholder="Ask a question about the briefing…",
                                      lines=1, max_lines=4, scale=6, elem_id="bq-question", autofocus=True,
                                      container=False)
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=72, elem_id="bq-ask")
        with gr.Column(scale=1, min_width=260, elem_id="bq-side"):
            drawer_close = gr.Button("Close ✕", size="sm", variant="secondary", elem_id="bq-drawer-close")
            with gr.Accordion("Filters", open=True, elem_id="bq-filters"):
                docs = gr.Dropdown(doc_choices(documents), value=[], multiselect=True, label="Briefings",
                                   info="answer only from these (--doc)", elem_id="bq-f-docs")
                who = gr.Dropdown(people, value=[], multiselect=True, label="Officials",
                                  info="quote only these officials (--speaker)", elem_id="bq-f-officials")
                date_from = gr.DateTime(include_time=False, type="string", label="From (--date-from)",
                                        elem_id="bq-f-from")
                date_to = gr.DateTime(include_time=False, type="string", label="To (--date-to)", elem_id="bq-f-to")
            gr.Markdown("**Try asking**")
            examples = []
            for text in EXAMPLES:
                examples.append((gr.Button(text, size="sm", variant="secondary", elem_classes=["bq-example"]), text))
            with gr.Accordion("Settings", open=False, elem_id="bq-settings"):
                k = gr.Slider(1, 10, value=settings.top_k, step=1, label="Passages (k)",
                              info="answers from the transcript searched for the best sentences",
                              elem_id="bq-k")
                mode = gr.Radio(list(MODES), value=settings.retrieval_mode, label="Retrieval",
                                info="hybrid = meaning + keywords; dense = meaning; bm25 = keywords",
                                elem_id="bq-mode")
                answer_mode = gr.Radio(list(ANSWER_MODES) if llm_ready else ["extractive"],
                                       value=settings.answer_mode if llm_ready else "extractive",
                                       label="Answer", interactive=llm_ready, elem_id="bq-answer-mode",
                                       info="extractive quotes sentences; llm writes an answer, then checks it")
                gr.Markdown(_llm_line(settings), elem_classes=["bq-small"])
            panel = add_panel(listing_html)
            gr.Markdown("Rate an answer with the thumbs under it; ratings stay on this machine (in the feedback "
                        "file). The conversation is kept in this browser only, until you clear it.",
                        elem_classes=["bq-small"])
    conv = gr.BrowserState([], storage_key="briefqa-conversation", secret=secret)
    filters = gr.BrowserState({}, storage_key="briefqa-filters", secret=secret)
    return Layout(chat, chips, question, ask, copy, clear, drawer_open, drawer_close, examples, docs, who,
                  date_from, date_to, k, mode, answer_mode, conv, filters, panel)


# The chips' × buttons ask Python to drop one filter (ui.wiring: chips.remove).
CHIPS_JS = """
element.addEventListener("click", (ev) => {
  const x = ev.target.closest(".bq-chip-x, .bq-chip-clear");
  if (!x) return;
  const chip = x.closest(".bq-chip");
  trigger("remove", chip ? {key: chip.dataset.key, value: chip.dataset.value} : {key: "all"});
});
"""

# A Remove button in the Briefings list asks Python to remove that briefing (ui.wiring: listing.remove_briefing).
BRIEFINGS_JS = """
element.addEventListener("click", (ev) => {
  const b = ev.target.closest(".bq-remove");
  if (!b) return;
  if (!window.confirm("Remove " + b.dataset.doc + " from the corpus and the index?")) return;
  trigger("remove_briefing", {doc: b.dataset.doc});
});
"""
