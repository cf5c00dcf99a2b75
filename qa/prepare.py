"""A question and its history as every caller must see them: cleaned, validated, and condensed for retrieval."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .condense import condense
from .config import Settings
from .errors import QuestionError

# Terminal colour/cursor (CSI) and title (OSC) sequences pasted with a question: without this their
# parameters ("[31m") would survive as words and figures once the ESC itself is dropped.
ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")


def clean_question(question: str, max_chars: int) -> tuple[str, str | None]:
    """(usable question, notice or None). Control characters and terminal escapes go; over-long input is truncated.

    >>> clean_question("  Hi\\x00 \\x1b[31mthere\\x1b[0m ", 100)
    ('Hi there', None)
    """
    if question is None:
        raise QuestionError("the question is empty; ask something about the briefing")
    q = ANSI_RE.sub(" ", str(question))
    q = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in q)
    q = " ".join(q.split())
    notice = None
    if len(q) > max_chars:
        q = q[:max_chars].rsplit(" ", 1)[0] or q[:max_chars]
        notice = f"Your question was {len(question):,} characters; only the first {max_chars:,} were used."
    if not any(ch.isalnum() for ch in q):
        raise QuestionError("the question is empty or has no letters or digits; ask something about the briefing")
    return q, notice


@dataclass(frozen=True)
class Prepared:
    """A cleaned question, its usable earlier questions, and the notice to show (truncation) or None."""

    question: str
    history: tuple[str, ...]
    notice: str | None

    @property
    def query(self) -> str:
        """The retrieval query: the question, or the earlier question it follows up, then it (qa/condense.py)."""
        return condense(self.question, list(self.history))


def prepare(question: str, history, settings: Settings) -> Prepared:
    """Clean `question` and each of `history` (earlier user questions, oldest first) as BriefingQA.ask does.

    Raises QuestionError when the question has nothing to ask or `history` is not a list; an earlier
    question with nothing in it is skipped, as the reader did not ask it.

    >>> p = prepare(" And \\x1b[1mwhy?\\x1b[0m ", ["", "How many PPH agreements?"], Settings())
    >>> p.question, p.history, p.query
    ('And why?', ('How many PPH agreements?',), 'How many PPH agreements? And why?')
    """
    q, notice = clean_question(question, settings.max_question_chars)
    if history is not None and not isinstance(history, (list, tuple)):
        raise QuestionError(f"history must be a list of earlier questions, got {type(history).__name__}")
    hist = []
    for h in history or ():
        try:
            hist.append(clean_question(h, settings.max_question_chars)[0])
        except QuestionError:
            continue
    return Prepared(q, tuple(hist), notice)
