"""HTML for chat messages: answers with linked [n] markers, source cards, abstentions. All text is escaped."""
from __future__ import annotations

import re
from datetime import date
from html import escape

from qa.types import Answer, Block, Chunk, Citation, RelatedPassage

MARKER = re.compile(r"\[(\d+)\]")
SNIPPET_CHARS = 280  # related-reading preview before "read the whole answer"


def e(text: object) -> str:
    """Escape any value for HTML text or a quoted attribute. `e(None) == ""`."""
    return escape("" if text is None else str(text), quote=True)


def anchor(turn: int, n: int) -> str:
    """The id of citation `n`'s card in chat turn `turn` (unique on the page)."""
    return f"bq-src-{turn}-{n}"


def nice_date(iso: str | None) -> str:
    """'2024-07-29' -> '29 July 2024'; anything else is returned as given."""
    try:
        d = date.fromisoformat(iso or "")
    except ValueError:
        return iso or "undated"
    return f"{d.day} {d.strftime('%B %Y')}"


def question_html(question: str) -> str:
    """The user's message: their text, escaped, line breaks kept."""
    return f'<div class="bq-q">{e(question).replace(chr(10), "<br>")}</div>'


def _linked(line: str, turn: int, known: set[int]) -> str:
    """Escape a sentence line and turn each known [n] into a link to its card."""
    out, pos = [], 0
    for m in MARKER.finditer(line):
        n = int(m.group(1))
        if n not in known:
            continue
        out.append(e(line[pos:m.start()]))
        out.append(f'<a class="bq-cite" href="#{anchor(turn, n)}" title="Show source {n}">[{n}]</a>')
        pos = m.end()
    out.append(e(line[pos:]))
    return "".join(out)


def _answer_lines(text: str, turn: int, known: set[int], attributions: frozenset[str] = frozenset()) -> str:
    """Paragraphs of an answer; the "Speaker, title, answering Outlet:" lines are set apart."""
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
    return "".join(f' <a class="bq-cite" href="#{anchor(turn, n)}" title="Show source {n}">[{n}]</a>'
                   for n in cites if n in known)


def _flat_blocks(blocks: list[Block], turn: int, known: set[int]) -> str:
    """Blocks without columns: notices, attributions, quotes (a paragraph per run), items, tables."""
    parts: list[str] = []
    quote: list[str] = []
    items: list[str] = []
    rows: list[str] = []
    head = ""

    def flush():
        nonlocal head
        if quote:
            parts.append(f'<p class="bq-text">{" ".join(quote)}</p>')
            quote.clear()
        if items:
            parts.append(f'<ol class="bq-list">{"".join(items)}</ol>')
            items.clear()
        if rows:
            parts.append(f'<table class="bq-table">{head}<tbody>{"".join(rows)}</tbody></table>')
            rows.clear()
            head = ""

    for b in blocks:
        if b.kind == "quote":
            if items or rows:
                flush()
            quote.append(e(b.text) + _cite_links(b.cites, turn, known))
            continue
        if b.kind == "item":
            if quote or rows:
                flush()
            items.append(f"<li>{e(b.text)}{_cite_links(b.cites, turn, known)}</li>")
            continue
        if b.kind == "row":
            if quote or items:
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


def blocks_html(blocks, turn: int, known: set[int]) -> str:
    """An answer's blocks as HTML: a list as a numbered list, rows as a table, a comparison as columns."""
    blocks = list(blocks)
    if not any(b.kind == "column" for b in blocks):
        return _flat_blocks(blocks, turn, known)
    lead = []
    while blocks and blocks[0].kind != "column":
        lead.append(blocks.pop(0))
    cols: list[list[Block]] = []
    for b in blocks:
        if b.kind == "column":
            cols.append([b])
        else:
            cols[-1].append(b)
    inner = "".join(f'<div class="bq-col">{_flat_blocks(c, turn, known)}</div>' for c in cols)
    return _flat_blocks(lead, turn, known) + f'<div class="bq-columns">{inner}</div>'


def streaming_html(partial: str) -> str:
    """An answer while it is still arriving: escaped text and a typing cursor."""
    # Until the citations are known, a line ending in ":" with no [n] is taken for an attribution.
    attrs = frozenset(ln.strip() for ln in partial.splitlines() if ln.rstrip().endswith(":") and not MARKER.search(ln))
    return (f'<div class="bq-answer bq-streaming">{_answer_lines(partial, 0, set(), attrs)}'
            f'<span class="bq-cursor" aria-hidden="true">▍</span></div>')


def _marked(text: str, start: int, spans: list[tuple[int, int]]) -> str:
    """Escape `text` (which begins at source offset `start`) with the source `spans` wrapped in <mark>."""
    out, pos = [], 0
    for s, t in sorted(spans):
        a, b = max(s - start, pos), min(t - start, len(text))
        if a >= b:
            continue
        out += [e(text[pos:a]), "<mark>", e(text[a:b]), "</mark>"]
        pos = b
    out.append(e(text[pos:]))
    return "".join(out)


def _asked(asked_by: str | None, question: str | None) -> str:
    if not asked_by:
        return '<div class="bq-asked">From the opening statement</div>'
    q = f' <q>{e(question)}</q>' if question else ""
    return f'<div class="bq-asked">Asked by <b>{e(asked_by)}</b>:{q}</div>'


def citation_card(c: Citation, chunk: Chunk | None, turn: int) -> str:
    """One source: who spoke, who asked what, which briefing, the passage with the quote marked,
    and the whole answer in context behind a <details>."""
    head = (f'<div class="bq-card-head"><span class="bq-n">{c.n}</span>'
            f'<span class="bq-speaker">{e(c.speaker)}</span>'
            + (f'<span class="bq-role">{e(c.speaker_title)}</span>' if c.speaker_title else "") + "</div>")
    doc = f'<div class="bq-doc">{e(c.doc_title)} · {e(nice_date(c.date))}</div>'
    span = [(c.start, c.end)]
    if chunk is None or c.kind != "answer":  # a header line, label or question: the quote alone
        passage = f"<mark>{e(c.quote)}</mark>"
        whole = ""
    else:
        paras = [p for p in chunk.paragraphs if p.start < c.end and c.start < p.end] or list(chunk.paragraphs[:1])
        passage = "<br>".join(_marked(p.text, p.start, span) for p in paras)
        body = "".join(f"<p>{_marked(p.text, p.start, span)}</p>" for p in chunk.paragraphs)
        whole = (f'<details class="bq-context"><summary>Whole answer in context '
                 f'({chunk.words:,} words, lines {chunk.first_line}–{chunk.last_line})</summary>'
                 f'<div class="bq-whole">{body}</div></details>')
    asked = {"header": '<div class="bq-asked">From the briefing\'s header</div>',
             "label": '<div class="bq-asked">Speaker label in the transcript</div>',
             "question": '<div class="bq-asked">The reporter\'s question</div>'}.get(c.kind) \
        or _asked(c.asked_by, c.question)
    return (f'<div class="bq-card" id="{anchor(turn, c.n)}">{head}{asked}'
            f'<blockquote class="bq-passage">{passage}</blockquote>{doc}{whole}</div>')


def related_item(p: RelatedPassage, chunk: Chunk | None) -> str:
    """A passage found while abstaining: a preview and the whole answer behind a <details>."""
    text = p.text
    preview = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    asked = _asked(chunk.asked_by, chunk.question) if chunk else ""
    more = ""
    if len(text) > len(preview):
        body = "".join(f"<p>{e(t)}</p>" for t in text.splitlines() if t.strip())
        more = f'<details class="bq-context"><summary>Read the whole answer</summary>{body}</details>'
    return (f'<li class="bq-related-item"><div class="bq-card-head"><span class="bq-speaker">{e(p.speaker)}</span>'
            + (f'<span class="bq-role">{e(chunk.speaker_title)}</span>' if chunk and chunk.speaker_title else "")
            + f'</div>{asked}<div class="bq-preview">{e(preview)}</div>{more}</li>')


REASONS = {
    "weak-evidence": "The closest passages do not answer this question.",
    "no-evidence": "Nothing in the loaded briefings matched this question.",
    "unmatched-constraint": "The briefing covers the topic, but not the detail you asked about.",
    "model-abstained": "The language model found no answer in the retrieved passages.",
}


def answer_html(a: Answer, turn: int, chunks: dict[str, Chunk], related_n: int = 3) -> str:
    """The assistant's message for a finished answer: notice, answer with linked [n], source cards.

    An abstention gets a distinct box saying why, what the briefing does say (a near miss keeps
    its citations) and, as related reading, the answers retrieval found that were not cited.
    """
    notice = f'<div class="bq-notice" role="note">{e(a.notice)}</div>' if a.notice else ""
    flagged = ""
    if a.flagged:
        items = "".join(f"<li>{e(s)}</li>" for s in a.flagged)
        flagged = (f'<div class="bq-notice">These generated sentences could not be matched to the sources '
                   f'and were left out:<ul>{items}</ul></div>')
    known = {c.n for c in a.citations}
    if a.blocks:
        body = blocks_html(a.blocks, turn, known)
    else:  # a generated (LLM) answer: sentences with [n] markers
        body = _answer_lines(a.answer, turn, known)
    cards = "".join(citation_card(c, chunks.get(c.chunk_id), turn) for c in a.citations)
    if not a.abstained:
        sources = f'<div class="bq-sources"><div class="bq-sources-title">Sources</div>{cards}</div>' if cards else ""
        return f'<div class="bq-answer">{notice}{body}{flagged}</div>{sources}'
    # A near miss explains itself in its text; a plain abstention gets the reason.
    why = "" if a.citations else REASONS.get((a.reason or "").split(":")[0], "")
    sources = (f'<div class="bq-sources"><div class="bq-sources-title">What the briefing does say</div>{cards}</div>'
               if cards else "")
    cited = {c.chunk_id for c in a.citations}
    rest = [p for p in a.passages if p.chunk_id not in cited][:related_n]
    related = ""
    if rest:
        items = "".join(related_item(p, chunks.get(p.chunk_id)) for p in rest)
        related = (f'<div class="bq-related"><div class="bq-sources-title">Related reading '
                   f'<span class="bq-muted">(not an answer)</span></div><ul>{items}</ul></div>')
    return (f'<div class="bq-abstain">{notice}<div class="bq-abstain-head">No answer from the briefing</div>'
            + (f'<p class="bq-why">{e(why)}</p>' if why else "") + f"{body}{flagged}</div>{sources}{related}")


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
