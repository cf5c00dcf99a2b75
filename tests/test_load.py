"""Load: 20 concurrent API clients against the real server, bounded in time and count, loopback only."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENTS, SECONDS, MAX_REQUESTS = 20, 45, 3000


def bench_load():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up while being defined
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_twenty_clients_get_the_single_user_answers(settings, index, tmp_path):
    load = bench_load()
    env = {**os.environ, "GRADIO_TEMP_DIR": str(tmp_path / "gradio-tmp"),
           "BRIEFQA_FEEDBACK_PATH": str(tmp_path / "feedback.jsonl")}
    env.pop("BRIEFQA_AUTH", None)
    proc, url = load.start_server(settings.index_dir, settings.corpus_dir, env=env, log=tmp_path / "serve.log")
    try:
        questions = load.load_questions()
        expected = load.single_user(url, questions)
        assert len(expected) == len(questions) > 100
        report = load.run_load(url, questions, expected, clients=CLIENTS, duration=SECONDS,
                               max_requests=MAX_REQUESTS, log=lambda line: print(f"\nload: {line}"))
    finally:
        load.stop_server(proc)
    assert report.errors == [], report.errors[:5]
    assert report.mismatches == [], report.mismatches[:5]
    assert all(n > 0 for n in report.per_client), report.per_client  # no client starved
    assert report.requests >= CLIENTS
    assert "Traceback" not in (tmp_path / "serve.log").read_text(errors="replace")
