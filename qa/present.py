"""The only serialisations of an Answer: its JSON contract and its plain text (CLI, UI, eval, feedback)."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: qa.types calls into this module (Answer.to_dict), never the reverse
    from .types import Answer, Block, Citation

ROW_SEP = " — "


def blocks_text(blocks: tuple[Block, ...] | list[Block]) -> str:
    """The answer as lines of text with [n] markers, one line per block (quotes of one speaker share a line).

    >>> from qa.types import Block, Cell
    >>> print(blocks_text([Block("attribution", "Hu Wenhui:"), Block("quote", "A rose.", (1,)),
    ...                    Block("quote", "B fell.", (1,)), Block("item", "PCT", (2,), n=1),
    ...                    Block("row", cells=(Cell("CCTV", 3), Cell("Shen Changyu", 4)))]))
    Hu Wenhui:
    A rose. [1] B fell. [1]
    1. PCT [2]
    CCTV [3] — Shen Changyu [4]
    """
    lines: list[str] = []
    open_quote = False
    for b in blocks:
        if b.kind == "quote":
            part = f"{b.text} {_marks(b.cites)}".strip()
            if open_quote:
                lines[-1] += " " + part
            else:
                lines.append(part)
            open_quote = True
            continue
        open_quote = False
        if b.kind == "item":
            lines.append(f"{b.n}. {b.text} {_marks(b.cites)}".rstrip())
        elif b.kind == "row":
            lines.append(ROW_SEP.join(f"{c.text} [{c.n}]" if c.n else c.text for c in b.cells))
        elif b.kind == "table":
            lines.append(" | ".join(c.text for c in b.cells) + ":")
        elif b.kind == "column":
            lines.append(b.text if b.text.endswith(":") else b.text + ":")
        else:  # notice, attribution
            lines.append(b.text)
    return "\n".join(lines)


def _marks(cites) -> str:
    return "".join(f"[{n}]" for n in cites)


def citation_dict(c: Citation) -> dict:
    return {k: v for k, v in dataclasses.asdict(c).items() if k != "doc_path"}


def answer_dict(a: Answer) -> dict:
    """The documented JSON result of `ask` (README "JSON result"); `intent`, `blocks`, `plan` extend it."""
    return {"question": a.question, "answer": a.answer, "abstained": a.abstained,
            "citations": [citation_dict(c) for c in a.citations],
            "passages": [dataclasses.asdict(p) for p in a.passages],
            "timings_ms": a.timings_ms, "query": a.query, "mode": a.mode, "notice": a.notice,
            "reason": a.reason, "flagged": list(a.flagged), "intent": a.intent,
            "blocks": [dataclasses.asdict(b) for b in a.blocks],
            "searched": a.plan.searched if a.plan else None,
            "plan": dataclasses.asdict(a.plan) if a.plan else None}


def source_line(c: Citation) -> str:
    """'[2] Hu Wenhui, answering CCTV — <title> (2024-07-29), chars 10-90'."""
    if c.kind == "header":
        who = "the briefing's header"
    elif c.kind == "label":
        who = f"speaker label '{c.speaker}'"
    elif c.kind == "question":
        who = f"question from {c.speaker}"
    else:
        who = c.speaker + (f", answering {c.asked_by}" if c.asked_by else ", opening statement")
    return f"[{c.n}] {who} — {c.doc_title} ({c.date}), chars {c.start}-{c.end}"


def answer_text(a: Answer) -> str:
    """The answer as the terminal prints it: notice, answer text, then numbered sources or related reading."""
    out: list[str] = []
    if a.notice:
        out.append(f"({a.notice})")
    out.append(a.answer)
    if a.citations:
        out.append("\nSources:")
        for c in a.citations:
            out.append(source_line(c))
            out.append(f"    \"{c.quote}\"")
    elif a.abstained and a.passages:
        out.append("\nRelated reading (not an answer):")
        for p in a.passages[:3]:
            out.append(f"  - {p.speaker} [{p.chunk_id}]: {p.text[:160]}…")
    return "\n".join(out)
