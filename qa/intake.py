"""What may enter the corpus: a safe file name, a date, and bytes that are a transcript of a supported type
within the size limit. qa/library.py checks every added file here before anything changes.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .errors import CorpusError
from .extract import SUPPORTED
from .lines import parse_date_strict

DATE_FORMATS = "use YYYY-MM-DD (2024-07-29), 'July 29, 2024' or '29 July 2024'"
SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A corpus file name for an uploaded one: no folders, no leading dot, only [A-Za-z0-9._-].

    >>> safe_name("../Briefing (July 29).TXT"), safe_name(".hidden.pdf")
    ('Briefing-July-29-.txt', 'hidden.pdf')
    """
    p = Path(name.replace("\\", "/")).name
    stem, suffix = Path(p).stem, Path(p).suffix.lower()
    if not suffix and stem.startswith("."):  # '.txt' is a name with only a type
        stem, suffix = "", stem.lower()
    stem = SAFE_NAME_RE.sub("-", stem).lstrip(".-") or "briefing"
    return stem + suffix


def check_date(value: str | None, file: str) -> str | None:
    """ISO date for a --date value, or CorpusError `file: date '…' is not a date; use …`."""
    if value is None:
        return None
    iso = parse_date_strict(value)
    if iso is None:
        raise CorpusError(file, f"date {value!r} is not a date; {DATE_FORMATS}")
    return iso


def check_bytes(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse (CorpusError naming `name`) what is not a transcript of a supported type within the size limit."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise CorpusError(name, f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(SUPPORTED)}")
    if len(data) > max_bytes:
        raise CorpusError(name, f"{len(data):,} bytes is over the {max_bytes:,}-byte limit for an added briefing "
                                "(BRIEFQA_MAX_ADD_BYTES)")
    if not data.strip():
        raise CorpusError(name, "file is empty", line=1)
    if suffix == ".pdf" and b"%PDF-" not in data[:1024]:
        raise CorpusError(name, "not a PDF (no %PDF- header)", line=1)
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            raise CorpusError(name, "not a .docx (not a zip package)", line=1)
        try:
            import io

            if "word/document.xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist():
                raise CorpusError(name, "not a .docx (no word/document.xml in the package)", line=1)
        except zipfile.BadZipFile as e:
            raise CorpusError(name, f"not a .docx ({e})", line=1) from None
    if suffix in (".html", ".htm"):
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as e:
            line = body[:e.start].count(b"\n") + 1
            raise CorpusError(name, f"not UTF-8 (byte 0x{body[e.start]:02x} at offset {e.start}); save it as UTF-8",
                              line=line) from None
    # .txt: the reader itself refuses anything but UTF-8 (or UTF-16/32 with a byte-order mark).
