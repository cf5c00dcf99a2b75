"""Extract the text a transcript's spans index: a .txt file's decoded text, or the text of an
.html/.htm, .pdf or .docx file as read by its maintained parser (lxml, pdfminer.six, python-docx).

For HTML, PDF and DOCX the extracted text *is* the source text: `Transcript.text` holds it and
every span slices it, so it is stored beside the index rather than recomputed from the file.
Extraction puts one paragraph per line and leaves page furniture (navigation, running heads,
page numbers) out, so the parser sees the same shape whatever the file type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError

SUPPORTED = (".txt", ".html", ".htm", ".pdf", ".docx")

BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16"),
)


@dataclass(frozen=True)
class Extracted:
    """The text of one file, its format and what extraction had to say about it."""

    text: str
    format: str  # "txt" | "html" | "pdf" | "docx"
    title: str | None = None  # from <title>/<h1>, PDF or DOCX metadata
    notes: tuple[str, ...] = ()


def extract(path: str | Path, data: bytes | None = None) -> Extracted:
    """Read one transcript file of a supported type (or its bytes `data`, already read; `path` names it).

    Raises CorpusError naming the file (and line where known) for unreadable or unsupported input.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in SUPPORTED:
        raise CorpusError(str(path), f"unsupported file type '{kind or '(none)'}'; "
                                     f"supported: {', '.join(SUPPORTED)}")
    if data is None:
        data = _read(path)
    elif not data.strip():
        raise CorpusError(str(path), "file is empty", line=1)
    if kind == ".txt":
        text, notes = _decode_text(path, data)
        return Extracted(text, "txt", None, notes)
    if kind in (".html", ".htm"):
        return _html(path, data)
    if kind == ".pdf":
        return _pdf(path, data)
    return _docx(path, data)


def read_source(path: str | Path) -> str:
    """A .txt transcript's text without newline translation (spans index this exact text).

    UTF-8 (a leading BOM stays in the text, so offsets match the file as an editor shows it);
    UTF-16 and UTF-32 are read when the file starts with their byte-order mark.
    """
    path = Path(path)
    return _decode_text(path, _read(path))[0]


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(str(path), f"cannot read file ({e.strerror})") from None
    if not data.strip():
        raise CorpusError(str(path), "file is empty", line=1)
    return data


def _decode_text(path: Path, data: bytes) -> tuple[str, tuple[str, ...]]:
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise CorpusError(str(path), f"starts with a {name} byte-order mark but is not valid {name} "
                                             f"({e.reason} at byte {e.start})", line=1) from None
            if not text.strip():
                raise CorpusError(str(path), "file is empty", line=1)
            if "\x00" in text:
                line = text.count("\n", 0, text.index("\x00")) + 1
                raise CorpusError(str(path), f"binary data (NUL character) in {name} text", line=line)
            return text, (f"decoded as {name} (byte-order mark)",)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        if _looks_utf16(data):
            order = "LE" if data[1::2].count(0) > data[0::2].count(0) else "BE"
            raise CorpusError(str(path), f"UTF-16 text without a byte-order mark; convert it to UTF-8, "
                                         f"e.g. iconv -f UTF-16{order} -t UTF-8 '{path.name}' > '{path.stem}-utf8.txt'",
                              line=1)
        raise CorpusError(str(path), "binary file (NUL byte); a transcript must be UTF-8 text", line=line)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CorpusError(str(path), f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); "
                                     "save it as UTF-8", line=line) from None


def _looks_utf16(data: bytes) -> bool:
    """Most ASCII text in UTF-16 has a NUL in every other byte, all on one side."""
    sample = data[:4000]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) >= 0.6 * (len(sample) // 2) and min(even, odd) <= 0.05 * (len(sample) // 2)


# ---- HTML ------------------------------------------------------------------------------------

SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
             "button", "select", "iframe", "svg", "head", "menu", "object", "canvas"}
BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr",
              "td", "th", "table", "section", "article", "main", "blockquote", "pre", "figure",
              "figcaption", "hr", "address", "center", "body", "html", "caption", "tbody", "thead"}
SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _html(path: Path, data: bytes) -> Extracted:
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(_html_str(data))
    except (lxml.etree.ParserError, ValueError) as e:
        raise CorpusError(str(path), f"not readable as HTML ({e})", line=1) from None
    title = _first_text(doc, "//h1") or _first_text(doc, "//title")
    root = _main_element(doc)
    lines = _html_lines(root)
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    if not any(lines):
        raise CorpusError(str(path), "HTML page has no text", line=1)
    return Extracted("\n".join(lines) + "\n", "html", title)


def _html_str(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, codec, _ in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        m = re.search(rb"""charset=["']?([\w-]+)""", data[:4000], re.I)
        try:
            text = data.decode(m.group(1).decode("ascii") if m else "cp1252", errors="replace")
        except LookupError:
            text = data.decode("cp1252", errors="replace")
    # lxml refuses str input that declares its own encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)


def _first_text(doc, xpath: str) -> str | None:
    for el in doc.xpath(xpath):
        t = SPACE_RE.sub(" ", el.text_content()).strip()
        if t:
            return t
    return None


def _main_element(doc):
    """The element holding the transcript: <article>/<main> if present, else the element whose
    direct <p> children hold the most text (a saved page's navigation and footers are left out)."""
    for tag in ("article", "main"):
        found = [el for el in doc.iter(tag) if len(el.text_content()) > 200]
        if len(found) == 1:
            return found[0]
    best, best_len = None, 0
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        n = sum(len(c.text_content()) for c in el if isinstance(c.tag, str) and c.tag.lower() == "p")
        if n > best_len:
            best, best_len = el, n
    body = doc.find("body")
    total = len(body.text_content()) if body is not None else len(doc.text_content())
    if best is not None and best_len >= 0.5 * max(1, total - _skipped_len(doc)):
        return best
    return body if body is not None else doc


def _skipped_len(doc) -> int:
    return sum(len(el.text_content()) for el in doc.iter() if isinstance(el.tag, str)
               and el.tag.lower() in SKIP_TAGS and el.tag.lower() != "head")


def _html_lines(root) -> list[str]:
    out: list[str] = []

    def walk(el):
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None or tag in SKIP_TAGS:  # comments, processing instructions, furniture
            if el.tail:
                out.append(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block or tag == "br":
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
        if block:
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    walk(root)
    lines = (SPACE_RE.sub(" ", line).strip() for line in "".join(out).split("\n"))
    return [line for line in lines if line]


# ---- PDF -------------------------------------------------------------------------------------

PAGE_NO_RE = re.compile(r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
# A PDF line that starts a new speaker turn ("CCTV:", "Q:", "MS. PSAKI:") starts a new paragraph
# instead of being joined to the line above; so does the line after a label alone on its line.
LABEL_START_RE = re.compile(r"^(?:Q\b|A:|[A-Z][\w.'’&-]*(?:\s+[\w.'’&-]+){0,7}\s*[:：])")
ALONE_LABEL_RE = re.compile(r"^[A-Z][\w.'’&-]*(?:\s+[\w.'’&-]+){0,9}\s*[:：]$")


@dataclass(frozen=True)
class _PdfLine:
    page: int
    x0: float
    y0: float
    y1: float
    text: str
    x1: float = 0.0


def _pdf(path: Path, data: bytes) -> Extracted:
    lines, n_pages = _pdf_lines(path, data)
    furniture = _furniture(lines, n_pages)
    paras = _paragraphs([ln for ln in lines if ln not in furniture])
    if not paras:
        raise CorpusError(str(path), "PDF has no text layer (a scanned image?); run OCR on it first", line=1)
    return Extracted("\n".join(paras) + "\n", "pdf", _pdf_title(data))


def _pdf_lines(path: Path, data: bytes) -> tuple[list[_PdfLine], int]:
    import io

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        encrypted: tuple = (PDFEncryptionError, PDFPasswordIncorrect)
    except ImportError:  # pragma: no cover - older pdfminer
        encrypted = ()
    out: list[_PdfLine] = []
    n = 0
    try:
        for n, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams()), 1):
            here = []
            for box in page:
                if not isinstance(box, LTTextContainer):
                    continue
                for line in box:
                    if isinstance(line, LTTextLine):
                        text = SPACE_RE.sub(" ", line.get_text()).strip()
                        if text:
                            here.append(_PdfLine(n, line.x0, line.y0, line.y1, text, line.x1))
            # Top to bottom; one column, as transcripts are set.
            out.extend(sorted(here, key=lambda ln: (-round(ln.y1, 1), ln.x0)))
    except encrypted as e:
        raise CorpusError(str(path), f"PDF is encrypted ({e}); save an unencrypted copy", line=1) from None
    except PDFSyntaxError as e:
        raise CorpusError(str(path), f"not a readable PDF ({e})", line=1) from None
    except Exception as e:  # pdfminer raises many private types on damaged files
        if type(e).__module__.startswith("pdfminer") or isinstance(e, (ValueError, TypeError, KeyError)):
            raise CorpusError(str(path), f"not a readable PDF ({type(e).__name__}: {e})", line=1) from None
        raise
    return out, n


def _furniture_key(raw: str) -> str:
    return re.sub(r"\d+", "#", SPACE_RE.sub(" ", raw).strip().lower())


def _furniture(lines: list[_PdfLine], n_pages: int) -> set[_PdfLine]:
    """Lines to drop: page numbers, and running heads and footers, i.e. the top or bottom line of a
    page whose text (digits ignored) recurs there on at least half the pages. Repetition needs three
    pages, so a short transcript never loses a repeated 'Thank you.'."""
    drop = {ln for ln in lines if PAGE_NO_RE.match(ln.text)}
    by_page: dict[int, list[_PdfLine]] = {}
    for ln in lines:
        if ln not in drop:
            by_page.setdefault(ln.page, []).append(ln)
    if n_pages >= 3:
        edges = [ln for page in by_page.values() for ln in {page[0], page[-1]}]
        counts: dict[str, int] = {}
        for ln in edges:
            counts[_furniture_key(ln.text)] = counts.get(_furniture_key(ln.text), 0) + 1
        heads = {k for k, c in counts.items() if c >= max(2, n_pages // 2)}
        drop |= {ln for ln in edges if _furniture_key(ln.text) in heads}
    return drop


def _paragraphs(lines: list[_PdfLine]) -> list[str]:
    """Wrapped lines joined into paragraphs. A paragraph ends at a line that stops well short of the
    right edge (wrapping fills lines), at a wider gap than the usual line spacing, before an indented
    line or a line that starts with a speaker label, after a label alone on its line, and at a page
    break after a finished sentence."""
    gaps = sorted(round(a.y0 - b.y1, 1) for a, b in zip(lines, lines[1:]) if a.page == b.page and a.y0 > b.y1)
    usual = gaps[len(gaps) // 4] if gaps else 0.0  # the tight end: spacing inside paragraphs
    left = min((ln.x0 for ln in lines), default=0.0)
    right = max((ln.x1 for ln in lines), default=0.0)
    short = right - 0.12 * (right - left)
    out: list[str] = []
    prev = None
    for ln in lines:
        new = prev is None or LABEL_START_RE.match(ln.text) or ALONE_LABEL_RE.match(out[-1]) \
            or ln.x0 > left + 8 or prev.x1 < short
        if not new and ln.page != prev.page:
            new = out[-1][-1:] in ".?!。？！\"”"
        elif not new:
            new = (prev.y0 - ln.y1) > usual * 1.6 + 1.0
        if new:
            out.append(ln.text)
        else:
            out[-1] = out[-1] + ln.text if out[-1].endswith("-") and ln.text[:1].islower() else f"{out[-1]} {ln.text}"
        prev = ln
    return out


def _pdf_title(data: bytes) -> str | None:
    """The document's Title metadata, if it has one (the text is already extracted without it)."""
    import io

    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    try:
        info = PDFDocument(PDFParser(io.BytesIO(data))).info
        raw = resolve1(info[0].get("Title")) if info else None
    except Exception:  # metadata is optional; a damaged info dictionary must not lose the text
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-16") if raw.startswith((b"\xfe\xff", b"\xff\xfe")) else decode_text(raw)
    if not isinstance(raw, str):
        return None
    return SPACE_RE.sub(" ", raw).strip() or None


# ---- DOCX ------------------------------------------------------------------------------------

def _docx(path: Path, data: bytes) -> Extracted:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise CorpusError(str(path), f"not a readable .docx ({type(e).__name__}: {e})", line=1) from None
    lines = []
    for p in document.paragraphs:
        for part in p.text.split("\n"):  # soft line breaks inside a paragraph
            part = SPACE_RE.sub(" ", part).strip()
            if part:
                lines.append(part)
    if not lines:
        raise CorpusError(str(path), ".docx has no paragraph text", line=1)
    title = (document.core_properties.title or "").strip() or None
    return Extracted("\n".join(lines) + "\n", "docx", title)


def corpus_files(paths) -> list[Path]:
    """Expand files and folders into transcript files (.txt, .html/.htm, .pdf, .docx), sorted, each once."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in SUPPORTED))
        elif p.exists():
            out.append(p)
        else:
            raise CorpusError(str(p), "no such file or folder")
    return list(dict.fromkeys(x.resolve() for x in out))
