"""Property-based tests of the corpus stage: any text parses, chunks and splits with exact spans.

Random transcripts mix speaker labels, header keywords, page-break artifacts (whole and halved),
colons, CJK, emoji, control characters, trailer lines and LF / CR LF / CR line endings. The only
exception allowed is CorpusError; every span slices its source back exactly and no text carries
the artifact. Nothing is written to the repo: no example database, and Hypothesis's caches go
to a temp dir removed afterwards.
"""
from __future__ import annotations

import re
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis caches (unicode tables, source constants) go to cwd/.hypothesis unless told otherwise,
# and are first written while this module builds its strategies: point them at a temp dir now.
_HOME = tempfile.mkdtemp(prefix="briefqa-hypothesis-")
set_hypothesis_home_dir(_HOME)

from qa.chunking import chunk_transcript
from qa.errors import CorpusError
from qa.passages import chunk_sentences, make_passages, split_sentences
from qa.transcript import ARTIFACT, parse_documents, parse_text, read_source

FAST = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

NAMES = ["CCTV", "Xing Huina", "Shen Changyu", "Mr. Wang", "Wang Peizhang", "China Daily", "Moderator",
         "Host", "Date", "Speakers", "Chairperson", "Related Briefings", "中国日报", "A", "Source",
         "Zhinews of Shenzhen Satellite TV", "Translated by", "MS. JEAN-PIERRE", "ADMIRAL KIRBY", "Q", "A",
         "Spokesperson Mao Ning", "Mao Ning", "QUESTION", "Interviewee", "Interviewer", "The result", "AFP"]
FRAGMENTS = [ARTIFACT, ARTIFACT[:9], ARTIFACT[9:], "Mr. ", "Jan. 20", "3.5 million", "(PCT)", "?", ":",
             "：", "中国知识产权。", "😀", "\x00", "\x0c", "\u2028", "\x85", "\t", "\ufeff", "\u200b",
             "Translated and edited by", "SCIO briefing on", "July 24, 2024", "Thank you. ",
             "I would like to invite Mr. Wang to answer.", "Mr. Shen Changyu, commissioner",
             "Why? ", "We did it. ", "  ", "(Laughter.)", " [inaudible] ", "1:47 P.M. EDT", "END 2:45 P.M. EDT",
             "Page 2 of 7", "Q    ", "Press Briefing on July 29, 2024", "Mr. Li Wei, minister", ": "]
# Lone surrogates excluded: a decoded file can never contain them.
CHARS = st.characters(blacklist_categories=("Cs",))

label_lines = st.builds(lambda pre, name, colon, post: f"{pre}{name}{colon}{post}",
                        st.sampled_from(["", ARTIFACT, "  ", "\ufeff"]), st.sampled_from(NAMES),
                        st.sampled_from([":", "：", " :", ""]),
                        st.sampled_from(["", " ", "\u200b", ARTIFACT, "  Why? (Laughter.)", " We did it."]))
free_text = st.lists(st.one_of(st.text(CHARS, max_size=12), st.sampled_from(FRAGMENTS)),
                     max_size=8).map("".join)
lines = st.lists(st.tuples(st.one_of(label_lines, free_text, free_text),
                           st.sampled_from(["\n", "\n", "\r\n", "\r"])), max_size=25)
transcripts = lines.map(lambda ls: "".join(line + sep for line, sep in ls))


@pytest.fixture(autouse=True, scope="module")
def _drop_hypothesis_home():
    yield
    set_hypothesis_home_dir(None)
    shutil.rmtree(_HOME, ignore_errors=True)


def check_transcript(text: str):
    try:
        tr = parse_text(text, "p.txt")
    except CorpusError as e:
        assert str(e).startswith("p.txt")
        return None
    assert all(w.startswith("p.txt:") for w in tr.warnings)
    for person in tr.roster:
        assert ARTIFACT not in person.name + person.title
    for turn in tr.turns:
        assert turn.role in ("official", "moderator", "reporter")
        assert ARTIFACT not in turn.speaker and turn.speaker == turn.speaker.strip()
        assert (turn.start, turn.end) == (turn.paragraphs[0].start, turn.paragraphs[-1].end)
        if turn.label_start is not None:
            assert text[turn.label_start:turn.label_end] == turn.label and turn.label_end <= turn.start
        for p in turn.paragraphs:
            assert text[p.start:p.end] == p.text and p.text and ARTIFACT not in p.text
            assert "\n" not in p.text and "\r" not in p.text
            assert p.line == len(re.findall(r"\r\n|\r|\n", text[:p.start])) + 1
            if tr.trailer_start is not None:
                assert p.end <= tr.trailer_start
            assert tr.segment_start <= p.start and (tr.segment_end is None or p.end <= tr.segment_end)
    return tr


def check_chunks(tr):
    warnings: list[str] = []
    chunks = chunk_transcript(tr, warnings)
    assert all(w.startswith("p.txt:") for w in warnings)
    assert [c.id for c in chunks] == [f"{tr.doc_id}#{k:02d}" for k in range(1, len(chunks) + 1)]
    for c in chunks:
        assert c.text == "\n".join(p.text for p in c.paragraphs)
        assert ARTIFACT not in c.text and ARTIFACT not in (c.question or "")
        for p in c.paragraphs:
            assert tr.text[p.start:p.end] == p.text
        assert tr.text[c.start:c.end].startswith(c.paragraphs[0].text)
        assert c.tokens > 0 and c.wordpieces > 0
    return chunks


@FAST
@given(transcripts)
def test_random_transcripts_parse_chunk_and_split_with_exact_spans(text):
    tr = check_transcript(text)
    if tr is None:
        return
    chunks = check_chunks(tr)
    for c in chunks:
        for s in chunk_sentences(c):
            assert tr.text[s.start:s.end] == s.text
    for p in make_passages(chunks, 2, 1, max_wordpieces=16):
        assert tr.text[p.start:p.end] == p.text and ARTIFACT not in p.text


BRIEFING_LINES = ["Speakers", "Speakers:", "Chairperson", "Date:", "July 29, 2024", "Mr. Shen Changyu, commissioner",
                  "Ms. Xing Huina, host", f"{ARTIFACT}Xing Huina:", "CCTV:", "Shen Changyu:", "Mr. Shen:",
                  "Why? Thank you.", "Thank you. I would like to invite Mr. Wang to answer.", "Wang Peizhang:",
                  "We did it.", f"We did it.{ARTIFACT} Again.", ""]
TRAILER_LINES = ["Translated and edited by X. In case of any discrepancy, Chinese prevails.",
                 "SCIO briefing on Y", "July 22, 2024SCIO briefing on Z", "July 11, 2024", "Related Briefings:"]


@FAST
@given(st.lists(st.sampled_from(BRIEFING_LINES), max_size=30),
       st.sampled_from(["Xing Huina:", "Wang Peizhang:", "CCTV:"]),
       st.lists(st.sampled_from(TRAILER_LINES), min_size=1, max_size=4),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_random_briefing_shaped_transcripts(body, closer, trailer, sep):
    if trailer[0] == "Related Briefings:":  # a label-like first line would start a turn
        trailer = TRAILER_LINES[:1] + trailer
    text = sep.join(body + [closer, "That is all. Goodbye."] + trailer) + sep
    assert check_transcript(text) is not None
    # The random body may hold a whole second header ('Speakers' then 'Mr. Shen Changyu, ...'):
    # that starts another briefing, so the closing turn and trailer belong to the last one.
    docs = parse_documents(text, "p.txt")
    assert [d.doc_id for d in docs] == ["p"] + [f"p-{k}" for k in range(2, len(docs) + 1)]
    assert all(a.segment_end == b.segment_start for a, b in zip(docs, docs[1:]))
    tr = docs[-1]
    assert tr.turns[-1].text == "That is all. Goodbye."
    assert text[tr.trailer_start:].rstrip() == sep.join(trailer)
    for c in check_chunks(tr):
        assert not any(line in c.text for line in TRAILER_LINES)


def decoded(raw: bytes) -> str:
    """What read_source must return: UTF-16/32 after their byte-order mark, UTF-8 otherwise."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec)
    return raw.decode("utf-8")


@FAST
@given(st.binary(max_size=200),
       st.sampled_from([b"", b"CCTV:\nWhy?\nLi Wei:\n", b"\xef\xbb\xbf", b"\xff\xfe", "CCTV:\n".encode("utf-16")]))
def test_random_bytes_read_or_raise_corpus_error(tmp_path_factory, data, prefix):
    f = tmp_path_factory.mktemp("bytes") / "random.txt"
    f.write_bytes(prefix + data)
    try:
        text = read_source(f)
    except CorpusError as e:
        assert str(e).startswith(f"{f}:")
        assert e.line is not None and e.line >= 1
        return
    assert text == decoded(prefix + data)
    check_transcript(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.text(CHARS, max_size=80), free_text, transcripts.map(lambda t: t[:300])),
       st.integers(0, 10_000))
def test_split_sentences_slices_back_and_covers_everything(text, offset):
    out = split_sentences(text, offset)
    covered = set()
    for s, a, b in out:
        assert text[a - offset:b - offset] == s and s == s.strip() and s
        covered.update(range(a - offset, b - offset))
    assert all(b <= c for (_, _, b), (_, c, _) in zip(out, out[1:]))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
