"""Issue 12's findings, tried as a reader would in Debian's Chromium at 1366×900 and 390×844:
where a new answer appears, questions asked while one loads, ratings, copying, reloading, source
cards, filters and the phone layout. Geometry is checked, never timing."""
import json

import pytest

from ui_browser import *  # noqa: F401,F403  (fixtures: server, browser)

SUMMARY = "Summarize the opening statement"
TRADEMARKS = "What has been done to protect trademarks?"


@pytest.fixture(params=VIEWPORTS)
def page(request, browser, server):
    pg = open_page(browser, server, request.param)
    pg.viewport = request.param
    yield pg
    pg.context.close()


def phone(page) -> bool:
    return page.viewport["width"] <= 480


def assert_answer_start_in_view(page, index=-1):
    g = answer_geometry(page, index)
    assert g["box_top"] - 1 <= g["question"] < g["answer"], g  # the question, just above its answer
    assert g["answer"] < g["box_bottom"] - 24, g  # the answer's first line is in the visible chat
    return g


def open_filters(page):
    if phone(page):
        page.locator("#bq-drawer-open").click()
        page.wait_for_function("getComputedStyle(document.querySelector('#bq-side')).transform === 'none'")


def close_filters(page):
    if phone(page):
        page.locator("#bq-drawer-close").click()
        page.wait_for_function("getComputedStyle(document.querySelector('#bq-side')).visibility === 'hidden'")


@pytest.mark.browser
def test_1_each_new_answer_starts_in_view_even_after_jumping_to_a_source(page):
    ask(page, SUMMARY)
    g = assert_answer_start_in_view(page)
    assert g["answerBottom"] > g["box_bottom"]  # a long answer: the view did not jump to its end
    page.locator("#bq-chat .bq-turn").last.locator("a.bq-cite", has_text="[3]").click()  # read a source below
    page.wait_for_function("location.hash === '#bq-src-1-3'")
    ask(page, PPH)
    assert_answer_start_in_view(page)
    ask(page, "What is the weather in Paris tomorrow?")  # an abstention with related reading under it
    assert_answer_start_in_view(page)


@pytest.mark.browser
def test_1_an_update_never_moves_a_reader_who_scrolled_up(page):
    ask(page, SUMMARY)
    ask(page, PPH)
    scroll = ("() => { const c = document.querySelector('#bq-chat .bq-conv'); const o = getComputedStyle(c).overflowY;"
              " return o === 'auto' ? c.scrollTop : window.scrollY; }")
    before = page.evaluate(scroll)
    page.mouse.move(page.viewport["width"] / 2, page.viewport["height"] / 2)
    page.mouse.wheel(0, -400)  # the reader goes back up to the summary
    page.wait_for_function(f"({scroll})() < {before - 100}")
    reading = page.evaluate(scroll)
    # The latest answer is redrawn (rated) while they read above it: the view stays where they are.
    page.evaluate("document.querySelector('#bq-chat .bq-turn:last-child .bq-rate').click()")
    page.locator("#bq-chat .bq-turn").last.locator(".bq-status").wait_for(state="attached")
    page.wait_for_function("!window.bqChat.state().busy")
    assert abs(page.evaluate(scroll) - reading) <= 2


@pytest.mark.browser
def test_2_a_question_asked_while_an_answer_loads_is_queued_and_answered_in_order(page):
    page.evaluate("""() => { window.__queued = []; new MutationObserver(() => {
        document.querySelectorAll('#bq-chat .bq-queued-tag').forEach(t => window.__queued.push(t.textContent)); })
      .observe(document.querySelector('#bq-chat'), {subtree: true, childList: true}); }""")
    questions = [SUMMARY, PPH, "Who chaired the press conference?"]
    # Typed and sent with Enter one after another in the same instant, so the second and third are
    # surely asked while the first loads (Playwright's own typing would leave that to timing).
    page.evaluate("""(qs) => { const box = document.querySelector('#bq-question textarea');
      for (const q of qs) {
        box.value = q; box.dispatchEvent(new Event('input', {bubbles: true}));
        box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true}));
      } }""", questions)
    assert page.evaluate("window.bqChat.state()")["queued"] == 3  # one being answered, two waiting
    assert page.locator("#bq-question textarea").input_value() == ""
    wait_answers(page, 3)
    assert any(t.startswith("Queued") for t in page.evaluate("window.__queued"))  # the reader saw it waiting
    users = page.locator("#bq-chat [data-testid='user']").all_inner_texts()
    assert users == questions
    bots = page.locator("#bq-chat [data-testid='bot']").all_inner_texts()
    assert "4.425 million" in bots[0] and "PPH" in bots[1] and "Xing Huina" in bots[2]
    assert page.locator("#bq-chat [data-testid='queued']").count() == 0
    assert_answer_start_in_view(page)


@pytest.mark.browser
def test_3_ratings_only_under_answers_and_a_rating_names_the_answer_it_rates(page, settings):
    page.locator("#bq-ask").click()  # an empty question: a red error, with nothing to rate
    wait_answers(page, 1)
    error = page.locator("#bq-chat .bq-turn").last
    assert error.locator(".bq-error").is_visible()
    assert error.locator(".bq-rate, .bq-comment-form, .bq-copy-one").count() == 0
    ask(page, PPH)
    ask(page, "What is the average examination period for invention patents?")
    first = page.locator("#bq-chat .bq-turn").nth(1)  # rate the earlier answer, not the latest
    first.locator("button.bq-rate[data-rating='down']").click()
    first.locator(".bq-status", has_text="Saved “not helpful” for this answer").wait_for()
    turn_id = first.get_attribute("data-turn")
    record = json.loads(settings.feedback_path.read_text(encoding="utf-8").splitlines()[-1])
    assert record["id"] == turn_id and record["question"] == PPH and record["rating"] == "down"
    assert "17 BRI partners" in record["answer"] and record["citations"][0]["speaker"] == "Shen Changyu"
    assert page.locator("#bq-chat .bq-turn").last.locator(".bq-status").count() == 0


@pytest.mark.browser
def test_4_copy_confirms_with_the_number_of_sources_and_asks_nothing_of_the_server(page):
    ask(page, SUMMARY)
    ask(page, PPH)
    summary = page.locator("#bq-chat .bq-turn").first
    sources = summary.locator(".bq-card .bq-n").count()
    asked = len(page.requests)
    summary.locator(".bq-copy-one").click()  # the per-answer button: this answer, not the latest
    page.locator("#bq-toast.bq-show", has_text=f"Copied answer with {sources} sources").wait_for()
    assert "4.425 million" in page.evaluate("navigator.clipboard.readText()")
    page.locator("#bq-copy").click()
    page.locator("#bq-toast.bq-show", has_text="Copied answer with 1 source").wait_for()
    assert "17 BRI partners" in page.evaluate("navigator.clipboard.readText()")
    assert len(page.requests) == asked


@pytest.mark.browser
def test_5_the_conversation_survives_a_reload_even_mid_answer_until_cleared(page, browser, server):
    ask(page, PPH)
    submit(page, SUMMARY)
    submit(page, "Who chaired the press conference?")
    page.reload()  # while those two are loading or queued
    wait_ready(page)
    wait_answers(page, 3)
    assert page.locator("#bq-chat [data-testid='user']").all_inner_texts() == [
        PPH, SUMMARY, "Who chaired the press conference?"]  # each once, in order
    assert "Xing Huina" in page.locator("#bq-chat [data-testid='bot']").last.inner_text()
    assert_answer_start_in_view(page)
    again = open_page(browser, server, page.viewport, context=page.context)  # a new tab, same browser
    assert again.locator("#bq-chat [data-testid='user']").count() == 3
    again.close()
    page.locator("#bq-clear").click()
    page.wait_for_function("document.querySelectorAll('#bq-chat .bq-turn').length === 0")
    page.reload()
    wait_ready(page)
    assert page.locator("#bq-chat .bq-turn").count() == 0 and page.locator(".bq-welcome").is_visible()


@pytest.mark.browser
def test_6_one_card_per_passage_with_all_its_numbers_and_a_one_line_question(page):
    bot = ask(page, SUMMARY)
    cards = bot.locator(".bq-card")
    passages = cards.locator(".bq-passage").all_inner_texts()
    assert len(passages) == len(set(passages))  # no paragraph twice
    numbers = [n for c in cards.all() for n in c.locator(".bq-n").all_inner_texts()]
    assert sorted(map(int, numbers)) == list(range(1, len(numbers) + 1)) and cards.count() < len(numbers)
    shared = next(c for c in cards.all() if c.locator(".bq-n").count() > 1)
    second = shared.locator(".bq-n").nth(1).inner_text()
    bot.locator("a.bq-cite", has_text=f"[{second}]").first.click()
    assert shared.evaluate("el => el.matches(':has(> .bq-anchor:target)')")  # [n] opens the card holding it
    bot = ask(page, PPH)
    asked = bot.locator(".bq-asked")
    line = asked.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 20")
    assert asked.bounding_box()["height"] < 1.8 * line  # the reporter's long question: one line
    asked.locator("summary").click()
    assert asked.bounding_box()["height"] > 2 * line and "Belt and Road" in asked.inner_text()
    bot = ask(page, "Who chaired the press conference?")
    compact = bot.locator(".bq-card-compact")
    assert compact.count() == 1 and "Xing Huina" in compact.inner_text()
    assert compact.locator(".bq-passage").count() == 0 and bot.locator(".bq-context").count() == 0
    assert compact.bounding_box()["height"] < (120 if phone(page) else 60)


@pytest.mark.browser
def test_7_filters_show_as_chips_apply_to_every_question_and_can_be_removed(page):
    open_filters(page)
    page.locator("#bq-f-officials input").click()
    page.locator("[role=option]", has_text="Hu Wenhui").click()
    page.locator("#bq-f-officials [data-testid='block-info']").click()  # its label: the list of officials closes
    close_filters(page)
    chip = page.locator("#bq-chips .bq-chip", has_text="Hu Wenhui")
    chip.wait_for()
    assert chip.bounding_box()["y"] < page.locator("#bq-chat").bounding_box()["y"]  # above the conversation
    for q in (TRADEMARKS, "What measures protect foreign companies?"):  # others answered these without the filter
        bot = ask(page, q)
        speakers = set(bot.locator(".bq-card .bq-speaker").all_inner_texts())
        assert speakers == {"Hu Wenhui"}, (q, speakers)
    chip.locator(".bq-chip-x").click()
    page.wait_for_function("!document.querySelector('#bq-chips .bq-chip')")
    open_filters(page)
    to = page.locator("#bq-f-to input").first
    to.fill("2020-12-31")
    to.press("Enter")
    close_filters(page)
    page.locator("#bq-chips .bq-chip", has_text="2020-12-31").wait_for()
    bot = ask(page, PPH)  # the briefing is from 2024: nothing left to search, and it says so
    assert "nothing to search" in bot.inner_text() and bot.locator(".bq-rate").count() == 0
    page.locator("#bq-chips .bq-chip-clear").click()
    page.wait_for_function("!document.querySelector('#bq-chips .bq-chip')")


@pytest.mark.browser
def test_8_phone_layout_keeps_the_question_box_and_tools_in_reach_without_nested_scrolling(page):
    ask(page, SUMMARY)
    ask(page, PPH)
    ask_row = page.locator("#bq-ask-row").bounding_box()
    tools = page.locator("#bq-tools").bounding_box()
    assert 0 <= tools["y"] and tools["y"] + tools["height"] <= page.viewport["height"]
    assert ask_row["y"] + ask_row["height"] <= page.viewport["height"] + 1 and ask_row["y"] > tools["y"]
    for sel in ("#bq-copy", "#bq-clear", "#bq-question textarea", "#bq-ask"):
        box = page.locator(sel).bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport["height"] + 1, sel
    scrollers = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        const s = getComputedStyle(el);
        return /(auto|scroll)/.test(s.overflowY) && el.scrollHeight > el.clientHeight + 1 && el.clientHeight > 0
          && s.visibility !== 'hidden' && el.closest('#bq-side') === null;
      }).map(el => el.id || el.className)""")
    if phone(page):
        assert scrollers == []  # the page is the only scroll area
        open_filters(page)
        for sel in ("#bq-side .bq-example", "#bq-f-officials", "#bq-settings"):
            box = page.locator(sel).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport["width"] + 1, sel
        close_filters(page)
    else:
        assert all("bq-conv" in str(s) for s in scrollers)  # only the conversation box scrolls
    # Tapping [n] shows its card below the toolbar; the question box stays where it was.
    page.locator("#bq-chat .bq-turn").first.locator("a.bq-cite", has_text="[2]").click()
    page.wait_for_function("location.hash === '#bq-src-1-2'")
    card = page.locator("#bq-chat .bq-card:has(#bq-src-1-2), #bq-chat #bq-src-1-2.bq-card").first.bounding_box()
    box = visible_box(page)
    assert box["top"] - 1 <= card["y"] < box["bottom"]
    assert page.locator("#bq-ask-row").bounding_box()["y"] == pytest.approx(ask_row["y"], abs=1)
