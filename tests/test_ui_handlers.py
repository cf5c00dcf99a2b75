"""The UI's chat turn, feedback and ask API as plain functions over the real BriefingQA (no browser)."""
import json
import re

import pytest

from qa.errors import ConfigError
from ui import handlers, render

PPH = "How many PPH agreements does China have?"
OFF_TOPIC = "What is the weather in Paris tomorrow?"


@pytest.fixture(scope="module")
def qa(settings, embedder, index):
    from qa.service import BriefingQA

    return BriefingQA(settings, embedder, index)


def run(qa, question, messages=None, turns=None, **kw):
    return list(handlers.chat_turn(qa, question, messages or [], turns or [], **kw))


def test_answer_streams_growing_text_then_cited_sources(qa):
    steps = run(qa, PPH)
    assert len(steps) >= 3  # thinking, at least one streamed delta, the final answer
    bot = [msgs[-1]["content"] for msgs, _ in steps]
    streamed = [re.sub(r"<[^>]+>", "", b) for b in bot[1:-1]]
    assert all(len(a) < len(b) for a, b in zip(streamed, streamed[1:])), streamed
    assert "17 BRI partners" in streamed[-1]
    msgs, turns = steps[-1]
    assert [m["role"] for m in msgs] == ["user", "assistant"]
    assert msgs[0]["content"] == render.question_html(PPH)
    final = msgs[-1]["content"]
    assert '<a class="bq-cite" href="#bq-src-1-1"' in final and 'id="bq-src-1-1"' in final
    assert "Shen Changyu" in final and "<mark>" in final and "China Daily" in final
    assert "<details" in final and "bq-abstain" not in final
    (turn,) = turns
    assert turn["message"] == 1 and turn["result"]["citations"][0]["speaker"] == "Shen Changyu"
    assert turn["text"].startswith("Shen Changyu") and "Sources:" in turn["text"]
    # Only the last step records the turn, so a half-streamed answer is never rated.
    assert all(t == [] for _, t in steps[:-1])


def test_quote_marked_in_card_is_the_cited_source_text(qa, seed_text):
    *_, (msgs, turns) = run(qa, PPH)
    c = turns[0]["result"]["citations"][0]
    marked = re.findall(r"<mark>(.*?)</mark>", msgs[-1]["content"], re.S)
    assert render.e(seed_text[c["start"]:c["end"]]) in marked


def test_follow_up_uses_earlier_questions(qa):
    *_, (msgs, turns) = run(qa, "What is the average examination period for invention patents?")
    *_, (msgs, turns) = run(qa, "And for trademarks?", msgs, turns)
    assert turns[1]["history"] == ["What is the average examination period for invention patents?"]
    assert "four months" in turns[1]["result"]["answer"]
    assert turns[1]["message"] == 3 and len(msgs) == 4
    assert 'id="bq-src-2-1"' in msgs[-1]["content"]  # anchors of turn 2 do not collide with turn 1


def test_off_topic_abstains_with_related_reading(qa):
    *_, (msgs, turns) = run(qa, OFF_TOPIC)
    html = msgs[-1]["content"]
    assert 'class="bq-abstain"' in html and "No answer from the briefing" in html
    assert "Related reading" in html and "bq-related-item" in html
    assert turns[0]["result"]["abstained"] is True


def test_near_miss_is_an_abstention_that_shows_what_the_briefing_says(qa):
    *_, (msgs, turns) = run(qa, "What is the average examination period for patents in 2019?")
    html = msgs[-1]["content"]
    assert turns[0]["result"]["abstained"] and turns[0]["result"]["citations"]
    assert 'class="bq-abstain"' in html and "What the briefing does say" in html and "<mark>" in html
    assert '<p class="bq-note">The briefing does not give this for 2019.' in html
    assert '<p class="bq-attr">Shen Changyu, commissioner' in html


@pytest.mark.parametrize("question", ["", "   ", "?!", None])
def test_empty_question_gives_a_message_not_an_exception(qa, question):
    *_, (msgs, turns) = run(qa, question)
    assert msgs[-1]["role"] == "assistant" and 'class="bq-error"' in msgs[-1]["content"]
    assert "question is empty" in msgs[-1]["content"]
    assert "result" not in turns[-1] and turns[-1]["error"]
    # What was typed is shown; nothing typed gives no empty user bubble.
    assert [m["role"] for m in msgs] == (["user"] if (question or "").strip() else []) + ["assistant"]


def test_notice_is_shown_above_the_answer(settings, embedder, index):
    from qa.service import BriefingQA

    short = BriefingQA(settings.with_overrides(max_question_chars=60), embedder, index)
    *_, (msgs, turns) = run(short, PPH + " Please also tell me everything else about patents in detail.")
    assert turns[0]["result"]["notice"] and 'class="bq-notice"' in msgs[-1]["content"]
    assert "only the first 60 were used" in msgs[-1]["content"]


def test_bad_setting_is_a_message(qa):
    *_, (msgs, turns) = run(qa, PPH, mode="fuzzy")
    assert "Retrieval mode &#x27;fuzzy&#x27; is not one of dense, bm25, hybrid." in msgs[-1]["content"]


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_retrieval_modes_and_k_reach_the_library(qa, mode):
    *_, (_, turns) = run(qa, PPH, k=2, mode=mode)
    assert "17" in turns[0]["result"]["answer"]


def test_html_in_the_question_is_escaped(qa):
    q = 'PPH agreements <script>alert("x")</script><img src=x onerror=alert(1)>'
    *_, (msgs, turns) = run(qa, q)
    for m in msgs:
        assert "<script" not in m["content"] and "<img" not in m["content"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in msgs[0]["content"]


def test_render_escapes_transcript_text():
    from qa.types import Answer, Citation, RelatedPassage

    c = Citation(1, "d#1", "<b>Doc</b>", "2024-07-29", "Ann <i>", "x&y", "<Outlet>", "Why <script>?",
                 "Quote <img src=x>", 0, 17, 0.9)
    html = render.answer_html(Answer("q", "Ann <i>, x&y, answering <Outlet>:\nQuote <img src=x> [1]", False,
                                     (c,), (), {}), 1, {})
    assert "<i>" not in html and "<script>" not in html and "<img" not in html and "<b>Doc" not in html
    assert "&lt;Outlet&gt;" in html and "<mark>Quote &lt;img src=x&gt;</mark>" in html
    ab = render.answer_html(Answer("q", "The briefing does not cover that.", True, (),
                                   (RelatedPassage(1, "d#1", "<s>Bob</s>", 0.1, "<script>x</script>"),), {},
                                   reason="weak-evidence", notice="<u>cut</u>"), 2, {})
    assert "<script>" not in ab and "<s>" not in ab and "<u>" not in ab and "&lt;u&gt;cut" in ab


def test_rating_and_comment_are_appended_to_feedback_file(qa, tmp_path):
    path = tmp_path / "fb.jsonl"
    *_, (msgs, turns) = run(qa, OFF_TOPIC)
    turns, i, status = handlers.rate(path, turns, 1, False)
    assert i == 0 and "not helpful" in status
    turns, saved, status = handlers.comment(path, turns, i, "should say it is out of scope")
    assert saved and status.startswith("Thank you")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [ln["rating"] for ln in lines] == ["down", "down"] and lines[0]["id"] == lines[1]["id"]
    assert lines[1]["question"] == OFF_TOPIC and lines[1]["comment"] == "should say it is out of scope"
    assert lines[1]["abstained"] is True and lines[1]["answer"] == turns[0]["result"]["answer"]


def test_rating_nothing_or_commenting_first_explains(tmp_path):
    path = tmp_path / "fb.jsonl"
    assert handlers.rate(path, [], 5, True)[1:] == (None, "There is no answer there to rate.")
    assert handlers.comment(path, [], None, "hi")[1:] == (
        False, "Rate an answer with the thumbs under it first, then add your comment.")
    assert not path.exists()


def test_api_answer_takes_json_history(qa):
    out = handlers.api_answer(qa, "And for trademarks?",
                              json.dumps(["What is the average examination period for invention patents?"]), 3)
    assert "four months" in out["answer"] and out["citations"]
    with pytest.raises(ConfigError, match="JSON array"):
        handlers.api_answer(qa, PPH, "not json")
    with pytest.raises(ConfigError, match="answer mode 'poem'"):
        handlers.api_answer(qa, PPH, answer_mode="poem")


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                           ("127.0.0.2", True), ("0.0.0.0", False), ("192.168.1.5", False),
                                           ("example.org", False)])
def test_loopback_hosts(host, loopback):
    from ui.app import is_loopback

    assert is_loopback(host) is loopback


def test_remote_host_needs_allow_remote(settings, monkeypatch):
    from ui import app

    monkeypatch.setattr(app.BriefingQA, "open", lambda *a, **k: pytest.fail("must refuse before loading"))
    with pytest.raises(ConfigError, match="--allow-remote"):
        app.serve(settings, host="0.0.0.0", port=7860)


@pytest.mark.parametrize("raw,expected", [("", None), ("ann:s3cret:x", ("ann", "s3cret:x"))])
def test_basic_auth_from_env(raw, expected):
    from ui.app import auth_from_env

    assert auth_from_env({"BRIEFQA_AUTH": raw}) == expected


@pytest.mark.parametrize("raw", ["nopassword", ":pw", "user:"])
def test_bad_basic_auth_is_refused(raw):
    from ui.app import auth_from_env

    with pytest.raises(ConfigError, match="user:password"):
        auth_from_env({"BRIEFQA_AUTH": raw})
