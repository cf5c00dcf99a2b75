"""Follow-up condensing (qa/condense.py): which questions lean on history, and the query they become."""
from __future__ import annotations

import pytest

from qa.condense import condense, is_follow_up

PATENTS = "How many patents were granted?"


@pytest.mark.parametrize("question,history,follow", [
    ("And what about trademarks?", [PATENTS], True),  # a continuation word opens it
    ("What about designs?", [PATENTS], True),
    ("How about trademarks?", [PATENTS], True),
    ("Same for trademarks", [PATENTS], True),
    ("Or trademarks?", [PATENTS], True),
    ("Why", [PATENTS], True),
    ("Why?", [PATENTS], True),  # elliptical: two words or fewer lean on the question before
    ("Which countries?", [PATENTS], True),
    ("Who chaired the briefing?", [PATENTS], False),  # a short question with its own subject
    ("Why is that?", [PATENTS], True),
    ("What did he say?", [PATENTS], True),  # a short question leaning on a pronoun
    ("How many of them were foreign?", [PATENTS], True),
    ("Did Ge Shu give the same figure as Shen?", [PATENTS], True),  # "the same" refers back
    ("top 3 source countries?", [PATENTS], True),  # a phrase without a verb continues the conversation
    ("Did he also say the commissioner himself sat in on the forum with the multinationals?", [PATENTS], True),
    ("service centres - how many, where", [PATENTS], True),  # a topic, then what is wanted of it
    ("How many PPH agreements?", [PATENTS], False),  # a question of its own
    ("his title is written two different ways in the header, what are the two versions?", [PATENTS], True),
    ("Who chaired it?", [], False),
    ("What did he say?", [], False),  # no history: nothing to lean on
    ("What did he say?", None, False),
    ("How many PPH agreements does China have?", [PATENTS], False),  # stands alone
    ("Andrew Wang spoke about patents, right?", [PATENTS], False),  # 'And' only as a word of its own
    ("Why the examination period for invention patents fell to 15.7 months", [PATENTS], False),
    # A pronoun in a long question (over STANDALONE_WORDS words) is the question's own referent.
    ("What did the commissioner say about how long it takes to examine an invention patent application "
     "in China now?", [PATENTS], False),
    # But "he" or "his" in a long question is someone an earlier question named.
    ("What growth rate did he attach to that number, and how did it compare with the rest of the world?",
     [PATENTS], True),
])
def test_is_follow_up(question, history, follow):
    assert is_follow_up(question, history) is follow


@pytest.mark.parametrize("question,history,query", [
    (PATENTS, [], PATENTS),  # no history: the question itself
    ("  How many patents were granted?  ", None, PATENTS),  # stripped
    ("How many PPH agreements?", [PATENTS], "How many PPH agreements?"),  # stands alone: history unused
    ("  And trademarks? ", [PATENTS], f"{PATENTS} And trademarks?"),
    ("And trademarks?", [PATENTS, "  ", ""], f"{PATENTS} And trademarks?"),  # blank turns are skipped
    # The nearest earlier question that stands alone carries the topic, not an earlier follow-up.
    ("What about designs?", [PATENTS, "And trademarks?"], f"{PATENTS} What about designs?"),
    ("What about designs?", ["Who chaired it?", PATENTS, "And trademarks?"], f"{PATENTS} What about designs?"),
])
def test_condense(question, history, query):
    assert condense(question, history) == query
