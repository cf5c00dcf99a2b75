"""Retrieval with the real model and real FAISS/BM25 index built once per session."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from qa.errors import IndexStale
from qa.index_store import build, load
from qa.retrieve import Filters, Retriever, rrf

# One paraphrased question per seed answer (ordinal), written for this test, not copied.
PARAPHRASES = {
    1: "Give me the overall picture of IP reform progress: patents held by companies, royalty trade, protection centers",
    2: "How will the CNIPA carry out the plenary session's call for comprehensive IPR management?",
    3: "How is IP being used to make key industrial chains more competitive?",
    4: "What results has the special action plan on patent transformation and utilization achieved?",
    5: "How are foreign companies' intellectual property rights protected in China?",
    6: "How do patents and IP rights support the digital economy?",
    7: "How has the trademark registration process been made easier for businesses?",
    8: "What international IP cooperation has China done under the Belt and Road Initiative?",
    9: "Can you summarize IP development during the first six months of the year against the five-year plan goals?",
    10: "How is the patent open license scheme progressing?",
    11: "How are geographical indications protected and used for rural vitalization?",
    12: "What will CNIPA do to help build China into a science and technology powerhouse?",
}


@pytest.mark.parametrize("ordinal", sorted(PARAPHRASES))
def test_each_answer_is_top_hit_for_a_paraphrase(retriever, ordinal):
    hits = retriever.search(PARAPHRASES[ordinal], k=3)
    assert hits[0].chunk.ordinal == ordinal, [(h.chunk.ordinal, h.chunk.speaker) for h in hits]


def test_fact_from_last_third_of_long_answer_is_found_densely(retriever, index):
    # The opening statement is ~1,200 word pieces; the model alone would see only its first 256.
    opening = index.chunks[0]
    assert opening.wordpieces > 3 * 256
    hits = retriever.search("Which treaty on genetic resources and traditional knowledge did China help conclude?",
                            k=1, mode="dense")
    top = hits[0]
    assert top.chunk.id == opening.id
    best = top.passages[0].passage
    assert "Genetic Resources and Associated Traditional Knowledge" in best.text
    assert best.start - opening.start > 0.6 * (opening.end - opening.start)


def test_bm25_finds_exact_figure(retriever):
    hits = retriever.search("82.04 points", k=3, mode="bm25")
    assert hits and "82.04" in hits[0].passages[0].passage.text


def test_hits_carry_passages_with_exact_spans(retriever, seed_text):
    for h in retriever.search("trademark registration examination period", k=5):
        assert h.passages and h.score == h.passages[0].score
        for m in h.passages:
            assert seed_text[m.passage.start:m.passage.end] == m.passage.text
            assert h.chunk.start <= m.passage.start < m.passage.end <= h.chunk.end
    ranks = [h.rank for h in retriever.search("patents", k=5)]
    assert ranks == list(range(1, len(ranks) + 1))


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_speaker_filter(retriever, mode):
    hits = retriever.search("trademarks and brands", k=5, mode=mode, filters=Filters(speaker="Hu Wenhui"))
    assert hits and all(h.chunk.speaker == "Hu Wenhui" for h in hits)


def test_document_and_date_filters(retriever):
    assert retriever.search("patents", filters=Filters(doc_id="no-such-doc")) == []
    assert retriever.search("patents", filters=Filters(date_to="2024-01-01")) == []
    hits = retriever.search("patents", filters=Filters(date_from="2024-07-29", date_to="2024-07-29"))
    assert hits and all(h.chunk.doc_date == "2024-07-29" for h in hits)


def test_unknown_mode_is_a_clear_error(retriever):
    from qa.errors import ConfigError

    with pytest.raises(ConfigError, match="dense, bm25, hybrid"):
        retriever.search("x", mode="magic")


def test_rrf_fuses_ranks():
    fused = rrf([[10, 20, 30], [30, 10]], k=60)
    assert max(fused, key=fused.get) == 10
    assert set(fused) == {10, 20, 30}


def test_save_load_round_trip(index, settings, embedder):
    again = load(settings, embedder_sha=embedder.weights_sha256)
    assert [c.id for c in again.chunks] == [c.id for c in index.chunks]
    assert again.passages == index.passages
    q = "How many PPH agreements?"
    a = Retriever(again, embedder, settings).search(q)
    b = Retriever(index, embedder, settings).search(q)
    assert [(h.chunk.id, round(h.score, 6)) for h in a] == [(h.chunk.id, round(h.score, 6)) for h in b]
    assert np.allclose(again.sentence_vecs, index.sentence_vecs)


def test_changed_corpus_makes_index_stale(tmp_path, settings, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    s = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    build(s, embedder, progress=False)
    load(s, embedder_sha=embedder.weights_sha256)  # fresh
    f = corpus / "2024-07-29-scio-cnipa-ip.txt"
    f.write_text(f.read_text(encoding="utf-8") + "\nCCTV:\nOne more question?\n", encoding="utf-8")
    with pytest.raises(IndexStale, match="2024-07-29-scio-cnipa-ip.txt changed"):
        load(s, embedder_sha=embedder.weights_sha256)
    with pytest.raises(IndexStale, match="window_sentences"):
        load(s.with_overrides(window_sentences=2), embedder_sha=embedder.weights_sha256)
