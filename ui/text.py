"""Small HTML helpers every renderer shares: escaping, anchors, dates."""
from __future__ import annotations

from datetime import date
from html import escape


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
