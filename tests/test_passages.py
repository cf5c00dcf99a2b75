"""Sentence splitting (pysbd) and passages: sentence windows inside one paragraph that fit the model."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa.chunking import chunk_transcript
from qa.errors import ConfigError
from qa.passages import chunk_sentences, embed_text, make_passages, split_sentences
from qa.tokens import count_wordpieces
from qa.transcript import parse_file, parse_text

SEED = Path(__file__).resolve().parent.parent / "corpus" / "2024-07-29-scio-cnipa-ip.txt"


@pytest.fixture(scope="module")
def seed():
    t = parse_file(SEED)
    return t, chunk_transcript(t)


@pytest.fixture(scope="module")
def seed_sentences(seed):
    return {c.id: chunk_sentences(c) for c in seed[1]}


def check_split(text: str, offset: int = 0):
    """Sentences slice back exactly, are trimmed, ordered, disjoint and cover every visible char."""
    out = split_sentences(text, offset)
    covered = set()
    for s, a, b in out:
        assert text[a - offset:b - offset] == s
        assert s and s == s.strip()
        covered.update(range(a - offset, b - offset))
    assert all(b <= c for (_, _, b), (_, c, _) in zip(out, out[1:]))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    return out


# ---- sentences -------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "Mr. Wang Peizhang answered the question on behalf of the administration.",
    "The new rules take effect on Jan. 20 next year.",
    "Patent licensing income reached 3.5 million yuan last year.",
    "China ranks first in filings under the Patent Cooperation Treaty (PCT) this year.",
    "Mr. Wang said on Jan. 20 that 3.5 million (PCT) filings were made.",
])
def test_abbreviations_numbers_and_parentheses_do_not_split(sentence):
    assert [s for s, _, _ in check_split(sentence)] == [sentence]
    two = f"Applications rose. {sentence} They will keep rising."
    assert [s for s, _, _ in check_split(two, 100)] == ["Applications rose.", sentence,
                                                        "They will keep rising."]


@pytest.mark.parametrize("text, n", [
    ("", 0),
    ("   \n\t", 0),
    ("a", 1),
    (".", 1),
    ("é", 1),
    ("知识产权保护取得新进展。专利数量持续增长！", 2),
    ("😀", 1),
    ("Growth was strong 😀. Exports rose 中国 too!", 2),
    ("  Leading and trailing spaces.  ", 1),
    ("Line one.\nLine two.", 2),
    ("Is it?! Yes... and no.", None),
    ("Odd ?!\n！?!X(PCT) )?!中国！\tbZa.\x0c ,?!)", None),  # pysbd once dropped text here
])
def test_split_edge_inputs(text, n):
    out = check_split(text, 7)
    if n is not None:
        assert len(out) == n


def test_split_a_whole_seed_paragraph(seed):
    _, chunks = seed
    para = chunks[0].paragraphs[2]
    out = check_split(para.text, para.start)
    assert len(out) == 4
    assert out[0][0].startswith("First, in terms of creation")
    for s, a, b in out:
        assert seed[0].text[a:b] == s


def test_chunk_sentences_carry_paragraph_and_span(seed, seed_sentences):
    t, chunks = seed
    for c in chunks:
        sents = seed_sentences[c.id]
        assert {s.paragraph for s in sents} == set(range(len(c.paragraphs)))
        for s in sents:
            assert t.text[s.start:s.end] == s.text and s.chunk_id == c.id
            p = c.paragraphs[s.paragraph]
            assert p.start <= s.start and s.end <= p.end


# ---- passages --------------------------------------------------------------------------------

def check_passages(t, chunks, passages, max_wp=256, start_id=0, sents=None):
    sents = sents or {c.id: chunk_sentences(c) for c in chunks}
    by_id = {c.id: c for c in chunks}
    assert [p.id for p in passages] == list(range(start_id, start_id + len(passages)))
    covered = {c.id: set() for c in chunks}
    for p in passages:
        chunk = by_id[p.chunk_id]
        assert t.text[p.start:p.end] == p.text
        ids = list(p.sentence_ids)
        assert ids == list(range(ids[0], ids[-1] + 1))
        ss = [sents[p.chunk_id][i] for i in ids]
        assert (p.start, p.end) == (ss[0].start, ss[-1].end)
        assert len({s.paragraph for s in ss}) == 1  # never crosses a paragraph
        para = chunk.paragraphs[ss[0].paragraph]
        assert para.start <= p.start and p.end <= para.end
        assert p.wordpieces == count_wordpieces(p.text)
        assert p.wordpieces <= max_wp or len(ids) == 1
        covered[p.chunk_id].update(ids)
    for c in chunks:
        assert covered[c.id] == set(range(len(sents[c.id])))


@pytest.mark.parametrize("window, stride", [(3, 2), (1, 1), (2, 3), (5, 5), (4, 1)])
def test_seed_passages(seed, seed_sentences, window, stride):
    t, chunks = seed
    passages = make_passages(chunks, window, stride, start_id=10, sentences=seed_sentences)
    check_passages(t, chunks, passages, start_id=10, sents=seed_sentences)
    assert len({(p.chunk_id, p.sentence_ids) for p in passages}) == len(passages)


def test_tight_budget_shrinks_windows_and_keeps_lone_long_sentences(seed, seed_sentences):
    t, chunks = seed
    passages = make_passages(chunks[:3], 4, 2, max_wordpieces=30, sentences=seed_sentences)
    check_passages(t, chunks[:3], passages, max_wp=30, sents=seed_sentences)
    assert any(p.wordpieces > 30 for p in passages)  # long single sentences are kept whole
    assert all(len(p.sentence_ids) == 1 for p in passages if p.wordpieces > 30)


def test_small_transcript_passages():
    text = ("CCTV:\nWhat about water?\nLi Wei:\nRivers are cleaner. Lakes too. Seas as well.\n"
            "Fish came back. Birds also.\nZhao Min:\nOne more thing.\n")
    t = parse_text(text)
    chunks = chunk_transcript(t)
    passages = make_passages(chunks, 2, 1)
    check_passages(t, chunks, passages)
    assert [p.text for p in passages] == [
        "Rivers are cleaner. Lakes too.", "Lakes too. Seas as well.", "Fish came back. Birds also.",
        "One more thing."]


@pytest.mark.parametrize("window, stride, cap", [(0, 1, 256), (3, 0, 256), (3, 2, 0)])
def test_invalid_window_settings(seed, window, stride, cap):
    with pytest.raises(ConfigError, match="at least 1"):
        make_passages(seed[1], window, stride, max_wordpieces=cap)


def test_embed_text(seed):
    chunk = seed[1][1]
    p = make_passages([chunk], 3, 2)[0]
    assert embed_text(p, chunk, with_question=False) == p.text
    text = embed_text(p, chunk, with_question=True, question_words=5)
    assert text == " ".join(chunk.question.split()[:5]) + "\n" + p.text
    opening = seed[1][0]
    q = make_passages([opening], 3, 2)[0]
    assert embed_text(q, opening, with_question=True) == q.text
