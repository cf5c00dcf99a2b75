"""Grounding rules (qa/grounding.py): claims of an answer and the verdict on each against its cited passages."""
from __future__ import annotations

import pytest

from qa.grounding import Claim, answer_claims, block_claims, check_answer, claims, judge
from qa.types import Answer, Block, Cell

SOURCE = "The examination period fell to 15.7 months in 2024, and 1200 patents were pledged."


@pytest.mark.parametrize("answer,expected", [
    ("Hu Wenhui:\nA rose. [1] B fell. [1][2]", [("A rose.", (1,)), ("B fell.", (1, 2))]),
    ("A rose. [1] B fell. [2]", [("A rose.", (1,)), ("B fell.", (2,))]),
    ("A rose.", [("A rose.", ())]),  # no marker: a claim that cites nothing
    ("A rose. [1] .", [("A rose.", (1,))]),  # a stray mark is no claim
    ("Hu Wenhui, deputy commissioner, answering CCTV:", []),  # attributions end in ':'
    ("I could not find a passage that answers this.", []),  # notices are not claims
    ("Searched for: patents\nA rose. [3]", [("A rose.", (3,))]),
    ("The briefing never mentions Huawei.", []),
    ("", []),
])
def test_claims(answer, expected):
    assert [(c.text, c.cited) for c in claims(answer)] == expected


@pytest.mark.parametrize("text,cited,status,reason", [
    ("The examination period fell to 15.7 months", (1,), "verbatim", ""),
    ("The  examination\nperiod fell", (1,), "verbatim", ""),  # whitespace folded
    ("Examination fell to 15.7 months in 2024", (1,), "supported", "100% of content words in the cited passage"),
    ("1,200 patents were pledged", (1,), "supported", "100% of content words in the cited passage"),  # 1,200 = 1200
    ("The examination period fell to 16.2 months", (1,), "unsupported", "figure 16.2 is not in the cited passage"),
    ("Trademark registrations surged abroad", (1,), "unsupported", "only 0% of content words in the cited passage"),
    ("Examination of trademarks surged abroad", (1,), "unsupported", "only 25% of content words in the cited passage"),
    ("of the and", (1,), "unsupported", "no content words"),
    ("The examination period fell", (), "unsupported", "no citation"),
    ("The examination period fell", (1, 2), "unsupported", "cites [2], which does not exist"),
])
def test_judge(text, cited, status, reason):
    v = judge(Claim(text, cited), {1: SOURCE})
    assert (v.status, v.reason) == (status, reason)
    assert v.ok is (status != "unsupported")


def test_check_answer_judges_every_claim():
    verdicts = check_answer("Hu Wenhui:\n1200 patents were pledged. [1] It rose to 99 months. [1]", {1: SOURCE})
    assert [v.status for v in verdicts] == ["verbatim", "unsupported"]


@pytest.mark.parametrize("blocks,expected", [
    ([Block("notice", "Searched for: x"), Block("attribution", "Hu Wenhui:"), Block("quote", "A rose.", (1,))],
     [("A rose.", (1,))]),
    ([Block("item", "PCT", (2,), n=1), Block("item", "Hague", (2,), n=2)], [("PCT", (2,)), ("Hague", (2,))]),
    ([Block("row", cells=(Cell("CCTV", 2), Cell("Title"), Cell("Shen Changyu", 3)))],
     [("CCTV", (2,)), ("Shen Changyu", (3,))]),  # plain labels (no citation) are not claims
    ([Block("column", "Hu Wenhui"), Block("table", cells=(Cell("Outlet"),))], []),
])
def test_block_claims(blocks, expected):
    assert [(c.text, c.cited) for c in block_claims(blocks)] == expected


def test_answer_claims_read_blocks_before_text():
    with_blocks = Answer("q", "Text claim. [1]", False, (), (), {}, blocks=(Block("quote", "Block claim.", (1,)),))
    text_only = Answer("q", "Text claim. [1]", False, (), (), {})
    assert [c.text for c in answer_claims(with_blocks)] == ["Block claim."]
    assert [c.text for c in answer_claims(text_only)] == ["Text claim."]
