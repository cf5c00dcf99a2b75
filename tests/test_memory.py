"""Memory stays flat over 1,000 questions: a leak check (RSS growth bounded), not a timing test."""
from __future__ import annotations

import gc
import json
from pathlib import Path

import psutil
import pytest

from qa.service import BriefingQA

ROOT = Path(__file__).resolve().parent.parent
ASKS, WARM_UP, LIMIT_MB = 1000, 50, 150


@pytest.mark.slow
def test_rss_flat_over_1000_questions(settings, embedder, index):
    import torch

    qa = BriefingQA(settings, embedder, index)
    threads = torch.get_num_threads()
    # One intra-op thread: on 2 busy cores two spinning OpenMP threads make each query encode ~20x
    # slower (measured), and a leak check does not need the speed-up of two.
    torch.set_num_threads(1)
    try:
        _run(qa)
    finally:
        torch.set_num_threads(threads)


def _run(qa):
    items = [json.loads(x) for x in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if x.strip()]
    proc = psutil.Process()

    def rss_mb() -> float:
        gc.collect()
        return proc.memory_info().rss / 2**20

    start = rss_mb()
    for i in range(WARM_UP):  # first calls fill caches (tokenizers, stemmer, torch workspaces)
        q = items[i % len(items)]
        qa.ask(q["question"], q.get("history") or [])
    warm = rss_mb()
    samples = []
    for i in range(ASKS):
        q = items[i % len(items)]
        a = qa.ask(q["question"], q.get("history") or [])
        assert a.answer
        if i % 200 == 199:
            samples.append(round(rss_mb()))
    end = rss_mb()
    print(f"\nRSS: {start:.0f} MiB at start, {warm:.0f} MiB after {WARM_UP} warm-up questions, "
          f"{end:.0f} MiB after {ASKS} more (every 200: {samples}); growth {end - warm:+.0f} MiB")
    assert end - warm < LIMIT_MB, samples
