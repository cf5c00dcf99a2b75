"""The real app in headless Chromium (Debian's, via Playwright) and its HTTP API.

Set BRIEFQA_SCREENSHOT=docs/screenshot.png to also write the README's first screenshot.
"""
import json
import os
import urllib.request
from pathlib import Path

import pytest

from ui_browser import *  # noqa: F401,F403  (fixtures: server, browser)


@pytest.fixture
def page(browser, server):
    pg = open_page(browser, server, DESKTOP)
    yield pg
    pg.context.close()


@pytest.mark.browser
def test_answer_cites_source_card_and_nothing_leaves_the_machine(page, server):
    bot = ask(page, PPH)
    assert "17 BRI partners" in bot.inner_text()
    bot.locator("a.bq-cite", has_text="[1]").first.click()
    assert page.url.endswith("#bq-src-1-1")
    card = page.locator("#bq-src-1-1")
    assert card.evaluate("el => el.matches(':target')")
    assert card.locator(".bq-speaker").inner_text() == "Shen Changyu"
    assert "China Daily" in card.locator(".bq-asked").inner_text()
    mark = card.locator(".bq-passage mark")
    assert mark.is_visible() and "Patent Prosecution Highway (PPH) agreements with 17 BRI partners" in mark.inner_text()
    assert "bq-current" in mark.get_attribute("class")  # the quote of the [n] opened stands out
    assert "29 July 2024" in card.locator(".bq-doc").inner_text()
    assert "SCIO briefing" in page.locator(".bq-docs").inner_text()  # which briefing is loaded
    if os.environ.get("BRIEFQA_SCREENSHOT"):
        page.locator("#bq-chat .bq-turn").last.evaluate("el => el.scrollIntoView()")
        save_png(page, Path(os.environ["BRIEFQA_SCREENSHOT"]))
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
def test_off_topic_abstains_in_the_librarys_words_and_a_thumbs_down_with_comment_is_saved(page, server, settings):
    q = "What is the weather in Paris tomorrow?"
    bot = ask(page, q)
    box = bot.locator(".bq-abstain")
    assert box.is_visible() and box.inner_text().strip().startswith("The briefing never mentions Paris.")
    assert box.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    assert "related reading" in bot.inner_text().lower()
    bot.locator("button.bq-rate[data-rating='down']").click()
    bot.locator(".bq-status", has_text="Saved “not helpful” for this answer").wait_for()
    assert bot.locator("button.bq-rate[data-rating='down']").get_attribute("aria-pressed") == "true"
    bot.locator(".bq-comment-form textarea").fill("Should say the briefing is about IP, not weather")
    bot.locator(".bq-send-comment").click()
    bot.locator(".bq-status", has_text="Thank you").wait_for()
    items = [json.loads(line) for line in settings.feedback_path.read_text(encoding="utf-8").splitlines()]
    mine = [i for i in items if i["question"] == q]
    turn_id = bot.evaluate("el => el.closest('[data-turn]').dataset.turn")
    assert mine[-1]["id"] == turn_id and mine[-1]["rating"] == "down" and mine[-1]["abstained"] is True
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
def test_example_button_asks_and_copy_answer_copies_plain_text_and_says_so(page, server):
    page.locator("#bq-side .bq-example", has_text=PPH).click()
    wait_answers(page, 1)
    asked = len(page.requests)
    page.locator("#bq-copy").click()
    page.locator("#bq-toast.bq-show", has_text="Copied answer with 1 source").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "17 BRI partners" in copied and "[1] Shen Changyu" in copied and "<" not in copied
    assert len(page.requests) == asked  # copying happens in the browser: the server hears nothing of it
    page.locator("#bq-clear").click()
    page.wait_for_function(f"document.querySelectorAll({json.dumps(DONE)}).length == 0")
    page.locator("#bq-copy").click()
    page.locator("#bq-toast.bq-show", has_text="There is no answer to copy yet.").wait_for()


@pytest.mark.browser
def test_footer_has_no_stray_separator_and_the_api_page_describes_each_parameter(page):
    footer = page.locator("footer")
    assert footer.inner_text().strip().replace("\n", " ").endswith("Use via API")  # no trailing "·"
    footer.locator("button.show-api").click()
    page.get_by_text("/ask", exact=False).first.wait_for()
    text = page.locator("body").inner_text()
    for words in ("earlier questions of the conversation", "restrict the search", "what to search for"):
        assert words in text


def test_ask_api_from_gradio_client_with_only_the_question_then_every_parameter(server):
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    out = client.predict(PPH, api_name="/ask")
    assert out["abstained"] is False and out["citations"][0]["speaker"] == "Shen Changyu"
    assert out["intent"] == "fact" and out["blocks"] and "plan" in out  # the documented JSON result
    follow = client.predict(question="And for trademarks?", api_name="/ask", k=3, mode="extractive",
                            history=["What is the average examination period for invention patents?"])
    assert "four months" in follow["answer"]
    hu = client.predict(question="What has been done to protect trademarks?", filters={"speaker": "Hu Wenhui"},
                        api_name="/ask")
    assert hu["citations"] and {c["speaker"] for c in hu["citations"]} == {"Hu Wenhui"}
    hits = client.predict("PPH agreements", k=2, api_name="/search")
    assert len(hits) == 2 and hits[0]["speaker"] == "Shen Changyu" and hits[0]["passages"][0]["text"]
    with pytest.raises(Exception, match="unknown filter 'who'"):
        client.predict("PPH?", filters={"who": "Hu"}, api_name="/ask")
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for name in ("/ask", "/search"):
        params = info[name]["parameters"]
        assert [p["parameter_has_default"] for p in params] == [False] + [True] * (len(params) - 1)
        assert all(p["python_type"]["description"] for p in params), name


@pytest.mark.parametrize("route", ["call/ask", "call/v2/ask"])
def test_ask_over_plain_http_with_only_the_question(server, route):
    """What the README's curl example does: POST the question, then read the event stream."""
    body = {"data": [PPH]} if route == "call/ask" else {"question": PPH}
    req = urllib.request.Request(f"{server}/gradio_api/{route}", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    event_id = json.load(urllib.request.urlopen(req, timeout=60))["event_id"]
    stream = urllib.request.urlopen(f"{server}/gradio_api/{route}/{event_id}", timeout=60).read().decode()
    assert "event: complete" in stream, stream[:500]
    data = json.loads(stream.split("event: complete\ndata: ", 1)[1].splitlines()[0])
    assert data[0]["citations"][0]["speaker"] == "Shen Changyu"
