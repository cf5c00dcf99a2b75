"""Builds that overlap, builds that die, and builds under a live server never corrupt the index."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa import generations, index_store
from qa.service import BriefingQA

from helpers import QUIET, ROOT, built_index, kill_when, write_tiny_corpus

BRIEFQA = Path(sys.executable).with_name("briefqa")


def start_build(corpus: Path, index: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.Popen([str(BRIEFQA), "build", "--corpus", str(corpus), "--index", str(index)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def fingerprint(answer) -> tuple:
    """What must not change while the index is rebuilt underneath: text, abstention, cited spans."""
    return (answer.answer, answer.abstained,
            tuple((c.chunk_id, c.start, c.end, c.quote) for c in answer.citations))


def questions(n: int = 8) -> list[str]:
    lines = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["question"] for x in lines if x.strip()][:n]


def assert_true_to_source(idx) -> None:
    for p in idx.passages:
        c = idx.chunk_by_id[p.chunk_id]
        assert Path(c.doc_path).read_bytes().decode("utf-8")[p.start:p.end] == p.text


@pytest.fixture
def tiny(tmp_path, settings, embedder):
    """Settings for a tiny corpus whose index is built (first generation live) in tmp_path."""
    s, _ = built_index(settings, embedder, write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index")
    return s


def test_two_builds_at_once_while_serving(tiny, embedder):
    """Two `briefqa build` at once: the lock serialises them, both succeed, and a server reading the
    old generation (which the second build deletes) keeps giving the same answers throughout."""
    s = tiny
    served = index_store.live_generation(s.index_dir)
    qa = BriefingQA(s, embedder, index_store.load(s, embedder_sha=embedder.weights_sha256))
    qs = questions()
    baseline = {q: fingerprint(qa.ask(q)) for q in qs}

    procs = [start_build(s.corpus_dir, s.index_dir) for _ in range(2)]
    asked = 0
    while any(p.poll() is None for p in procs):
        q = qs[asked % len(qs)]
        assert fingerprint(qa.ask(q)) == baseline[q], q
        asked += 1
        time.sleep(0.2)  # leave the 2 cores to the builds: a few answers a second prove the point
    outs = [p.communicate() for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "built " in err
    print(f"\n{asked} answers served during two overlapping builds, all identical to the baseline")

    built = sorted(line.rsplit("-> ", 1)[1] for _, err in outs for line in err.splitlines() if "-> " in line)
    assert len(set(built)) == 2, built  # two distinct generations, one after the other
    live = index_store.live_generation(s.index_dir)
    assert str(live) in built
    assert not served.exists(), "the old generation should have been cleaned up (live + one previous kept)"
    assert not list(s.index_dir.glob(".tmp-*")) and not list(s.index_dir.glob(".CURRENT.*"))
    idx = index_store.load(s, embedder_sha=embedder.weights_sha256)
    assert_true_to_source(idx)
    fresh = BriefingQA(s, embedder, idx)
    assert {q: fingerprint(fresh.ask(q)) for q in qs} == baseline
    assert {q: fingerprint(qa.ask(q)) for q in qs} == baseline  # the old server, after its folder is gone


def test_killed_build_leaves_previous_index(tiny, embedder, monkeypatch):
    """SIGKILL a build mid-embedding: the previous index stays live and correct, the lock is free,
    and the next build removes what a dead build left behind."""
    s = tiny
    before = index_store.live_generation(s.index_dir)
    # The whole corpus embeds for several seconds: long enough to be killed in the middle.
    p = start_build(ROOT / "corpus", s.index_dir)
    kill_when(p, lambda line: "embedding" in line)

    assert index_store.live_generation(s.index_dir) == before
    idx = index_store.load(s, embedder_sha=embedder.weights_sha256)
    assert_true_to_source(idx)
    a = BriefingQA(s, embedder, idx).ask("How many valid domestic invention patents did China have as of June 2024?")
    assert "4.425 million" in a.answer

    # What a build killed later would leave: a half-written generation and a CURRENT temp file.
    stray = s.index_dir / ".tmp-gen-20000101T000000000000-99999"
    shutil.copytree(before, stray)
    (stray / "vectors.faiss").write_bytes(b"half")
    (s.index_dir / ".CURRENT.99999").write_text("gen-20000101T000000000000-99999")
    monkeypatch.setattr(generations, "LOCK_TIMEOUT_S", 10)  # a dead build must not hold the lock
    index_store.build(s, embedder, **QUIET)
    assert not stray.exists() and not (s.index_dir / ".CURRENT.99999").exists()
    assert index_store.live_generation(s.index_dir) != before
    assert_true_to_source(index_store.load(s, embedder_sha=embedder.weights_sha256))


def test_lock_timeout_is_a_clear_error(tiny, embedder, monkeypatch):
    from filelock import FileLock

    from qa.errors import IndexBusy

    monkeypatch.setattr(generations, "LOCK_TIMEOUT_S", 0.2)
    with FileLock(str(tiny.index_dir / ".lock")):
        with pytest.raises(IndexBusy, match=r"\.lock"):
            index_store.build(tiny, embedder, **QUIET)
