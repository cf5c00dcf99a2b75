"""One question of each kind asked in the real UI, its answer's text checked and its drawing: a table,
a numbered list, two columns (stacked on a phone), bullet points, quotes by official, a cited
paragraph, and both abstentions in their own words.

Set BRIEFQA_SCREENSHOTS=docs to write docs/ui-<kind>-<desktop|phone>.png (the README shows them).
"""
import os
from pathlib import Path

import pytest

from ui_browser import *  # noqa: F401,F403  (fixtures: server, browser)

KINDS = [
    ("structure", "Who chaired the press conference?"),
    ("list", "What are the three WIPO systems where Chinese applicants rank among the leaders?"),
    ("compare", "Compare what Hu Wenhui and Wang Peizhang said about patents"),
    ("summary", "Summarize the opening statement"),
    ("overview", "What did the commissioner say about foreign companies?"),
    ("fact", "How many PPH agreements does China have?"),
    ("absent", "What is the weather in Paris tomorrow?"),
    ("not-found", "How did the stock market react to the briefing?"),
]


def check(kind, bot, phone):
    text = bot.inner_text()
    answer = bot.locator("[data-slot='answer']")
    if kind == "structure":
        row = answer.locator("table.bq-table tbody tr").first
        assert answer.locator("table.bq-table th").first.inner_text() == "Chairperson"
        assert row.locator("td").first.inner_text().startswith("Xing Huina")
    elif kind == "list":
        items = [li.split(" [")[0].strip() for li in answer.locator("ol.bq-list > li").all_inner_texts()]
        assert items == ["PCT international patents", "Hague system designs", "Madrid international trademarks"]
        assert answer.locator("ol.bq-list > li a.bq-cite").count() == 3
    elif kind == "compare":
        cols = answer.locator(".bq-columns > .bq-col")
        assert cols.count() == 2
        assert cols.nth(0).locator(".bq-col-head").inner_text().startswith("Hu Wenhui")
        assert cols.nth(1).locator(".bq-col-head").inner_text().startswith("Wang Peizhang")
        a, b = cols.nth(0).bounding_box(), cols.nth(1).bounding_box()
        if phone:
            assert b["y"] >= a["y"] + a["height"] - 1  # stacked
        else:
            assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"] - 1  # side by side
    elif kind == "summary":
        assert answer.locator("ul.bq-bullets > li").count() >= 5 and "4.425 million" in text
    elif kind == "overview":
        assert answer.locator(".bq-attr").first.inner_text().startswith("Shen Changyu")
        assert "foreign" in answer.inner_text() and answer.locator("a.bq-cite").count() >= 2
    elif kind == "fact":
        assert "PPH" in answer.inner_text() and "17 BRI partners" in answer.inner_text()
        assert answer.locator("p.bq-text a.bq-cite").count() == 1
    elif kind == "absent":
        assert answer.locator(".bq-abstain .bq-note").first.inner_text() == "The briefing never mentions Paris."
    elif kind == "not-found":
        note = answer.locator(".bq-abstain .bq-note").first.inner_text()
        assert note == "I could not find a passage that answers this." and "never mentions" not in text
    abstains = kind in ("absent", "not-found")
    assert (answer.locator(".bq-abstain").count() == 1) is abstains
    assert bot.locator(".bq-rate").count() == 2  # every one of these is an answer the reader may rate


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_each_kind_of_answer_is_drawn_for_what_it_is(browser, server, viewport):
    page = open_page(browser, server, viewport)
    phone = viewport["width"] <= 480
    shots = os.environ.get("BRIEFQA_SCREENSHOTS")
    try:
        for kind, question in KINDS:
            bot = ask(page, question)
            check(kind, bot, phone)
            g = answer_geometry(page)
            assert g["box_top"] - 1 <= g["question"] < g["answer"] < g["box_bottom"] - 24, (kind, g)
            if shots:
                save_png(page, Path(shots) / f"ui-{kind}-{'phone' if phone else 'desktop'}.png")
    finally:
        page.context.close()
