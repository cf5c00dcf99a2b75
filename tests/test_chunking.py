"""Chunking: one chunk per official's answer on the seed and on small transcripts; corpus loading."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.chunking import chunk_transcript, corpus_files, handoff_target, load_corpus
from qa.errors import CorpusError
from qa.transcript import ARTIFACT, parse_file, parse_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEED = CORPUS / "2024-07-29-scio-cnipa-ip.txt"
SHEN = "Shen Changyu"

# (speaker, asked_by, handed_off_by), checked by hand against the transcript.
SEED_CHUNKS = [
    (SHEN, None, None),  # opening statement
    (SHEN, "CCTV", None),
    ("Wang Peizhang", "Bjnews.com.cn", SHEN),
    (SHEN, "Shangyou News", None),
    ("Hu Wenhui", "Xinhua News Agency", SHEN),
    ("Ge Shu", "China Intellectual Property News", SHEN),
    ("Hu Wenhui", "Jiangsu Broadcasting Corporation", SHEN),
    (SHEN, "China Daily", None),
    ("Ge Shu", "The Poster News APP", SHEN),
    ("Wang Peizhang", "Zhinews of Shenzhen Satellite TV", None),
    ("Hu Wenhui", "Bauhinia Magazine", SHEN),
    (SHEN, "Jinan Times APP", None),
]

HEADER = """Speakers:
Mr. Li Wei, minister of ecology
Ms. Zhao Min, vice minister of ecology
Chairperson:
Mr. Chen Bo, spokesperson of the SCIO
Date:
March 3, 2024
Chen Bo:
Good morning. Questions, please.
"""


def chunks_of(text, path="t.txt"):
    warnings: list[str] = []
    t = parse_text(text, path)
    return t, chunk_transcript(t, warnings), warnings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---- the seed --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed():
    t = parse_file(SEED)
    warnings: list[str] = []
    return t, chunk_transcript(t, warnings), warnings


def test_seed_has_the_twelve_hand_checked_answers(seed):
    _, chunks, warnings = seed
    assert [(c.speaker, c.asked_by, c.handed_off_by) for c in chunks] == SEED_CHUNKS
    assert warnings == []


def test_seed_opening_statement(seed):
    first = seed[1][0]
    assert first.question is None and first.question_line is None
    assert first.text.startswith("Thank you. I would like to take this opportunity")
    assert first.text.endswith("My colleagues and I are now ready to take your questions. Thank you.")


def test_seed_questions_and_titles(seed):
    t, chunks, _ = seed
    for c in chunks[1:]:
        assert c.question and c.question.endswith(("?", "Thank you."))
        assert t.text.count("\n", 0, t.text.index(c.question)) + 1 == c.question_line
        assert c.speaker_title == t.person(c.speaker).title
    assert chunks[2].question.startswith("An important task of the special action")
    # the hand-off turns themselves are not answers
    assert all(not c.text.startswith("Thank you for your question. I would like to invite") for c in chunks)


def test_seed_chunk_text_is_clean(seed):
    for c in seed[1]:
        for bad in (ARTIFACT, "Translated and edited by", "SCIO briefing on"):
            assert bad not in c.text
            assert bad not in (c.question or "")


def test_seed_chunk_spans_slice_the_file(seed):
    source = SEED.read_bytes().decode("utf-8")
    for c in seed[1]:
        assert source[c.start:c.end].startswith(c.paragraphs[0].text)
        assert source[c.start:c.end].endswith(c.paragraphs[-1].text)
        for p in c.paragraphs:
            assert source[p.start:p.end] == p.text
        assert (c.first_line, c.last_line) == (c.paragraphs[0].line, c.paragraphs[-1].line)


def test_seed_counts(seed):
    for c in seed[1]:
        assert c.tokens > 0 and c.wordpieces > 0 and c.words == len(c.text.split())


def test_seed_ids_are_unique_and_stable(seed):
    t, chunks, _ = seed
    ids = [c.id for c in chunks]
    assert ids == [f"2024-07-29-scio-cnipa-ip#{k:02d}" for k in range(1, 13)]
    assert [c.ordinal for c in chunks] == list(range(1, 13))
    again = chunk_transcript(parse_file(SEED))
    assert [(c.id, c.start, c.end) for c in again] == [(c.id, c.start, c.end) for c in chunks]
    assert all(c.doc_title == t.title and c.doc_date == "2024-07-29" for c in chunks)


def test_load_corpus_on_the_seed_folder():
    warnings: list[str] = []
    transcripts, chunks = load_corpus([CORPUS], warnings)
    assert [tr.doc_id for tr in transcripts] == ["2024-07-29-scio-cnipa-ip"]
    assert [(c.speaker, c.asked_by, c.handed_off_by) for c in chunks] == SEED_CHUNKS
    assert warnings == []


# ---- hand-offs and several answers -----------------------------------------------------------

def test_handoff_is_recorded_and_next_turn_attributed():
    t, chunks, warnings = chunks_of(HEADER + "CCTV:\nWhat about water?\n"
                                    "Li Wei:\nThank you for your question. I would like to invite Ms. Zhao to answer.\n"
                                    "Zhao Min:\nRivers are cleaner.\n")
    assert handoff_target(t.turns[2], t) == "Zhao Min"
    assert [(c.speaker, c.asked_by, c.handed_off_by) for c in chunks] == [("Zhao Min", "CCTV", "Li Wei")]
    assert warnings == []


@pytest.mark.parametrize("words", [
    "I would like to invite Mr. Wang to answer.",
    "Let me give the floor to Mr. Wang Bo to answer this question.",
    "I'll ask Director Wang to respond.",
])
def test_handoff_phrasings(words):
    t = parse_text("Speakers:\nShen Li, head\nWang Bo, deputy\nCCTV:\nQ?\nShen Li:\n" + words + "\nWang Bo:\nX.\n")
    assert handoff_target(t.turns[1], t) == "Wang Bo"
    assert [(c.speaker, c.asked_by, c.handed_off_by, c.text) for c in chunk_transcript(t)] == [
        ("Wang Bo", "CCTV", "Shen Li", "X.")]


def test_not_a_handoff():
    t = parse_text("Speakers:\nShen Li, head\nWang Bo, deputy\nCCTV:\nQ?\nShen Li:\n"
                   + "We will do more. " * 20 + "I would like to invite Mr. Wang to answer.\n"
                   + "Wang Bo:\nI would like to invite Mr. Wang to answer.\n")
    assert handoff_target(t.turns[1], t) is None  # too long to be only a hand-off
    assert handoff_target(t.turns[0], t) is None  # a reporter


def test_two_officials_answer_one_question():
    _, chunks, warnings = chunks_of(HEADER + "CCTV:\nWhat about air and water?\n"
                                    "Li Wei:\nAir is cleaner.\nZhao Min:\nI'd like to add that water is too.\n")
    assert [(c.speaker, c.asked_by) for c in chunks] == [("Li Wei", "CCTV"), ("Zhao Min", "CCTV")]
    assert chunks[0].question == chunks[1].question == "What about air and water?"
    assert warnings == []


def test_handoff_to_one_answered_by_another_is_warned():
    _, chunks, warnings = chunks_of(HEADER + "CCTV:\nQ?\nLi Wei:\nI would like to invite Mr. Chen to answer.\n"
                                    "Zhao Min:\nWater is cleaner.\n")
    assert [(c.speaker, c.handed_off_by) for c in chunks] == [("Zhao Min", "Li Wei")]
    assert any("'Li Wei' invited 'Chen Bo' but 'Zhao Min' answered" in w for w in warnings)


def test_handoff_nobody_takes_up_is_kept_as_the_answer():
    _, chunks, warnings = chunks_of(HEADER + "CCTV:\nWho decides?\n"
                                    "Li Wei:\nWe have invited Ms. Zhao to address it next week.\n"
                                    "Xinhua:\nWhat next?\nZhao Min:\nMore checks.\n")
    assert [(c.speaker, c.asked_by, c.handed_off_by) for c in chunks] == [
        ("Li Wei", "CCTV", None), ("Zhao Min", "Xinhua", None)]
    assert any(w.startswith("t.txt:12: 'Li Wei' invited 'Zhao Min' but nobody answered") for w in warnings)
    assert not any("has no answer" in w for w in warnings)


def test_handoff_without_roster_resolves_to_the_speaker():
    _, chunks, warnings = chunks_of("Host:\nWelcome.\nCCTV:\nQ?\nShen Li:\nI would like to invite Mr. Wang "
                                    "to answer.\nWang Bo:\nWe did X.\nShen Li:\nAnd Y.\n")
    assert [(c.speaker, c.handed_off_by) for c in chunks] == [("Wang Bo", "Shen Li"), ("Shen Li", None)]
    assert not any("invited" in w for w in warnings)


# ---- warnings --------------------------------------------------------------------------------

def test_question_without_answer_is_warned_with_file_and_line():
    _, chunks, warnings = chunks_of(HEADER + "CCTV:\nWhat about water?\nXinhua:\nAnd air?\nLi Wei:\nBoth better.\n"
                                    "Chen Bo:\nLast question.\nChina Daily:\nAnd soil?\n", "d/t.txt")
    assert [(c.speaker, c.asked_by) for c in chunks] == [("Li Wei", "Xinhua")]
    assert "d/t.txt:10: question from 'CCTV' has no answer" in warnings
    assert "d/t.txt:18: question from 'China Daily' has no answer" in warnings


def test_unknown_speaker_not_in_header_is_warned():
    _, chunks, warnings = chunks_of(HEADER + "CCTV:\nWhat about water?\nSun Tao:\nRivers are cleaner.\n")
    assert [(c.speaker, c.asked_by, c.speaker_title) for c in chunks] == [("Sun Tao", "CCTV", "")]
    assert "t.txt:12: unknown speaker 'Sun Tao' (not in the header)" in warnings


def test_no_official_turns_gives_no_chunks_and_a_warning():
    _, chunks, warnings = chunks_of(HEADER + "CCTV:\nWhat about water?\n")
    assert chunks == []
    assert "t.txt:1: no answers found (no official turns)" in warnings


# ---- corpus loading --------------------------------------------------------------------------

BRIEF_A = HEADER + "CCTV:\nWhat about water?\nLi Wei:\nRivers are cleaner.\n"
BRIEF_B = HEADER + "Xinhua:\nWhat about air?\nZhao Min:\nAir is cleaner.\nLi Wei:\nIndeed.\n"


def test_duplicate_document_is_skipped_with_a_warning(tmp_path):
    a = write(tmp_path / "a.txt", BRIEF_A)
    b = write(tmp_path / "b.txt", BRIEF_A)
    warnings: list[str] = []
    transcripts, chunks = load_corpus([tmp_path], warnings)
    assert [t.doc_id for t in transcripts] == ["a"]
    assert [c.id for c in chunks] == ["a#01"]
    assert f"{b.resolve()}:1: duplicate of {a.resolve()}; skipped" in warnings


def test_bad_file_is_skipped_and_good_ones_ingested_with_unique_ids(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "broken.txt").write_bytes(b"CCTV:\nWhy?\nLi Wei:\n\xff\xfe\n")
    write(tmp_path / "x" / "brief.txt", BRIEF_A)
    write(tmp_path / "y" / "brief.txt", BRIEF_B)
    write(tmp_path / "y" / "notes.md", "not a transcript")
    warnings: list[str] = []
    transcripts, chunks = load_corpus([tmp_path], warnings)
    assert [t.doc_id for t in transcripts] == ["brief", "brief-2"]
    assert [c.id for c in chunks] == ["brief#01", "brief-2#01", "brief-2#02"]
    assert len({c.id for c in chunks}) == len(chunks)
    bad = (tmp_path / "bad" / "broken.txt").resolve()
    assert any(w.startswith(f"skipped {bad}:4: not UTF-8") for w in warnings)
    for c, tr in zip(chunks, [transcripts[0], transcripts[1], transcripts[1]]):
        assert tr.text[c.start:c.end] == c.text and c.doc_path == tr.path


def test_load_corpus_is_stable(tmp_path):
    write(tmp_path / "x" / "brief.txt", BRIEF_A)
    write(tmp_path / "y" / "brief.txt", BRIEF_B)
    runs = [[(c.id, c.doc_path, c.start) for c in load_corpus([tmp_path])[1]] for _ in range(2)]
    assert runs[0] == runs[1]


def test_corpus_files(tmp_path):
    a = write(tmp_path / "b" / "a.txt", "x")
    c = write(tmp_path / "a" / "c.txt", "x")
    write(tmp_path / "a" / "c.meta.json", "{}")
    assert corpus_files([tmp_path, a]) == [c.resolve(), a.resolve()]
    with pytest.raises(CorpusError, match=re.escape(str(tmp_path / "missing")) + ": no such file"):
        corpus_files([tmp_path / "missing"])
