"""Frozen dataclasses that cross stage boundaries, each carrying provenance back to the source."""
from __future__ import annotations

from dataclasses import dataclass, field


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


CITATION_KINDS = ("answer", "question", "header", "label", "turn")


@dataclass(frozen=True)
class Citation:
    """One numbered source: `quote == source_text[start:end]` of the document at `doc_path`.

    kind: "answer" (an official's words), "question" (a reporter's question), "header" (a roster
    or date line of the header), "label" (a speaker label: who spoke, in which order), "turn" (words
    of a turn that is no answer: the moderator's, or a hand-off).
    """

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
    kind: str = "answer"
    doc_id: str = ""

    def __post_init__(self):
        assert self.kind in CITATION_KINDS, self.kind


@dataclass(frozen=True)
class RelatedPassage:
    rank: int
    chunk_id: str
    speaker: str
    score: float
    text: str


BLOCK_KINDS = ("notice", "attribution", "quote", "item", "column", "row", "table")


@dataclass(frozen=True)
class Cell:
    """One cell of a table row: verbatim text and the citation that holds it (None: a plain label)."""

    text: str
    n: int | None = None


@dataclass(frozen=True)
class Block:
    """One piece of a structured answer; renderers draw blocks, never re-parse answer text.

    - notice: a statement about the answer itself (abstention, what was searched); cites nothing.
    - attribution: who is quoted next ("Hu Wenhui, deputy commissioner …, answering CCTV:").
    - quote: verbatim sentences, cited by `cites`.
    - item: one item of a list, verbatim, cited; `n` is its 1-based position.
    - column: the heading of one side of a comparison; the quotes that follow with the same
      `group` belong to it.
    - table: the column names of the rows that follow; row: one row of cells, each cited.
    `group` ties quotes to their column or list.
    """

    kind: str
    text: str = ""
    cites: tuple[int, ...] = ()
    group: str | None = None
    n: int | None = None
    cells: tuple[Cell, ...] = ()

    def __post_init__(self):
        assert self.kind in BLOCK_KINDS, self.kind


@dataclass(frozen=True)
class Scope:
    """What a question is about: officials, outlets, briefings (doc ids), the opening statement."""

    officials: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    opening: bool = False
    unknown: tuple[str, ...] = ()  # names the question gives for a speaker that match nobody
    from_history: bool = False  # the officials came from an earlier question ("he", "that official")

    def __bool__(self):
        return bool(self.officials or self.outlets or self.doc_ids or self.opening)


@dataclass(frozen=True)
class Correction:
    """A question word corrected against the corpus vocabulary."""

    wrong: str
    right: str


@dataclass(frozen=True)
class QueryPlan:
    """How a question will be answered: `plan(question, history, index)` in qa/understand.py."""

    question: str  # the user's question, cleaned
    intent: str  # fact | structure | summary | list | compare | overview
    scope: Scope
    query: str  # what retrieval searches for: corrected, scope words removed, condensed if a follow-up
    standalone: str  # the corrected question alone (follow-ups are also tried without history)
    topic: str  # the subject words left once scope, question and cue words are removed
    corrections: tuple[Correction, ...] = ()
    structure: str | None = None  # for intent structure: chair | speakers | outlets | count | date | ...
    count: int | None = None  # "the three measures" -> 3
    nth: int | None = None  # "the third question" -> 3, "the last question" -> -1
    follow_up: bool = False
    absent: tuple[str, ...] = ()  # names/terms of the question that occur nowhere in the corpus
    notes: tuple[str, ...] = ()

    @property
    def searched(self) -> str | None:
        """'valid invention patents' when spelling was corrected, for "Searched for: …"."""
        return self.standalone if self.corrections else None


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
    intent: str = "fact"
    blocks: tuple[Block, ...] = ()
    plan: QueryPlan | None = None

    def to_dict(self) -> dict:
        """The JSON contract (README "JSON result"): every field of the answer as plain data."""
        from .present import answer_dict

        return answer_dict(self)

    def to_text(self) -> str:
        """Plain text: the answer, then its numbered sources (what the terminal prints and Copy copies)."""
        from .present import answer_text

        return answer_text(self)
