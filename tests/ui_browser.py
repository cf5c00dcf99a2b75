"""Fixtures and helpers for the browser tests: the real app on a free port (one per test module),
Debian's Chromium through Playwright, and ways to ask and measure what the reader sees.

Import the fixtures into a test module with `from ui_browser import *`.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

__all__ = ["server", "browser", "open_page", "wait_ready", "ask", "submit", "wait_answers", "visible_box",
           "answer_geometry", "assert_all_local", "save_png", "DESKTOP", "PHONE", "VIEWPORTS", "DONE", "TIMEOUT_MS",
           "PPH"]

PPH = "How many PPH agreements does China have?"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
# A finished bot message: an answer, an abstention or an error (not a question still being answered).
DONE = "#bq-chat [data-testid='bot']:not([data-kind='pending'])"
TIMEOUT_MS = 90_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(settings, embedder, index):
    """The app, launched in this process on a free local port, over the session's model and index."""
    from qa.service import BriefingQA
    from ui.app import launch, make_app

    demo = make_app(BriefingQA(settings, embedder, index), settings)
    _, url, _ = launch(demo, "127.0.0.1", _free_port(), prevent_thread_lock=True, quiet=True)
    yield url.rstrip("/")
    demo.close()


@pytest.fixture(scope="module")
def browser():
    exe = shutil.which("chromium")
    if not exe:
        reason = "Debian's chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(reason + " and CI is set")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, server, viewport=DESKTOP, context=None):
    """A page on the app (in `context`, or a fresh one), ready: the stored conversation drawn.
    `page.requests` lists every URL it asked for, `page.dialogs` every alert."""
    ctx = context or browser.new_context(viewport=viewport, is_mobile=viewport["width"] <= 480,
                                         has_touch=viewport["width"] <= 480)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    pg = ctx.new_page()
    pg.requests, pg.dialogs = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(server)
    wait_ready(pg)
    return pg


def wait_ready(page):
    page.wait_for_function("window.bqChat && window.bqChat.state().ready")


def submit(page, question: str):
    """Type `question` and press Enter, without waiting for the answer."""
    box = page.locator("#bq-question textarea")
    box.fill(question)
    box.press("Enter")


def wait_answers(page, count: int):
    """Wait until `count` finished bot messages are on the page and nothing is queued or loading."""
    page.wait_for_function(
        f"document.querySelectorAll({json.dumps(DONE)}).length >= {count} && !window.bqChat.state().busy "
        "&& window.bqChat.state().queued === 0")


def ask(page, question: str):
    """Ask `question`, wait for its finished answer and return the bot message's locator."""
    before = page.locator(DONE).count()
    submit(page, question)
    wait_answers(page, before + 1)
    return page.locator("#bq-chat [data-testid='bot']").last


def visible_box(page) -> dict:
    """The part of the window where the conversation can be read: the chat box on a wide screen;
    on a phone, the window between the sticky toolbar and the fixed question box."""
    return page.evaluate("""() => {
      const conv = document.querySelector('#bq-chat .bq-conv');
      const o = getComputedStyle(conv).overflowY;
      if (o === 'auto' || o === 'scroll') { const r = conv.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }
      const tools = document.querySelector('#bq-tools').getBoundingClientRect();
      const ask = document.querySelector('#bq-ask-row').getBoundingClientRect();
      return {top: Math.max(0, tools.bottom), bottom: Math.min(window.innerHeight, ask.top)};
    }""")


def answer_geometry(page, index: int = -1) -> dict:
    """Where the question and the start of the answer of turn `index` are, relative to the visible chat."""
    box = visible_box(page)
    pos = page.evaluate("""(i) => {
      const turns = [...document.querySelectorAll('#bq-chat .bq-turn:not(.bq-queued)')];
      const t = turns.at(i);
      const q = t.querySelector('.bq-user'), a = t.querySelector('.bq-bot');
      return {question: q.getBoundingClientRect().top, answer: a.getBoundingClientRect().top,
              answerBottom: a.getBoundingClientRect().bottom};
    }""", index)
    return {**pos, **{"box_" + k: v for k, v in box.items()}}


def assert_all_local(requests: list[str], server: str):
    local = {urlsplit(server).hostname, "127.0.0.1", "localhost"}
    outside = [u for u in requests if not u.startswith(("data:", "blob:")) and urlsplit(u).hostname not in local]
    assert not outside, f"requests left the machine: {outside}"
    assert requests, "no requests were recorded at all"


def save_png(page, target: Path, full_page: bool = False):
    """A screenshot as a small PNG (128 colours), for the README."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    raw = target.with_suffix(".raw.png")
    page.screenshot(path=str(raw), full_page=full_page)
    Image.open(raw).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    raw.unlink()
