"""Turn a Transcript into answer Chunks: one per official's answer, plus the opening statement.

Rules: moderator turns are not answers; a reporter turn is a question; a short official turn that
hands the question to a colleague is recorded as `handed_off_by` on the next official turn; two
officials answering one question give two chunks sharing the question.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from .errors import CorpusError
from .tokens import count_tokens, count_wordpieces
from .transcript import parse_file
from .types import Chunk, Transcript, Turn

log = logging.getLogger(__name__)

HANDOFF_MAX_WORDS = 70
HANDOFF_RE = re.compile(
    r"\b(?:invite|have|ask|let|give the floor to|turn (?:it |this )?over to|pass (?:it |this )?(?:on )?to|"
    r"hand (?:it |this )?over to)\b[^.?!]{0,40}?\b(?:M[rs]s?\.?|Madam|Dr\.?|Prof\.?|Director|Commissioner)\s+"
    r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)", re.S)
ANSWER_WORD_RE = re.compile(r"\b(answer|respond|address|reply|take (?:this|these|your|the) questions?|add)\b", re.I)


def handoff_target(turn: Turn, transcript: Transcript) -> str | None:
    """The colleague invited to answer if `turn` is only a hand-off, else None.

    >>> from qa.transcript import parse_text
    >>> t = parse_text("Speakers\\nShen Li, head\\nWang Bo, deputy\\nCCTV:\\nQ?\\nShen Li:\\n"
    ...                "Thank you. I would like to invite Mr. Wang to answer.\\nWang Bo:\\nWe did X.\\n")
    >>> handoff_target(t.turns[1], t)
    'Wang Bo'
    """
    if turn.role != "official" or turn.words > HANDOFF_MAX_WORDS:
        return None
    text = turn.text
    m = HANDOFF_RE.search(text)
    if not m or not ANSWER_WORD_RE.search(text[m.start():]):
        return None
    return resolve_person(m.group(1), transcript) or m.group(1)


def resolve_person(name: str, transcript: Transcript) -> str | None:
    """'Wang' or 'Hu Wenhui' -> the unique roster name it refers to (surname first, as in Chinese).

    Without a roster the officials who speak in the transcript are the candidates.
    """
    name = name.strip()
    people = [p.name for p in transcript.roster] or [t.speaker for t in transcript.turns if t.role == "official"]
    hits = {p for p in people if p == name or p.split()[0] == name or p.startswith(name + " ")}
    return hits.pop() if len(hits) == 1 else None


def chunk_transcript(tr: Transcript, warnings: list[str] | None = None) -> list[Chunk]:
    """Chunks of one transcript, in source order, ids `<doc_id>#<ordinal:02d>` (ordinal from 1)."""
    warnings = warnings if warnings is not None else []
    chunks: list[Chunk] = []
    question: Turn | None = None
    answered = False
    handoff: Turn | None = None  # a hand-off turn waiting for the colleague's answer
    invited: str | None = None

    def add(turn: Turn, handed_by: str | None):
        person = tr.person(turn.speaker)
        if person is None and tr.has_header:
            warnings.append(f"{tr.path}:{turn.label_line}: unknown speaker '{turn.speaker}' (not in the header)")
        text = turn.text
        n = len(chunks) + 1
        chunks.append(Chunk(
            id=f"{tr.doc_id}#{n:02d}", doc_id=tr.doc_id, doc_title=tr.title, doc_date=tr.date,
            doc_path=tr.path, ordinal=n, speaker=turn.speaker,
            speaker_title=person.title if person else "",
            asked_by=question.speaker if question else None,
            question=question.text if question else None,
            question_line=question.first_line if question else None,
            handed_off_by=handed_by, paragraphs=turn.paragraphs, start=turn.start, end=turn.end,
            first_line=turn.first_line, last_line=turn.last_line, words=turn.words,
            tokens=count_tokens(text), wordpieces=count_wordpieces(text)))

    def close_question():
        # A hand-off nobody took up was the answer after all (e.g. "We invited Mr. Li to address it.").
        nonlocal handoff, answered
        if handoff is not None:
            warnings.append(f"{tr.path}:{handoff.label_line}: '{handoff.speaker}' invited '{invited}' "
                            "but nobody answered; kept as the answer")
            add(handoff, None)
            answered, handoff = question is not None, None
        if question is not None and not answered:
            warnings.append(f"{tr.path}:{question.label_line}: question from '{question.speaker}' has no answer")

    for turn in tr.turns:
        if turn.role == "moderator":
            continue
        if turn.role == "reporter":
            close_question()
            question, answered, handoff, invited = turn, False, None, None
            continue
        target = handoff_target(turn, tr)
        if target is not None and target != turn.speaker:
            handoff, invited = turn, target
            continue
        handed_by = handoff.speaker if handoff is not None else None
        if handoff is not None and turn.speaker != invited:
            warnings.append(f"{tr.path}:{turn.label_line}: '{handed_by}' invited '{invited}' "
                            f"but '{turn.speaker}' answered")
        add(turn, handed_by)
        answered, handoff, invited = question is not None, None, None
    close_question()
    if not chunks:
        warnings.append(f"{tr.path}:1: no answers found (no official turns)")
    return chunks


def corpus_files(paths) -> list[Path]:
    """Expand files and folders into transcript files (*.txt), sorted, each once."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*.txt") if x.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise CorpusError(str(p), "no such file or folder")
    return list(dict.fromkeys(x.resolve() for x in out))


def load_corpus(paths, warnings: list[str] | None = None) -> tuple[list[Transcript], list[Chunk]]:
    """Parse and chunk every transcript under `paths`; bad files become warnings and are skipped.

    Doc ids are file stems, made unique with a numeric suffix; a file whose text duplicates an
    earlier one is skipped with a warning.
    """
    warnings = warnings if warnings is not None else []
    transcripts, chunks, seen_sha, seen_ids = [], [], {}, set()
    for f in corpus_files(paths):
        try:
            tr = parse_file(f)
        except CorpusError as e:
            warnings.append(f"skipped {e}")
            continue
        if tr.sha256 in seen_sha:
            warnings.append(f"{f}:1: duplicate of {seen_sha[tr.sha256]}; skipped")
            continue
        seen_sha[tr.sha256] = str(f)
        doc_id, n = tr.doc_id, 2
        while doc_id in seen_ids:
            doc_id, n = f"{tr.doc_id}-{n}", n + 1
        if doc_id != tr.doc_id:
            tr = parse_file(f, doc_id=doc_id)
        seen_ids.add(doc_id)
        warnings.extend(tr.warnings)
        cs = chunk_transcript(tr, warnings)
        if not cs:
            continue
        transcripts.append(tr)
        chunks.extend(cs)
    return transcripts, chunks
