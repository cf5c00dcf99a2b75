"""The "Add a briefing" panel's behaviour as plain functions (no Gradio here): preview an uploaded or
pasted transcript, add it, list and remove briefings, and the one place that holds the BriefingQA
the app answers from (`Live`), swapped for one over the new index after an add or a remove."""
from __future__ import annotations

import threading
from pathlib import Path

from qa import library
from qa.errors import BriefQAError
from qa.service import BriefingQA

from .text import e, nice_date

QUIET = {"progress": False}
PASTED = "pasted.txt"


class Live:
    """The BriefingQA every handler reads (`live.qa`); `swap` replaces it with one over a new index.

    A question already being answered finishes on the BriefingQA it started with; later ones use the
    new one. Adds and removes run one at a time (the library also holds the index lock)."""

    def __init__(self, qa: BriefingQA):
        self.qa = qa
        self.editing = threading.Lock()

    def swap(self, index) -> BriefingQA:
        self.qa = BriefingQA(self.qa.settings, self.qa.embedder, index)
        return self.qa


def one_line(err: BaseException, upload: str | None = None) -> str:
    """A library error as one line, naming an upload by its own file name rather than its temp path."""
    text = " · ".join(str(err).splitlines()) or type(err).__name__
    if upload:
        text = text.replace(str(upload), Path(upload).name)
    return text


def _source(upload: str | None, text: str | None) -> tuple[str | None, str | None]:
    """(upload path, None) or (None, pasted text); a BriefQAError when there is neither."""
    upload = upload or None
    text = text if (text or "").strip() else None
    if upload is None and text is None:
        raise BriefQAError("Upload a file or paste a transcript first.")
    return (upload, None) if upload is not None else (None, text)


def _opt(value) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def preview_html(previews: list[library.Preview]) -> str:
    """Per briefing: title and date, roster, the table of answers (who asked, who answered), warnings."""
    out = []
    for p in previews:
        roster = "".join(f"<li>{e(x.name)}{' — ' + e(x.title) if x.title else ''}"
                         f"{' (' + e(x.role) + ')' if x.role else ''}</li>" for x in p.roster)
        rows = "".join(
            f"<tr><td>{x.n}</td><td>{e(x.asked_by or 'opening statement')}</td><td>{e(x.question or '')}</td>"
            f"<td>{e(x.speaker)}{' (' + e(x.speaker_title) + ')' if x.speaker_title else ''}</td>"
            f"<td>{x.words}</td><td>{x.line}</td></tr>" for x in p.exchanges)
        warnings = "".join(f"<li>{e(w)}</li>" for w in p.warnings)
        out.append(
            f'<div class="bq-preview" data-doc="{e(p.doc_id)}"><h4>{e(p.title or p.doc_id)} '
            f'<span class="bq-small">({e(nice_date(p.date))}, {e(p.format)}, id {e(p.doc_id)})</span></h4>'
            + (f'<p><b>Roster</b></p><ul class="bq-roster">{roster}</ul>' if roster else
               '<p class="bq-small">No roster in the header.</p>')
            + f'<p><b>{len(p.exchanges)} answer{"s" if len(p.exchanges) != 1 else ""}</b></p>'
            '<table class="bq-table bq-exchanges"><thead><tr><th>#</th><th>Asked by</th><th>Question</th>'
            f'<th>Answered by</th><th>Words</th><th>Line</th></tr></thead><tbody>{rows}</tbody></table>'
            + (f'<p><b>Warnings</b></p><ul class="bq-warnings">{warnings}</ul>' if warnings else "")
            + "</div>")
    return "".join(out)


def preview(settings, upload: str | None, text: str | None, title=None, date=None) -> tuple[str, str]:
    """(the preview's HTML, a one-line message); nothing changes. Errors give ("", the line)."""
    try:
        path, pasted = _source(upload, text)
        kw = {"title": _opt(title), "date": _opt(date), "settings": settings}
        previews = library.preview(path, **kw) if path else library.preview(text=pasted, name=PASTED, **kw)
    except BriefQAError as err:
        return "", one_line(err, upload)
    n = sum(len(p.exchanges) for p in previews)
    return preview_html(previews), (f"Preview only, nothing added: {len(previews)} briefing"
                                    f"{'s' if len(previews) != 1 else ''}, {n} answers.")


def rows_html(index) -> str:
    """The Briefings list: title, date, officials, answers, and a Remove button per briefing."""
    rows = "".join(
        f'<tr data-doc="{e(r.doc_id)}"><td>{e(r.title or r.doc_id)}</td><td>{e(nice_date(r.date))}</td>'
        f'<td>{e(", ".join(r.officials))}</td><td>{r.exchanges}</td>'
        f'<td><button type="button" class="bq-remove" data-doc="{e(r.doc_id)}" '
        f'aria-label="Remove {e(r.title or r.doc_id)}">Remove</button></td></tr>'
        for r in library.briefings(index))
    return ('<table class="bq-table bq-briefings"><thead><tr><th>Briefing</th><th>Date</th><th>Officials</th>'
            f'<th>Answers</th><th></th></tr></thead><tbody>{rows}</tbody></table>')


def _forget(upload: str | None) -> None:
    """Delete an upload's temp file once it has been copied into the corpus (data only; never run)."""
    if upload:
        try:
            Path(upload).unlink(missing_ok=True)
        except OSError:
            pass


def add(live: Live, upload: str | None, text: str | None, title=None, date=None, name: str | None = None
        ) -> tuple[bool, str]:
    """Add the upload or pasted text, then swap `live` to the new index. (added?, one-line message)."""
    try:
        path, pasted = _source(upload, text)
        with live.editing:
            s, emb = live.qa.settings, live.qa.embedder
            kw = {"title": _opt(title), "date": _opt(date), **QUIET}
            change = (library.add(s, emb, [path], **kw) if path else
                      library.add(s, emb, texts=[(name or PASTED, pasted)], **kw))
            live.swap(change.index)
    except BriefQAError as err:
        return False, one_line(err, upload)
    _forget(upload)
    ids = ", ".join(d for a in change.added for d in a.doc_ids)
    return True, (f"Added {ids}: {change.embedded_passages} passages embedded; "
                  f"{change.briefings} briefings indexed. New questions use them.")


def remove(live: Live, doc_id: str) -> tuple[bool, str]:
    """Remove briefing `doc_id` (its file) from the corpus and index, then swap `live`."""
    try:
        with live.editing:
            change = library.remove(live.qa.settings, live.qa.embedder, str(doc_id or ""), **QUIET)
            live.swap(change.index)
    except BriefQAError as err:
        return False, one_line(err)
    return True, f"Removed {', '.join(change.removed)}; {change.briefings} briefings indexed."
