"""The real app in headless Chromium (Debian's, via Playwright) and from gradio_client.

Set BRIEFQA_SCREENSHOT=docs/screenshot.png to also write the README's screenshot.
"""
import json
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PPH = "How many PPH agreements does China have?"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# A finished assistant message (an answer, an abstention or an error), not one still streaming.
DONE = "#bq-chat .bq-answer:not(.bq-streaming), #bq-chat .bq-abstain, #bq-chat .bq-error"
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


@pytest.fixture
def page(browser, server):
    """A fresh page on the app; `page.requests` lists every URL it asked for, `page.dialogs` every alert."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    pg = ctx.new_page()
    pg.requests, pg.dialogs = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(server)
    pg.locator("#bq-question textarea").wait_for()
    yield pg
    ctx.close()


def ask(page, question: str):
    """Type `question`, send it, wait for the finished answer and return its locator."""
    before = page.locator(DONE).count()
    box = page.locator("#bq-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll({json.dumps(DONE)}).length > {before}", timeout=TIMEOUT_MS)
    return page.locator("#bq-chat [data-testid='bot']").last


def assert_all_local(requests: list[str], server: str):
    local = {urlsplit(server).hostname, "127.0.0.1", "localhost"}
    outside = [u for u in requests if not u.startswith(("data:", "blob:")) and urlsplit(u).hostname not in local]
    assert not outside, f"requests left the machine: {outside}"
    assert requests, "no requests were recorded at all"


def save_screenshot(page, tmp_path: Path):
    page.screenshot(path=str(tmp_path / "app.png"))
    target = os.environ.get("BRIEFQA_SCREENSHOT")
    if target:
        from PIL import Image

        Path(target).parent.mkdir(parents=True, exist_ok=True)
        img = Image.open(tmp_path / "app.png").convert("RGB")
        img.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


@pytest.mark.browser
def test_answer_cites_source_card_and_nothing_leaves_the_machine(page, server, tmp_path):
    bot = ask(page, PPH)
    assert "17 BRI partners" in bot.inner_text()
    cite = bot.locator("a.bq-cite", has_text="[1]").first
    cite.click()
    assert page.url.endswith("#bq-src-1-1")
    card = page.locator("#bq-src-1-1")
    assert card.evaluate("el => el.matches(':target')")
    assert card.locator(".bq-speaker").inner_text() == "Shen Changyu"
    assert "China Daily" in card.locator(".bq-asked").inner_text()
    mark = card.locator(".bq-passage mark")
    assert mark.is_visible() and "Patent Prosecution Highway (PPH) agreements with 17 BRI partners" in mark.inner_text()
    assert "29 July 2024" in card.locator(".bq-doc").inner_text()
    assert "SCIO briefing" in page.locator(".bq-docs").inner_text()  # which briefing is loaded
    page.locator("#bq-chat [data-testid='user']").last.scroll_into_view_if_needed()
    save_screenshot(page, tmp_path)  # question, answer and its highlighted source card
    card.locator("details.bq-context summary").click()
    assert card.locator(".bq-whole").is_visible()
    assert "Belt and Road" in card.locator(".bq-whole").inner_text()
    assert_all_local(page.requests, server)


@pytest.mark.browser
def test_follow_up_uses_the_history(page, server):
    ask(page, "What is the average examination period for invention patents?")
    text = ask(page, "And for trademarks?").inner_text()
    assert "four months" in text or "trademark registration" in text
    assert_all_local(page.requests, server)


@pytest.mark.browser
def test_off_topic_abstains_and_thumbs_down_with_comment_is_saved(page, server, settings):
    bot = ask(page, "What is the weather in Paris tomorrow?")
    box = bot.locator(".bq-abstain")
    assert box.is_visible() and "No answer from the briefing" in box.inner_text()
    assert box.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    assert bot.locator(".bq-related-item").count() >= 1 and "related reading" in bot.inner_text().lower()
    page.locator("#bq-chat button[aria-label='Dislike']").last.click()
    page.locator("#bq-comment textarea").fill("Should say the briefing is about IP, not weather")
    page.locator("#bq-send-comment").click()
    page.locator("#bq-feedback-status", has_text="Thank you").wait_for()
    items = [json.loads(line) for line in settings.feedback_path.read_text(encoding="utf-8").splitlines()]
    mine = [i for i in items if i["question"] == "What is the weather in Paris tomorrow?"]
    assert mine[-1]["rating"] == "down" and mine[-1]["abstained"] is True
    assert mine[-1]["comment"] == "Should say the briefing is about IP, not weather"
    assert_all_local(page.requests, server)


@pytest.mark.browser
def test_html_in_a_question_is_shown_as_text_and_never_runs(page, server):
    q = 'PPH agreements? <img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
    ask(page, q)
    user = page.locator("#bq-chat [data-testid='user']").last
    assert '<img src=x onerror="window.__pwned=1;alert(1)"><script>' in user.inner_text()
    assert page.locator("#bq-chat img[src='x'], #bq-chat script").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None and page.dialogs == []


@pytest.mark.browser
def test_example_button_asks_and_copy_answer_copies_plain_text(page, server):
    page.locator(".bq-example", has_text=PPH).click()
    page.wait_for_function(f"document.querySelectorAll({json.dumps(DONE)}).length > 0", timeout=TIMEOUT_MS)
    page.locator("#bq-copy").click()
    page.wait_for_function("navigator.clipboard.readText().then(t => t.length > 0)")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "17 BRI partners" in copied and "[1] Shen Changyu" in copied and "<" not in copied
    page.locator("#bq-clear").click()
    page.wait_for_function(f"document.querySelectorAll({json.dumps(DONE)}).length == 0")


def test_ask_api_from_gradio_client(server):
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    out = client.predict(PPH, "", 0, "", "", api_name="/ask")
    assert out["abstained"] is False and out["citations"][0]["speaker"] == "Shen Changyu"
    follow = client.predict(question="And for trademarks?", api_name="/ask", k=3, mode="hybrid",
                            history=json.dumps(["What is the average examination period for invention patents?"]))
    assert "four months" in follow["answer"]
    assert json.dumps(follow)  # plain JSON all the way
