"""Turn a Transcript into answer Chunks: one per official's answer, plus the opening statement.

Rules: moderator turns are not answers; a reporter turn is a question; a short official turn that
hands the question to a colleague is recorded as `handed_off_by` on the next official turn; two
officials answering one question give two chunks sharing the question. A hand-off is recognised by
its wording ("I would like to invite Mr. Wang to answer") or by structure: a short official turn
that names the official who speaks next ("I will ask Ms. Qian to take this one.", "I'll let the
Admiral take that"). Where nobody moderates, an official who runs the floor ("Go ahead, Zeke.",
"Thank you, Admiral.") gives short turns that answer no question: those are not answers either.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .briefing import PASS_RE, askers, names_person
from .errors import CorpusError
from .extract import SUPPORTED, corpus_files  # noqa: F401  (corpus_files: re-exported)
from .speakers import HONORIFICS
from .tokens import count_tokens, count_wordpieces
from .transcript import parse_path
from .types import Chunk, Transcript, Turn

HANDOFF_MAX_WORDS = 70
HANDOFF_RE = re.compile(
    r"\b(?:invite|have|ask|let|give the floor to|turn (?:it |this )?over to|pass (?:it |this )?(?:on )?to|"
    r"hand (?:it |this )?over to)\b[^.?!]{0,40}?\b(?:M[rs]s?\.?|Madam|Dr\.?|Prof\.?|Director|Commissioner)\s+"
    r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)", re.S)
ANSWER_WORD_RE = re.compile(r"\b(answer|respond|address|reply|take (?:this|these|your|the) questions?|add)\b", re.I)
# A structural hand-off is shorter than a worded one and states no figures.
STRUCTURAL_HANDOFF_MAX_WORDS = 40
# Floor management by an official when nobody moderates: this short, no figures, no question.
MODERATION_MAX_WORDS = 12
WORD_RE = re.compile(r"[\w'’-]+")


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


def _name_words(turn: Turn) -> set[str]:
    """How a turn's speaker may be named by a colleague: name and label words ('admiral', 'kirby')."""
    words = WORD_RE.findall(f"{turn.speaker} {turn.label}")
    return {w.casefold() for w in words if len(w) > 1 and w.casefold().rstrip(".") not in HONORIFICS}


def structural_handoff(turn: Turn, nxt: Turn | None) -> bool:
    """Whether `turn` only passes the floor to `nxt`: a short official turn without figures, right
    before another official's turn, that names that official ('I'll let the Admiral take that one')."""
    if nxt is None or turn.role != "official" or nxt.role != "official" or nxt.speaker == turn.speaker:
        return False
    if turn.words > STRUCTURAL_HANDOFF_MAX_WORDS or any(ch.isdigit() for ch in turn.text):
        return False
    return _names(turn.text, nxt)


def _names(text: str, turn: Turn) -> bool:
    """Whether `text` names `turn`'s speaker by a word of their name or label (see `briefing.names_person`)."""
    return names_person(text, _name_words(turn))


def passes_to(turn: Turn, nxt: Turn | None) -> bool:
    """Whether an answer `turn` passes (the rest of) its question to `nxt`, the official who speaks next: one of
    its sentences has a passing verb and names them.

    >>> from qa.transcript import parse_text
    >>> t = parse_text("MR LEE: Hi.\\n\\nQUESTION: Why?\\n\\nMS WU: We act. I will let Dan speak to the rest."
    ...                "\\n\\nMR DAN LEE: Gladly.\\n")
    >>> passes_to(t.turns[2], t.turns[3])
    True
    """
    if nxt is None or turn.role != "official" or nxt.role != "official" or nxt.speaker == turn.speaker:
        return False
    from .passages import split_sentences

    return any(PASS_RE.search(s) and _names(s, nxt) for s, _, _ in split_sentences(turn.text))


# Words that bring a guest to the podium, as opposed to handing one question on.
INTRO_RE = re.compile(r"\b(our guest|(pleased|happy|delighted|glad) to (welcome|introduce|have)|joined (today |here )?by|"
                      r"join(s|ing)? us|(bring up|bring out|introduce) (our|my|a|the)\b)", re.I)


def introduces(turn: Turn, nxt: Turn | None) -> bool:
    """Whether `turn` brings another official to the podium to speak in their own right ("I want to bring up our
    guest … I am pleased to welcome Rachel Dunmore, …"): the guest's remarks then answer no earlier question.

    >>> from qa.transcript import parse_text
    >>> t = parse_text("MR SMITH: Hello.\\n\\nQUESTION: Why?\\n\\nMR SMITH: Because.\\n\\nMR SMITH: Let me bring up our "
    ...                "guest, Jane Doe.\\n\\nMS DOE: Thanks. From today, renewals go online.\\n")
    >>> introduces(t.turns[3], t.turns[4]), introduces(t.turns[2], t.turns[3])
    (True, False)
    """
    if nxt is None or turn.role != "official" or nxt.role != "official" or nxt.speaker == turn.speaker:
        return False
    return bool(INTRO_RE.search(turn.text)) and _names(turn.text, nxt)


def _asked(turn: Turn | None) -> bool:
    return turn is not None and turn.role == "reporter" and ("?" in turn.text or "？" in turn.text)


def _thanks(turn: Turn) -> bool:
    """A reporter's closing 'Thank you.': asks nothing, so nothing is left unanswered."""
    return turn.words <= MODERATION_MAX_WORDS and "?" not in turn.text and "？" not in turn.text


def floor_runners(turns) -> set[str]:
    """Officials who run the floor when nobody moderates: they speak at least three times and
    answer questions themselves (a spokesperson, a press secretary)."""
    if any(t.role == "moderator" for t in turns):
        return set()
    count: dict[str, int] = {}
    answers: dict[str, int] = {}
    for prev, t in zip((None,) + tuple(turns), turns):
        count[t.speaker] = count.get(t.speaker, 0) + 1
        if t.role == "official" and _asked(prev):
            answers[t.speaker] = answers.get(t.speaker, 0) + 1
    return {n for n, c in count.items() if c >= 3 and answers.get(n)}


def _moderation(turn: Turn, prev: Turn | None, runners: set[str]) -> bool:
    """A floor runner's short turn that follows no question: 'Go ahead, Zeke.', 'Thank you, Admiral.'"""
    return (turn.speaker in runners and prev is not None and not _asked(prev)
            and turn.words <= MODERATION_MAX_WORDS and not any(ch.isdigit() for ch in turn.text)
            and "?" not in turn.text)


def chunk_transcript(tr: Transcript, warnings: list[str] | None = None) -> list[Chunk]:
    """Chunks of one transcript, in source order, ids `<doc_id>#<ordinal:02d>` (ordinal from 1).

    What goes wrong on the way (an unknown speaker, an unanswered question, a hand-off nobody took
    up) is appended to `warnings` as `path:line: what` for the ingest report.
    """
    warnings = warnings if warnings is not None else []
    chunks: list[Chunk] = []
    runners = floor_runners(tr.turns)
    # Who asked each question: the label, or the outlet or name the reporter gave or was called on by.
    asked = askers(tr)
    for question, positions in _exchanges(tr.turns):
        _answer(tr, question, asked[question.start][0] if question else None, positions, runners, chunks, warnings)
    if not chunks:
        warnings.append(f"{tr.path}:1: no answers found (no official turns)")
    return chunks


def _exchanges(turns) -> Iterator[tuple[Turn | None, list[int]]]:
    """The turns cut at each reporter's turn: (that question, or None before the first; the positions
    of the turns after it, up to the next question)."""
    question, positions = None, []
    for k, turn in enumerate(turns):
        if turn.role == "reporter":
            yield question, positions
            question, positions = turn, []
        else:
            positions.append(k)
    yield question, positions


def _answer(tr: Transcript, question: Turn | None, asked_by: str | None, positions: list[int], runners: set[str],
            chunks: list[Chunk], warnings: list[str]) -> None:
    """Append the chunks of the official turns at `positions` (the answers to `question`, asked by `asked_by`)."""
    turns = tr.turns
    answered = False
    handoff: Turn | None = None  # a hand-off turn waiting for the colleague's answer
    invited: str | None = None
    statement = False  # a guest was brought up after the answer: what follows answers no question
    passed_by: str | None = None  # an answer that passed the rest of the question on to the next official
    for k in positions:
        turn = turns[k]
        if turn.role == "moderator":
            continue
        nxt = next((t for t in turns[k + 1:] if t.role != "moderator"), None)
        if answered and handoff is None and introduces(turn, nxt):
            statement = True  # "Let me pause here … I am pleased to welcome Rachel Dunmore, …"
        if statement:
            _append(tr, turn, None, None, None, chunks, warnings)
            continue
        target = handoff_target(turn, tr)
        if target is None and structural_handoff(turn, nxt):
            target = nxt.speaker
        if target is not None and target != turn.speaker:
            handoff, invited = turn, target
            continue
        if handoff is None and _moderation(turn, turns[k - 1] if k else None, runners):
            continue
        handed_by = handoff.speaker if handoff is not None else passed_by
        if handoff is not None and turn.speaker != invited:
            warnings.append(f"{tr.path}:{turn.label_line}: '{handed_by}' invited '{invited}' "
                            f"but '{turn.speaker}' answered")
        _append(tr, turn, question, asked_by, handed_by, chunks, warnings)
        answered, handoff, invited = question is not None, None, None
        # "… I will let Dan speak to the policy side of that one. What I would say from the consular side is …":
        # an answer that also passes the question on; the colleague who speaks next was handed it.
        passed_by = turn.speaker if question is not None and passes_to(turn, nxt) else None
    if handoff is not None:
        # A hand-off nobody took up was the answer after all (e.g. "We invited Mr. Li to address it.").
        warnings.append(f"{tr.path}:{handoff.label_line}: '{handoff.speaker}' invited '{invited}' "
                        "but nobody answered; kept as the answer")
        _append(tr, handoff, question, asked_by, None, chunks, warnings)
        answered = question is not None
    if question is not None and not answered and not _thanks(question):
        warnings.append(f"{tr.path}:{question.label_line}: question from '{question.speaker}' has no answer")


def _append(tr: Transcript, turn: Turn, question: Turn | None, asked_by: str | None, handed_by: str | None,
            chunks: list[Chunk], warnings: list[str]) -> None:
    """Append `turn` as the next chunk, answering `question` (asked by `asked_by`)."""
    person = tr.person(turn.speaker)
    if person is None and tr.has_header:
        warnings.append(f"{tr.path}:{turn.label_line}: unknown speaker '{turn.speaker}' (not in the header)")
    text = turn.text
    n = len(chunks) + 1
    chunks.append(Chunk(
        id=f"{tr.doc_id}#{n:02d}", doc_id=tr.doc_id, doc_title=tr.title, doc_date=tr.date,
        doc_path=tr.path, ordinal=n, speaker=turn.speaker,
        speaker_title=person.title if person else "",
        asked_by=asked_by,
        question=question.text if question else None,
        question_line=question.first_line if question else None,
        handed_off_by=handed_by, paragraphs=turn.paragraphs, start=turn.start, end=turn.end,
        first_line=turn.first_line, last_line=turn.last_line, words=turn.words,
        tokens=count_tokens(text), wordpieces=count_wordpieces(text)))



@dataclass(frozen=True)
class IngestReport:
    """What happened to one document of a file (or to a skipped file): for `briefqa ingest`."""

    path: str
    status: str  # "parsed" | "skipped"
    doc_id: str | None = None
    answers: int = 0
    speakers: tuple[tuple[str, str], ...] = ()  # (name, role), in order of first turn
    roles_from: str = ""  # "header" | "title" | "inferred"
    roles_evidence: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    reason: str = ""  # why it was skipped: 'file:line: what'
    format: str = "txt"


def _roles_from(tr: Transcript) -> str:
    if not tr.has_header:
        return "inferred"
    return "header" if any("in the header" in e for e in tr.roles_evidence) else "title"


def load_corpus(paths, warnings: list[str] | None = None, reports: list[IngestReport] | None = None,
                parse=parse_path, chunk=chunk_transcript) -> tuple[list[Transcript], list[Chunk]]:
    """Parse and chunk every transcript under `paths`; bad files become warnings and are skipped.

    Doc ids are file stems; a file holding several briefings gives `<stem>`, `<stem>-2`, ...; ids
    are made unique across files with a numeric suffix; a file whose text duplicates an earlier one
    is skipped with a warning. `reports`, if given, receives one IngestReport per document or
    skipped file. `parse(file)` and `chunk(transcript, warnings)` default to `parse_path` and
    `chunk_transcript`; an incremental build (qa/reuse.py) passes ones that return what the
    previous index already holds for unchanged files, so ids and order are decided here either way.
    """
    warnings = warnings if warnings is not None else []
    reports = reports if reports is not None else []
    transcripts, chunks, seen_sha, seen_ids = [], [], {}, set()
    for f in corpus_files(paths):
        try:
            docs = parse(f)
        except CorpusError as e:
            warnings.append(f"skipped {e}")
            reports.append(IngestReport(str(f), "skipped", reason=str(e)))
            continue
        if docs[0].sha256 in seen_sha:
            why = f"{f}:1: duplicate of {seen_sha[docs[0].sha256]}; skipped"
            warnings.append(why)
            reports.append(IngestReport(str(f), "skipped", reason=why))
            continue
        seen_sha[docs[0].sha256] = str(f)
        for tr in docs:
            doc_id, n = tr.doc_id, 2
            while doc_id in seen_ids:
                doc_id, n = f"{tr.doc_id}-{n}", n + 1
            if doc_id != tr.doc_id:
                tr = replace(tr, doc_id=doc_id)
            seen_ids.add(doc_id)
            own: list[str] = list(tr.warnings)
            cs = chunk(tr, own)
            warnings.extend(own)
            reports.append(IngestReport(
                str(f), "parsed", doc_id, len(cs),
                tuple((n, next(t.role for t in tr.turns if t.speaker == n))
                      for n in dict.fromkeys(t.speaker for t in tr.turns)),
                _roles_from(tr), tr.roles_evidence, tuple(own), format=tr.format))
            if not cs:
                continue
            transcripts.append(tr)
            chunks.extend(cs)
    return transcripts, chunks
