"""Feedback JSONL: appending, last-line-wins per id, and export of thumbs-down items as eval candidates."""
import io
import json

import pytest

from qa.errors import ConfigError
from qa.feedback import export_candidates, read, record

EVAL_KEYS = {"id", "question", "answerable", "gold", "speaker", "facts", "kind", "history"}
ANSWER = {"answer": "We have PPH agreements with 17 BRI partners. [1]", "abstained": False, "mode": "extractive",
          "citations": [{"n": 1, "chunk_id": "doc#08", "speaker": "Shen Changyu", "quote": "..."}]}


def test_record_appends_one_line_with_what_was_rated(tmp_path):
    path = tmp_path / "sub" / "feedback.jsonl"
    item = record(path, "How many PPH agreements?", ANSWER, "down", "  wrong count ", ["Earlier?"])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    saved = json.loads(lines[0])
    assert saved == item
    assert saved["question"] == "How many PPH agreements?"
    assert saved["answer"] == ANSWER["answer"]
    assert saved["citations"][0]["chunk_id"] == "doc#08"
    assert (saved["rating"], saved["comment"], saved["history"]) == ("down", "wrong count", ["Earlier?"])
    assert saved["time"].endswith("+00:00") and saved["version"] == 1


def test_rating_must_be_up_down_or_none(tmp_path):
    with pytest.raises(ConfigError, match="'up', 'down'"):
        record(tmp_path / "f.jsonl", "q", ANSWER, "meh")


def test_last_line_of_an_id_wins_and_broken_lines_are_skipped(tmp_path):
    path = tmp_path / "f.jsonl"
    first = record(path, "q1", ANSWER, "up")
    record(path, "q2", ANSWER, "down")
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"cut short by a cra\n')
    record(path, "q1", ANSWER, "down", "changed my mind", feedback_id=first["id"])
    items = list(read(path))
    assert [i["question"] for i in items] == ["q1", "q2"]
    assert items[0]["rating"] == "down" and items[0]["comment"] == "changed my mind"


@pytest.mark.parametrize("question", ["What is the weather in Paris?", "<script>alert(1)</script> ünïcödé ?", "x" * 2000])
def test_export_writes_thumbs_down_as_unreviewed_eval_questions(tmp_path, question):
    path = tmp_path / "f.jsonl"
    record(path, "A liked answer", ANSWER, "up")
    record(path, question, {**ANSWER, "abstained": True}, "down", "should have answered", ["Before?"])
    record(path, question.upper(), ANSWER, "down", history=["Before?"])  # same again: exported once
    record(path, "Taken back", ANSWER, None)
    out = io.StringIO()
    assert export_candidates(path, out) == 1
    (line,) = out.getvalue().splitlines()
    cand = json.loads(line)
    assert EVAL_KEYS <= set(cand)
    assert cand["question"] == question and cand["history"] == ["Before?"]
    assert cand["answerable"] is None and cand["gold"] == [] and cand["facts"] == []
    assert cand["kind"] == "unreviewed" and cand["id"].startswith("fb-")
    assert cand["feedback"]["comment"] == "should have answered"
    assert cand["feedback"]["cited"] == ["doc#08"]


def test_export_of_missing_file_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match="no feedback file at .*nope.jsonl"):
        export_candidates(tmp_path / "nope.jsonl", io.StringIO())


def test_cli_feedback_export(tmp_path, capsys):
    from qa.cli import main

    path = tmp_path / "f.jsonl"
    record(path, "Why no answer?", ANSWER, "down")
    assert main(["feedback", "export", "--file", str(path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["question"] == "Why no answer?"
    assert "1 candidate question(s)" in err


def test_feedback_stores_only_what_was_typed_and_answered(tmp_path):
    """README 'What is stored': question, history, answer, citations, rating, comment, time — nothing else."""
    from qa.feedback import record

    item = record(tmp_path / "fb.jsonl", "Q?", {"answer": "A [1]", "citations": [{"n": 1}], "abstained": False},
                  "up", " ok ", history=["earlier"])
    assert set(item) == {"version", "id", "time", "question", "history", "answer", "abstained", "reason", "mode",
                         "citations", "rating", "comment"}
    import json

    assert json.loads((tmp_path / "fb.jsonl").read_text(encoding="utf-8")) == item
