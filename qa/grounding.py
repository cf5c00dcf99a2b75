"""Grounding rules, shared by the answerer (verifying LLM sentences) and the eval (scoring citations).

An answer is split into claims: the text before each group of `[n]` markers. A claim is
- "verbatim" when its text (whitespace folded) occurs in a cited passage,
- "supported" when not verbatim but every figure in it occurs in the cited passages and at least
  SUPPORT_OVERLAP of its content words do,
- "unsupported" otherwise, or when it carries no citation or cites a number that does not exist.
Attribution lines (ending in ':') and notices (lines starting with NOTICE_PREFIXES) are not claims.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .bm25 import tokenize

MARKERS_RE = re.compile(r"((?:\s*\[\d+\])+)")
NUM_RE = re.compile(r"\d+(?:[.,]\d+)*%?")
SUPPORT_OVERLAP = 0.6
NOTICE_PREFIXES = ("The briefing does not", "The briefing gives", "The briefing never mentions", "I could not find",
                   "Searched for:", "No answer in the briefings", "No briefing matches", "No question in")
CLAIM_BLOCKS = ("quote", "item")


@dataclass(frozen=True)
class Claim:
    text: str
    cited: tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: str  # "verbatim" | "supported" | "unsupported"
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "unsupported"


def fold(s: str) -> str:
    return " ".join(s.split())


def claims(answer: str) -> list[Claim]:
    """Split an answer into claims with the citation numbers that follow each.

    >>> [(c.text, c.cited) for c in claims("Hu Wenhui:\\nA rose. [1] B fell. [1][2]")]
    [('A rose.', (1,)), ('B fell.', (1, 2))]
    """
    out = []
    for line in answer.splitlines():
        line = line.strip()
        if not line or line.endswith(":") or line.startswith(NOTICE_PREFIXES):
            continue
        parts = MARKERS_RE.split(line)
        # parts alternates text, markers, text, markers, ..., trailing text
        for i in range(0, len(parts), 2):
            text = parts[i].strip()
            marks = parts[i + 1] if i + 1 < len(parts) else ""
            nums = tuple(int(n) for n in re.findall(r"\[(\d+)\]", marks))
            if text and not (len(text) <= 2 and not text.isalnum()):
                out.append(Claim(text, nums))
    return out


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUM_RE.findall(text)}


def judge(claim: Claim, sources: dict[int, str]) -> Verdict:
    """Verdict for one claim given {citation number: cited passage text}."""
    if not claim.cited:
        return Verdict(claim, "unsupported", "no citation")
    missing = [n for n in claim.cited if n not in sources]
    if missing:
        return Verdict(claim, "unsupported", f"cites [{missing[0]}], which does not exist")
    cited = [sources[n] for n in claim.cited]
    text = fold(claim.text)
    if any(text in fold(s) for s in cited):
        return Verdict(claim, "verbatim")
    joined = " ".join(cited)
    absent = numbers(text) - numbers(joined)
    if absent:
        return Verdict(claim, "unsupported", f"figure {sorted(absent)[0]} is not in the cited passage")
    words = set(tokenize(text))
    if not words:
        return Verdict(claim, "unsupported", "no content words")
    overlap = len(words & set(tokenize(joined))) / len(words)
    if overlap >= SUPPORT_OVERLAP:
        return Verdict(claim, "supported", f"{overlap:.0%} of content words in the cited passage")
    return Verdict(claim, "unsupported", f"only {overlap:.0%} of content words in the cited passage")


def check_answer(answer: str, sources: dict[int, str]) -> list[Verdict]:
    """Verdicts for every claim of `answer`."""
    return [judge(c, sources) for c in claims(answer)]


def block_claims(blocks) -> list[Claim]:
    """Claims of a structured answer: each quote and list item, and each cited cell of a table row.

    >>> from qa.types import Block, Cell
    >>> [(c.text, c.cited) for c in block_claims([Block("notice", "Searched for: x"), Block("quote", "A rose.", (1,)),
    ...                                           Block("row", cells=(Cell("CCTV", 2), Cell("Title")))])]
    [('A rose.', (1,)), ('CCTV', (2,))]
    """
    out = []
    for b in blocks:
        if b.kind in CLAIM_BLOCKS:
            out.append(Claim(b.text, tuple(b.cites)))
        elif b.kind == "row":
            out.extend(Claim(c.text, (c.n,)) for c in b.cells if c.n)
    return out


def answer_claims(answer) -> list[Claim]:
    """The claims of an Answer: from its blocks when it has them, else parsed from its text."""
    return block_claims(answer.blocks) if answer.blocks else claims(answer.answer)


def check_claims(cs: list[Claim], sources: dict[int, str]) -> list[Verdict]:
    """Verdicts for the given claims."""
    return [judge(c, sources) for c in cs]
