"""HTML for an answer's sources: one card per quoted passage (all of its [n]), compact cards for
header lines, speaker labels and questions, and related reading for abstentions. All text is escaped."""
from __future__ import annotations

from qa.types import Chunk, Citation, RelatedPassage

from .text import anchor, e, nice_date

SNIPPET_CHARS = 280  # related-reading preview before "read the whole answer"
COMPACT_KINDS = {"header": "Header line", "label": "Speaker label", "question": "Reporter's question"}


def marked(text: str, start: int, spans: list[tuple[int, int, int]]) -> str:
    """Escape `text` (which begins at source offset `start`), wrapping each (start, end, n) span in <mark data-n>."""
    out, pos = [], 0
    for s, t, n in sorted(spans):
        a, b = max(s - start, pos), min(t - start, len(text))
        if a >= b:
            continue
        out += [e(text[pos:a]), f'<mark data-n="{n}">', e(text[a:b]), "</mark>"]
        pos = b
    out.append(e(text[pos:]))
    return "".join(out)


def asked_line(asked_by: str | None, question: str | None) -> str:
    """Who asked what, as one line; the reporter's whole question opens on click."""
    if not asked_by:
        return '<div class="bq-asked">From the opening statement</div>'
    if not question:
        return f'<div class="bq-asked">Asked by <b>{e(asked_by)}</b></div>'
    return (f'<details class="bq-asked"><summary>Asked by <b>{e(asked_by)}</b>: '
            f'<q class="bq-asked-q">{e(question)}</q></summary></details>')


def _group(citations, chunks: dict[str, Chunk]) -> list[tuple[Chunk | None, list[Citation]]]:
    """Answer citations grouped by the passage (the chunk's paragraphs) they quote, in order of first [n]."""
    groups: dict[tuple, tuple[Chunk | None, list[Citation]]] = {}
    for c in citations:
        chunk = chunks.get(c.chunk_id)
        if chunk is None:
            key: tuple = (c.chunk_id, c.start, c.end)
        else:
            paras = tuple(i for i, p in enumerate(chunk.paragraphs) if p.start < c.end and c.start < p.end) or (0,)
            key = (c.chunk_id, paras)
        groups.setdefault(key, (chunk, []))[1].append(c)
    return list(groups.values())


def passage_card(cites: list[Citation], chunk: Chunk | None, turn: int) -> str:
    """One quoted passage: its [n] badges, who spoke, who asked, the paragraph(s) with every quote
    marked, the briefing, and the whole answer in context behind a <details>."""
    first = cites[0]
    anchors = "".join(f'<span class="bq-anchor" id="{anchor(turn, c.n)}"></span>' for c in cites[1:])
    badges = "".join(f'<span class="bq-n">{c.n}</span>' for c in cites)
    head = (f'<div class="bq-card-head">{badges}<span class="bq-speaker">{e(first.speaker)}</span>'
            + (f'<span class="bq-role">{e(first.speaker_title)}</span>' if first.speaker_title else "") + "</div>")
    spans = [(c.start, c.end, c.n) for c in cites]
    if chunk is None:
        passage = " … ".join(f'<mark data-n="{c.n}">{e(c.quote)}</mark>' for c in cites)
        whole, asked = "", asked_line(first.asked_by, first.question)
    else:
        paras = [p for p in chunk.paragraphs if any(p.start < c.end and c.start < p.end for c in cites)]
        passage = "<br>".join(marked(p.text, p.start, spans) for p in paras or chunk.paragraphs[:1])
        body = "".join(f"<p>{marked(p.text, p.start, spans)}</p>" for p in chunk.paragraphs)
        whole = (f'<details class="bq-context"><summary>Whole answer in context '
                 f'({chunk.words:,} words, lines {chunk.first_line}–{chunk.last_line})</summary>'
                 f'<div class="bq-whole">{body}</div></details>')
        asked = asked_line(chunk.asked_by, chunk.question)
    doc = f'<div class="bq-doc">{e(first.doc_title)} · {e(nice_date(first.date))}</div>'
    return (f'<div class="bq-card" id="{anchor(turn, first.n)}" data-n="{" ".join(str(c.n) for c in cites)}">'
            f'{anchors}{head}{asked}<blockquote class="bq-passage">{passage}</blockquote>{doc}{whole}</div>')


def compact_card(c: Citation, turn: int) -> str:
    """A header line, speaker label or question: one or two lines, the quoted text marked."""
    who = "" if c.kind == "header" else f' <span class="bq-speaker">{e(c.speaker)}</span>'
    return (f'<div class="bq-card bq-card-compact" id="{anchor(turn, c.n)}" data-n="{c.n}">'
            f'<span class="bq-n">{c.n}</span> <span class="bq-kind">{e(COMPACT_KINDS[c.kind])}</span>{who}: '
            f'<mark data-n="{c.n}">{e(c.quote)}</mark> <span class="bq-doc">· {e(nice_date(c.date))}</span></div>')


def cards_html(citations, chunks: dict[str, Chunk], turn: int) -> str:
    """Every citation's card, in order of its first [n]: passages grouped, other kinds compact."""
    parts = []
    answer_cites = [c for c in citations if c.kind == "answer"]
    grouped = {id(cs[0]): (chunk, cs) for chunk, cs in _group(answer_cites, chunks)}
    for c in citations:
        if c.kind != "answer":
            parts.append(compact_card(c, turn))
        elif id(c) in grouped:
            chunk, cs = grouped[id(c)]
            parts.append(passage_card(cs, chunk, turn))
    return "".join(parts)


def related_item(p: RelatedPassage, chunk: Chunk | None) -> str:
    """A passage found while abstaining: a preview and the whole answer behind a <details>."""
    text = p.text
    preview = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    asked = asked_line(chunk.asked_by, chunk.question) if chunk else ""
    more = ""
    if len(text) > len(preview):
        body = "".join(f"<p>{e(t)}</p>" for t in text.splitlines() if t.strip())
        more = f'<details class="bq-context"><summary>Read the whole answer</summary>{body}</details>'
    return (f'<li class="bq-related-item"><div class="bq-card-head"><span class="bq-speaker">{e(p.speaker)}</span>'
            + (f'<span class="bq-role">{e(chunk.speaker_title)}</span>' if chunk and chunk.speaker_title else "")
            + f'</div>{asked}<div class="bq-preview">{e(preview)}</div>{more}</li>')
