"""prepare(): the one cleaning of a question and its history that the service, the eval and the bench share."""
from __future__ import annotations

import doctest

import pytest

import qa.prepare as P
from qa.config import Settings
from qa.errors import QuestionError

S = Settings(max_question_chars=40)


@pytest.mark.parametrize("history,want", [
    (None, ()),
    ([], ()),
    (("How many PPH agreements?",), ("How many PPH agreements?",)),
    (["", None, "\x00", " \x1b[31m!!\x1b[0m ", "Patents?"], ("Patents?",)),  # nothing asked: skipped
    (["  How\tmany\x00 patents?  "], ("How many patents?",)),
])
def test_history_is_cleaned_and_empty_turns_skipped(history, want):
    assert P.prepare("What about trademarks?", history, S).history == want


@pytest.mark.parametrize("history", [5, "What was the value of IP royalty trade?", {"q": "x"}])
def test_history_must_be_a_list(history):
    with pytest.raises(QuestionError, match="history must be a list"):
        P.prepare("How many patents?", history, S)


@pytest.mark.parametrize("question", [None, "", " \t ", "?!", "\x1b[31m\x1b[0m"])
def test_nothing_to_ask_is_refused(question):
    with pytest.raises(QuestionError):
        P.prepare(question, [], S)


def test_long_question_is_truncated_with_a_notice():
    p = P.prepare("word " * 20, [], S)
    assert len(p.question) <= 40 and p.question.endswith("word")
    assert p.notice == "Your question was 100 characters; only the first 40 were used."


@pytest.mark.parametrize("question,history,query", [
    ("How many patents?", [], "How many patents?"),
    ("How many PPH agreements?", ["How many patents?"], "How many PPH agreements?"),  # stands alone
    ("And trademarks?", ["How many patents?"], "How many patents? And trademarks?"),
    ("And \x1b[1mtrademarks?\x1b[0m", ["", "How many patents?"], "How many patents? And trademarks?"),
])
def test_query_is_the_cleaned_question_condensed(question, history, query):
    assert P.prepare(question, history, S).query == query


def test_docstring_examples():
    assert doctest.testmod(P).failed == 0
