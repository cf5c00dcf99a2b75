"""CLI commands run in-process against the session index (the shared model is not loaded again)."""
from __future__ import annotations

import io
import json

from qa.cli import main


def test_chat_keeps_history_for_follow_ups(index, monkeypatch, capsys):
    lines = iter(["What is the average examination period for invention patents?", "And for trademark registrations?", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert main(["chat", "--index", str(index.folder), "--no-rebuild"]) == 0
    out = capsys.readouterr().out
    assert "15.7 months" in out and "four months" in out
    assert out.count("Sources:") == 2


def test_chat_says_it_is_loading_before_opening_the_index(monkeypatch, capsys):
    import qa.cli

    def opened(args, rebuild=None, status=None):
        assert "loading the index and the model" in capsys.readouterr().err  # printed before the slow part
        raise SystemExit(0)

    monkeypatch.setattr(qa.cli, "_open", opened)
    try:
        main(["chat"])
    except SystemExit:
        pass


def test_search_prints_ranked_answers_with_passages(index, capsys):
    assert main(["search", "PPH agreements", "-k", "2", "--index", str(index.folder), "--no-rebuild"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. Shen Changyu (asked by China Daily)")
    assert "   > " in out and "2. " in out


def test_search_json_and_speaker_filter(index, capsys):
    assert main(["search", "trademarks", "--json", "--speaker", "Hu", "--index", str(index.folder), "--no-rebuild"]) == 0
    rows = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert rows and all(r["speaker"] == "Hu Wenhui" for r in rows)
    assert all(r["passages"] for r in rows)


def test_ask_plain_output_lists_sources(index, capsys):
    assert main(["ask", "How many PPH agreements has China signed with BRI partners?", "--index", str(index.folder),
                 "--no-rebuild"]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "Sources:" in out and "answering China Daily" in out


def test_ingest_table_lists_twelve_answers(capsys):
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "12 answers" in out and "(opening statement)" in out and "Jinan Times APP" in out


def test_missing_index_with_no_rebuild_is_one_line(tmp_path, capsys):
    assert main(["search", "x", "--index", str(tmp_path / "none"), "--no-rebuild"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("briefqa: ") and "no index built yet" in err and "Traceback" not in err
