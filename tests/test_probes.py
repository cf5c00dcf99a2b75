"""The probe sets (eval/probes/*.jsonl) load as gold items and quote the corpus: fresh phrasings written from the
transcript alone, for measuring how the rules generalise (eval/README.md, "Probe sets")."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa.chunking import load_corpus
from qa.eval.gold import load_gold
from qa.grounding import fold

ROOT = Path(__file__).resolve().parent.parent
PROBES = sorted((ROOT / "eval" / "probes").glob("probe-*.jsonl"))


@pytest.fixture(scope="module")
def corpus_text() -> str:
    transcripts, _ = load_corpus([ROOT / "corpus"])
    return fold("\n".join(t.text for t in transcripts))


def test_there_are_probe_sets():
    assert len(PROBES) >= 3


@pytest.mark.parametrize("path", PROBES, ids=lambda p: p.name)
def test_a_probe_set_is_gold_items_quoting_the_corpus(path, corpus_text):
    items = load_gold(path)
    assert len({it.id for it in items}) == len(items) > 100
    for it in items:
        assert all(fold(g) in corpus_text for g in it.gold), it.id
        assert it.answerable == bool(it.gold), it.id
        if it.absent:
            assert it.absent.lower() not in corpus_text.lower(), it.id
