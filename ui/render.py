"""HTML for chat messages: answers drawn from their blocks with linked [n] markers, abstentions, errors.
All text is escaped; the sources under an answer come from ui.sources."""
from __future__ import annotations

import re

from qa.types import Answer, Block, Chunk

from .sources import cards_html, related_item
from .text import anchor, e, nice_date

MARKER = re.compile(r"\[(\d+)\]")
RELATED_N = 3  # related-reading passages shown under an abstention


def question_html(question: str) -> str:
    """The user's message: their text, escaped, line breaks kept."""
    return f'<div class="bq-q">{e(question).replace(chr(10), "<br>")}</div>'


def _cite(turn: int, n: int) -> str:
    return f'<a class="bq-cite" href="#{anchor(turn, n)}" title="Show source {n}">[{n}]</a>'


def _linked(line: str, turn: int, known: set[int]) -> str:
    """Escape a sentence line and turn each known [n] into a link to its card."""
    out, pos = [], 0
    for m in MARKER.finditer(line):
        n = int(m.group(1))
        if n not in known:
            continue
        out.append(e(line[pos:m.start()]))
        out.append(_cite(turn, n))
        pos = m.end()
    out.append(e(line[pos:]))
    return "".join(out)


def _answer_lines(text: str, turn: int, known: set[int], attributions: frozenset[str] = frozenset()) -> str:
    """Paragraphs of a generated answer (no blocks); "Speaker, title, answering Outlet:" lines set apart."""
    parts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.strip() in attributions:
            parts.append(f'<p class="bq-attr">{e(line)}</p>')
        else:
            parts.append(f'<p class="bq-text">{_linked(line, turn, known)}</p>')
    return "".join(parts)


def _cite_links(cites, turn: int, known: set[int]) -> str:
    return "".join(" " + _cite(turn, n) for n in cites if n in known)


def _flat_blocks(blocks: list[Block], turn: int, known: set[int], bullets: bool = False) -> str:
    """Blocks without columns: notices, attributions, quotes (a paragraph per run, or one bullet per
    cited passage when `bullets`), list items as a numbered list, rows as a table."""
    parts: list[str] = []
    quote: list[str] = []
    points: list[list] = []  # bullets: [cites, [texts]]
    items: list[str] = []
    rows: list[str] = []
    head = ""

    def flush():
        nonlocal head
        if quote:
            parts.append(f'<p class="bq-text">{" ".join(quote)}</p>')
            quote.clear()
        if points:
            lis = "".join(f'<li>{" ".join(texts)}{_cite_links(cites, turn, known)}</li>' for cites, texts in points)
            parts.append(f'<ul class="bq-bullets">{lis}</ul>')
            points.clear()
        if items:
            parts.append(f'<ol class="bq-list">{"".join(items)}</ol>')
            items.clear()
        if rows:
            parts.append(f'<table class="bq-table">{head}<tbody>{"".join(rows)}</tbody></table>')
            rows.clear()
            head = ""

    for b in blocks:
        if b.kind == "quote" and bullets:
            if items or rows:
                flush()
            if points and points[-1][0] == b.cites:  # the same passage goes on: one point
                points[-1][1].append(e(b.text))
            else:
                points.append([b.cites, [e(b.text)]])
            continue
        if b.kind == "quote":
            if items or rows:
                flush()
            quote.append(e(b.text) + _cite_links(b.cites, turn, known))
            continue
        if b.kind == "item":
            if quote or rows or points:
                flush()
            items.append(f'<li value="{b.n}">{e(b.text)}{_cite_links(b.cites, turn, known)}</li>'
                         if b.n else f"<li>{e(b.text)}{_cite_links(b.cites, turn, known)}</li>")
            continue
        if b.kind == "row":
            if quote or items or points:
                flush()
            cells = "".join(f"<td>{e(c.text)}{_cite_links((c.n,) if c.n else (), turn, known)}</td>" for c in b.cells)
            rows.append(f"<tr>{cells}</tr>")
            continue
        flush()
        if b.kind == "table":
            head = "<thead><tr>" + "".join(f"<th>{e(c.text)}</th>" for c in b.cells) + "</tr></thead>"
        elif b.kind == "attribution":
            parts.append(f'<p class="bq-attr">{e(b.text)}</p>')
        elif b.kind == "notice":
            parts.append(f'<p class="bq-note">{e(b.text)}</p>')
        elif b.kind == "column":
            parts.append(f'<p class="bq-col-head">{e(b.text)}</p>')
    flush()
    return "".join(parts)


def blocks_html(blocks, turn: int, known: set[int], intent: str = "fact") -> str:
    """An answer's blocks as HTML, drawn for the kind of answer: a list as a numbered list, rows as a
    table, a comparison as side-by-side columns, a summary as bullet points, anything else as paragraphs."""
    blocks = list(blocks)
    bullets = intent == "summary"
    if not any(b.kind == "column" for b in blocks):
        return _flat_blocks(blocks, turn, known, bullets)
    lead = []
    while blocks and blocks[0].kind != "column":
        lead.append(blocks.pop(0))
    cols: list[list[Block]] = []
    for b in blocks:
        if b.kind == "column":
            cols.append([b])
        else:
            cols[-1].append(b)
    inner = "".join(f'<div class="bq-col">{_flat_blocks(c, turn, known, bullets)}</div>' for c in cols)
    return _flat_blocks(lead, turn, known, bullets) + f'<div class="bq-columns">{inner}</div>'


def streaming_html(partial: str) -> str:
    """An answer while it is still arriving: escaped text and a typing cursor."""
    # Until the citations are known, a line ending in ":" with no [n] is taken for an attribution.
    attrs = frozenset(ln.strip() for ln in partial.splitlines() if ln.rstrip().endswith(":") and not MARKER.search(ln))
    return (f'<div class="bq-answer bq-streaming">{_answer_lines(partial, 0, set(), attrs)}'
            f'<span class="bq-cursor" aria-hidden="true">▍</span></div>')


THINKING = '<div class="bq-answer bq-streaming"><span class="bq-muted">Searching the briefing…</span></div>'


def answer_parts(a: Answer, turn: int, chunks: dict[str, Chunk]) -> tuple[str, str]:
    """(the answer itself, what goes under it: its sources or, for an abstention, related reading).

    An answer is drawn from its blocks for its intent; an abstention is a distinct box in the
    library's own words ("I could not find a passage that answers this." is not "The briefing never
    mentions X."), what the briefing does say when a near miss keeps citations, and the answers
    retrieval found as related reading, marked as not an answer.
    """
    notice = f'<div class="bq-notice" role="note">{e(a.notice)}</div>' if a.notice else ""
    flagged = ""
    if a.flagged:
        items = "".join(f"<li>{e(s)}</li>" for s in a.flagged)
        flagged = (f'<div class="bq-notice">These generated sentences could not be matched to the sources '
                   f'and were left out:<ul>{items}</ul></div>')
    known = {c.n for c in a.citations}
    if a.blocks:
        body = blocks_html(a.blocks, turn, known, a.intent)
    else:  # a generated (LLM) answer: sentences with [n] markers
        body = _answer_lines(a.answer, turn, known)
    cards = cards_html(a.citations, chunks, turn)
    kind = f' data-intent="{e(a.intent)}"'
    if not a.abstained:
        sources = (f'<div class="bq-sources"><div class="bq-sources-title">Sources</div>{cards}</div>'
                   if cards else "")
        return f'<div class="bq-answer"{kind}>{notice}{body}{flagged}</div>', sources
    reason = (a.reason or "").split(":")[0]
    sources = (f'<div class="bq-sources"><div class="bq-sources-title">What the briefing does say</div>{cards}</div>'
               if cards else "")
    cited = {c.chunk_id for c in a.citations}
    rest = [p for p in a.passages if p.chunk_id not in cited][:RELATED_N]
    related = ""
    if rest:
        items = "".join(related_item(p, chunks.get(p.chunk_id)) for p in rest)
        related = (f'<div class="bq-related"><div class="bq-sources-title">Related reading '
                   f'<span class="bq-muted">(not an answer)</span></div><ul>{items}</ul></div>')
    return (f'<div class="bq-abstain"{kind} data-reason="{e(reason)}">{notice}{body}{flagged}</div>',
            sources + related)


def answer_html(a: Answer, turn: int, chunks: dict[str, Chunk]) -> str:
    """The whole assistant message for a finished answer: the answer, then its sources."""
    main, under = answer_parts(a, turn, chunks)
    return main + under


def error_html(message: str) -> str:
    """A message for a question that could not be asked (empty, bad setting)."""
    return f'<div class="bq-error" role="alert">{e(message)}</div>'


def documents_line(documents: list[dict]) -> str:
    """'Loaded: <title> (29 July 2024)' for one briefing; a count and a list for several."""
    if not documents:
        return '<div class="bq-docs">No briefings are loaded.</div>'
    items = [f"<b>{e(d.get('title') or d.get('doc_id'))}</b> ({e(nice_date(d.get('date')))})" for d in documents]
    if len(items) == 1:
        return f'<div class="bq-docs">Loaded briefing: {items[0]}</div>'
    return (f'<div class="bq-docs"><details><summary>Loaded {len(items)} briefings</summary>'
            f'<ul>{"".join(f"<li>{i}</li>" for i in items)}</ul></details></div>')
