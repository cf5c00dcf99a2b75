"""The page's components and look: chat, question box, examples, settings, feedback. No behaviour here."""
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from qa.config import ANSWER_MODES, MODES, Settings

from . import render

CSS_PATH = Path(__file__).parent / "static" / "app.css"
# System fonts only: a named Google font would make every page load fetch from a CDN.
THEME = gr.themes.Default(
    primary_hue="blue", neutral_hue="slate",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)
EXAMPLES = (
    "How many PPH agreements does China have?",
    "What is the average examination period for invention patents?",
    "What has been done to protect geographical indications?",
    "Who asked about trademark applications?",
)
WELCOME = ("### Ask about the briefing\n"
           "Every sentence of an answer is quoted from the transcript. Click a [1] marker to see who "
           "said it, in answer to which reporter, with the quote highlighted.")


@dataclass
class Layout:
    """The components `ui.handlers.wire` connects."""

    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    copy: gr.Button
    clear: gr.Button
    last_text: gr.Textbox  # plain text of the latest answer, for the copy button
    examples: list[tuple[gr.Button, str]]
    k: gr.Slider
    mode: gr.Radio
    answer_mode: gr.Radio
    turns: gr.State  # one record per answer (ui.handlers.chat_turn)
    rated: gr.State  # the turn rated last, for the comment box
    feedback_box: gr.Group
    feedback_status: gr.HTML
    comment: gr.Textbox
    send_comment: gr.Button


def _llm_line(s: Settings) -> str:
    if s.llm_base_url and s.llm_model:
        return (f"Generative endpoint: `{s.llm_base_url}`, model `{s.llm_model}` "
                "(set with BRIEFQA_LLM_BASE_URL / BRIEFQA_LLM_MODEL; not editable here, "
                "so the API key is only ever sent where the operator chose).")
    return ("Generative answers are off: set BRIEFQA_LLM_BASE_URL and BRIEFQA_LLM_MODEL "
            "(an OpenAI-compatible endpoint) and restart to enable them.")


def build(documents: list[dict], settings: Settings) -> Layout:
    """Create the components inside the current gr.Blocks and return them."""
    llm_ready = bool(settings.llm_base_url and settings.llm_model)
    gr.HTML(f'<div class="bq-header"><h1>Briefing QA</h1>{render.documents_line(documents)}</div>',
            elem_id="bq-header")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            chatbot = gr.Chatbot(
                elem_id="bq-chat", label="Chat", show_label=False, height="68vh", min_height=420,
                render_markdown=False,  # messages are HTML built (and escaped) by ui.render
                # Gradio's copy buttons would copy the message HTML; "Copy answer" copies plain text.
                # No "share" button either: it posts to Hugging Face.
                buttons=[],
                feedback_options=("Like", "Dislike"), layout="panel", placeholder=WELCOME,
            )
            with gr.Row(elem_id="bq-ask-row", equal_height=True):
                question = gr.Textbox(show_label=False, placeholder="Ask a question about the briefing…",
                                      lines=1, max_lines=4, scale=6, elem_id="bq-question", autofocus=True,
                                      container=False)
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="bq-ask")
            with gr.Row(elem_id="bq-tools"):
                copy = gr.Button("Copy answer", size="sm", variant="secondary", elem_id="bq-copy", scale=0)
                clear = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="bq-clear", scale=0)
            last_text = gr.Textbox(visible=False, elem_id="bq-last-text")
        with gr.Column(scale=1, min_width=260, elem_id="bq-side"):
            gr.Markdown("**Try asking**")
            examples = []
            for text in EXAMPLES:
                examples.append((gr.Button(text, size="sm", variant="secondary", elem_classes=["bq-example"]), text))
            with gr.Group(visible=False, elem_id="bq-feedback") as feedback_box:
                feedback_status = gr.HTML(elem_id="bq-feedback-status")
                comment = gr.Textbox(show_label=False, placeholder="What was wrong or missing? (optional)",
                                     lines=2, max_lines=6, elem_id="bq-comment")
                send_comment = gr.Button("Send comment", size="sm", elem_id="bq-send-comment")
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
            gr.Markdown("Rate an answer with the thumbs under it; ratings stay on this machine "
                        "(in the feedback file).", elem_classes=["bq-small"])
    return Layout(chatbot, question, ask, copy, clear, last_text, examples, k, mode, answer_mode, gr.State([]), gr.State(None),
                  feedback_box, feedback_status, comment, send_comment)
