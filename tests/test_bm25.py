"""BM25: loading and searching with numpy alone gives bm25s' own results (ids, scores and tie order)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.bm25 import STOPWORDS_EN, BM25Index, tokenize
from qa.errors import IndexCorrupt

ROOT = Path(__file__).resolve().parent.parent


def test_stopwords_are_bm25s_english_list():
    from bm25s.stopwords import STOPWORDS_EN as upstream

    assert tuple(STOPWORDS_EN) == tuple(upstream)


def _bm25s_search(r, query: str, k: int, size: int, vocab, mask=None) -> list[tuple[int, float]]:
    """What qa.bm25 did through bm25s before: bm25s.BM25.retrieve, positive scores only."""
    toks = [t for t in tokenize(query) if t in vocab]
    if not toks:
        return []
    ids, scores = r.retrieve([toks], k=min(k, size), show_progress=False, n_threads=1, weight_mask=mask)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if s > 0]


@pytest.fixture(scope="module")
def saved(index):
    import bm25s

    from qa.index_store import live_generation

    gen = live_generation(index.folder)
    return BM25Index.load(gen / "bm25"), bm25s.BM25.load(str(gen / "bm25"), show_progress=False, verbosity=0)


def queries(index) -> list[str]:
    gold = [json.loads(x)["question"] for x in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip()]
    # Whole passages too: long queries with repeated terms and many ties.
    return gold + [p.text for p in index.passages[::7]] + ["patent patent patent", "the of and", "15.7 months"]


def test_search_matches_bm25s(saved, index):
    ours, theirs = saved
    assert ours.retriever is None and ours.size == len(index.passages)
    rng = np.random.default_rng(0)
    for q in queries(index):
        for k in (1, 5, 50, 10_000):
            assert ours.search(q, k) == _bm25s_search(theirs, q, k, ours.size, ours.vocab), (q, k)
        mask = (rng.random(ours.size) < 0.3).astype("float32")
        assert ours.search(q, 50, mask) == _bm25s_search(theirs, q, 50, ours.size, ours.vocab, mask), q


def test_built_and_loaded_indexes_agree(tmp_path, index):
    texts = [p.text for p in index.passages[:40]] + [""]
    built = BM25Index.build(texts)
    built.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    for q in queries(index)[:60]:
        assert built.search(q, 10) == loaded.search(q, 10)
    assert built.search("nothing-in-the-vocabulary", 5) == []


def test_a_damaged_bm25_folder_is_corrupt(tmp_path, index):
    BM25Index.build([p.text for p in index.passages[:10]]).save(tmp_path / "bm25")
    (tmp_path / "bm25" / "size.txt").write_text("11")
    with pytest.raises(IndexCorrupt, match="BM25 index unreadable"):
        BM25Index.load(tmp_path / "bm25")
    (tmp_path / "bm25" / "indptr.csc.index.npy").unlink()
    with pytest.raises(IndexCorrupt, match="BM25 index unreadable"):
        BM25Index.load(tmp_path / "bm25")


@pytest.mark.parametrize("text,tokens", [
    ("The examination period fell to 15.7 months, 94.2% accurate.",
     ["examin", "period", "fell", "15.7", "month", "94.2%", "accur"]),
    ("1,200 patents", ["1200", "patent"]),  # figures whole, thousands separators dropped
    ("4.425 million", ["4.425", "million"]),
    ("-3.5%", ["3.5%"]),
    ("patents PATENTS Patented", ["patent", "patent", "patent"]),  # lower-cased, stemmed, repeats kept
    ("China's patents", ["china", "patent"]),
    ("PCT, Hague and Madrid", ["pct", "hagu", "madrid"]),
    ("H1 and G20", ["h", "1", "g", "20"]),  # letters and digits split
    ("Café naïve résumé", ["cafe", "naiv", "resum"]),  # Unicode letters are words, accents dropped
    ("Bogota Bogotá", ["bogota", "bogota"]),  # a plain spelling finds the accented name
    ("What did you say about it?", ["say"]),  # bm25s' stopwords and question words dropped
    ("the of and", []),
    ("", []),
])
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


TINY = ["patent examination period fell to 15.7 months", "trademark registration is easier",
        "patent patent law and patent pledges", "", "the 15 month target"]


@pytest.fixture(scope="module")
def tiny():
    return BM25Index.build(TINY)


@pytest.mark.parametrize("query,k,mask,ids", [
    ("trademark", 5, None, [1]),
    ("patent", 5, None, [2, 0]),  # the passage saying it three times first
    ("patent", 1, None, [2]),  # k cuts
    ("Patents", 5, None, [2, 0]),  # the query is tokenized like the passages
    ("patent trademark", 5, None, [1, 2, 0]),
    ("15.7", 5, None, [0]),  # a figure matches itself only ...
    ("15", 5, None, [4]),  # ... not a longer one that starts with it
    ("patent", 5, [1, 1, 0, 1, 1], [0]),  # the mask removes passage 2
    ("the and of", 5, None, []),  # stopwords only
    ("nothing here", 5, None, []),  # no word in the vocabulary
])
def test_search_tiny_index(tiny, query, k, mask, ids):
    m = None if mask is None else np.array(mask, dtype="float32")
    hits = tiny.search(query, k, m)
    assert [i for i, _ in hits] == ids
    assert all(s > 0 for _, s in hits) and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
