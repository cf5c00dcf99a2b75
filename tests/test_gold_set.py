"""The gold set (eval/questions.jsonl) is well formed and every gold text is really in the corpus."""
from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from qa.chunking import load_corpus
from qa.grounding import fold

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "questions.jsonl"
KEYS = {"id", "question", "answerable", "gold", "speaker", "facts", "kind", "history"}
ANSWERABLE_KINDS = {"number", "paraphrase", "keyword", "who", "list", "why-how"}
UNANSWERABLE_KINDS = {"unanswerable", "near-miss"}


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def corpus():
    transcripts, chunks = load_corpus([ROOT / "corpus"])
    return transcripts, chunks


@pytest.fixture(scope="module")
def answerable(items):
    return [it for it in items if it["answerable"]]


def test_size_and_mix(items):
    assert len(items) >= 90
    assert sum(not it["answerable"] for it in items) >= 15
    assert sum(bool(it["history"]) for it in items) >= 10
    kinds = collections.Counter(it["kind"] for it in items if not it["answerable"])
    assert kinds["near-miss"] >= 5 and kinds["unanswerable"] >= 5, kinds


def test_ids_unique(items):
    ids = [it["id"] for it in items]
    dupes = [i for i, n in collections.Counter(ids).items() if n > 1]
    assert not dupes


def test_keys_and_types_exact(items):
    for it in items:
        assert set(it) == KEYS, it["id"]
        assert isinstance(it["answerable"], bool), it["id"]
        assert isinstance(it["question"], str) and it["question"].strip(), it["id"]
        for k in ("gold", "facts", "history"):
            assert isinstance(it[k], list) and all(isinstance(x, str) and x.strip() for x in it[k]), (it["id"], k)
        assert it["kind"] in (ANSWERABLE_KINDS if it["answerable"] else UNANSWERABLE_KINDS), it["id"]


def test_answerable_items_carry_gold_facts_speaker(answerable, items):
    for it in answerable:
        assert it["gold"] and it["facts"] and it["speaker"], it["id"]
    for it in items:
        if not it["answerable"]:
            assert not it["gold"] and not it["facts"], it["id"]


def test_gold_substrings_verbatim_in_corpus(answerable, corpus):
    transcripts, _ = corpus
    texts = [t.text for t in transcripts]
    missing = [(it["id"], g[:50]) for it in answerable for g in it["gold"] if not any(g in t for t in texts)]
    assert not missing


def test_gold_substrings_8_to_30_words(answerable):
    bad = [(it["id"], len(g.split())) for it in answerable for g in it["gold"] if not 8 <= len(g.split()) <= 30]
    assert not bad


def test_gold_speaker_gave_the_gold_answer(answerable, corpus):
    _, chunks = corpus
    for it in answerable:
        speakers = {c.speaker for c in chunks for g in it["gold"] if fold(g) in fold(c.text)}
        assert it["speaker"] in speakers, (it["id"], it["speaker"], speakers)


def test_every_fact_occurs_in_a_gold_paragraph(answerable, corpus):
    _, chunks = corpus
    paragraphs = [p.text for c in chunks for p in c.paragraphs]
    for it in answerable:
        gold_paras = [p for p in paragraphs if any(g in p for g in it["gold"])]
        assert gold_paras, it["id"]
        for f in it["facts"]:
            assert any(f in p for p in gold_paras), (it["id"], f)


def test_every_answer_targeted_by_four_questions(answerable, corpus):
    # Computed by text, so the rule survives any change of chunking.
    _, chunks = corpus
    targeted = collections.Counter(
        c.id for it in answerable for c in chunks if any(fold(g) in fold(c.text) for g in it["gold"]))
    thin = {c.id: targeted[c.id] for c in chunks if targeted[c.id] < 4}
    assert not thin, thin


def test_follow_ups_are_short_of_context(items):
    # A follow-up's history is earlier user questions; none repeats the follow-up itself.
    for it in items:
        assert it["question"] not in it["history"], it["id"]
