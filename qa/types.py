"""Frozen dataclasses that cross stage boundaries, each carrying provenance back to the source."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A character range [start, end) in a source file's decoded text, and its 1-based line."""

    start: int
    end: int
    line: int

    def __post_init__(self):
        assert 0 <= self.start <= self.end, (self.start, self.end)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a turn; `text == source[start:end]` always holds."""

    text: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Person:
    """A roster entry: from the header, or named with a title in the title line or a label
    ('Press Secretary Karine Jean-Pierre', 'ADMIRAL KIRBY'); name without honorific, fullest title seen."""

    name: str
    title: str
    role: str  # "official" | "moderator" | "reporter" (an interviewer named in the header)


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted contribution."""

    speaker: str
    role: str  # "official" | "moderator" | "reporter"
    paragraphs: tuple[Paragraph, ...]
    label_line: int  # line of the `Name:` label
    start: int  # span of the paragraphs (first start .. last end)
    end: int
    first_line: int
    last_line: int
    label: str = ""  # the label as written ('MS. JEAN-PIERRE', 'Q'); speaker is the person it names
    label_start: int | None = None  # the label's span in the source text, without the colon
    label_end: int | None = None  # (None if it cannot be quoted exactly, e.g. spaces collapsed)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def words(self) -> int:
        return sum(len(p.text.split()) for p in self.paragraphs)


@dataclass(frozen=True)
class Transcript:
    """A parsed briefing: metadata, roster and turns, plus the source text the spans index."""

    doc_id: str
    path: str
    title: str
    date: str | None  # ISO yyyy-mm-dd
    roster: tuple[Person, ...]
    turns: tuple[Turn, ...]
    sha256: str
    text: str = field(repr=False)
    trailer_start: int | None = None  # offset where material belonging to no turn begins
    has_header: bool = True
    warnings: tuple[str, ...] = ()
    roles_evidence: tuple[str, ...] = ()  # one "Name: role (why)" per speaker
    format: str = "txt"  # "txt" | "html" | "pdf" | "docx"; for all but txt, `text` is the extracted text
    segment_start: int = 0  # this briefing's part of `text` (a file may hold several briefings)
    segment_end: int | None = None  # None: to the end of `text`

    def person(self, name: str) -> Person | None:
        return next((p for p in self.roster if p.name == name), None)


@dataclass(frozen=True)
class Chunk:
    """One official's answer (or the opening statement): the unit a citation names."""

    id: str
    doc_id: str
    doc_title: str
    doc_date: str | None
    doc_path: str
    ordinal: int
    speaker: str
    speaker_title: str
    asked_by: str | None
    question: str | None
    question_line: int | None
    handed_off_by: str | None
    paragraphs: tuple[Paragraph, ...]
    start: int
    end: int
    first_line: int
    last_line: int
    words: int
    tokens: int  # tiktoken cl100k_base
    wordpieces: int  # embedding model tokenizer

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class Sentence:
    """One sentence inside a chunk, with its span in the source file."""

    text: str
    start: int
    end: int
    chunk_id: str
    paragraph: int  # index into chunk.paragraphs


@dataclass(frozen=True)
class Passage:
    """An index unit: a window of sentences inside one answer, small enough for the model."""

    id: int  # row in the FAISS index
    chunk_id: str
    text: str  # exactly the source between start and end for single-paragraph windows
    start: int
    end: int
    sentence_ids: tuple[int, ...]  # positions within the chunk's sentences
    wordpieces: int


@dataclass(frozen=True)
class MatchedPassage:
    passage: Passage
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None


@dataclass(frozen=True)
class Hit:
    """A retrieved answer chunk with the passages inside it that matched the query."""

    chunk: Chunk
    rank: int
    score: float
    passages: tuple[MatchedPassage, ...]


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    doc_title: str
    date: str | None
    speaker: str
    speaker_title: str
    asked_by: str | None
    question: str | None
    quote: str
    start: int
    end: int
    score: float
    doc_path: str = ""


@dataclass(frozen=True)
class RelatedPassage:
    rank: int
    chunk_id: str
    speaker: str
    score: float
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[RelatedPassage, ...]
    timings_ms: dict
    query: str = ""  # the question as condensed for retrieval
    mode: str = "extractive"
    notice: str | None = None  # e.g. LLM fell back to extractive
    reason: str | None = None  # why it abstained: "weak-evidence" | "unmatched-constraint" | ...
    flagged: tuple[str, ...] = ()  # LLM sentences that failed grounding
