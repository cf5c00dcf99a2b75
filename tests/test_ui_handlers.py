"""The UI's chat turn, conversation, feedback, filters and API as plain functions over the real BriefingQA."""
import json
import re

import pytest

from qa.errors import ConfigError
from qa.retrieve import Filters
from ui import api, conversation, handlers, render

PPH = "How many PPH agreements does China have?"
OFF_TOPIC = "What is the weather in Paris tomorrow?"


@pytest.fixture(scope="module")
def qa(settings, embedder, index):
    from qa.service import BriefingQA

    return BriefingQA(settings, embedder, index)


def run(qa, question, conv=None, **kw):
    return list(handlers.chat_turn(qa, question, conv or [], **kw))


def drawn(qa, conv, i=-1):
    return conversation.view(conv, qa.index.chunk_by_id)["turns"][i]


def test_a_turn_is_pending_then_streams_then_holds_the_answer(qa):
    steps = run(qa, PPH, turn_id="abc123xyz")
    assert len(steps) >= 3  # pending, at least one streamed delta, the final answer
    assert steps[0][-1]["pending"] and "partial" not in steps[0][-1]
    partial = [s[-1]["partial"] for s in steps[1:-1]]
    assert all(len(a) < len(b) for a, b in zip(partial, partial[1:])) and "17 BRI partners" in partial[-1]
    (turn,) = steps[-1]
    assert turn["id"] == "abc123xyz" and not turn.get("pending") and turn["question"] == PPH
    assert turn["result"]["citations"][0]["speaker"] == "Shen Changyu" and "plan" not in turn["result"]
    view = drawn(qa, steps[-1])
    assert view["kind"] == "answer" and view["user"] == render.question_html(PPH)
    assert '<a class="bq-cite" href="#bq-src-1-1"' in view["answer"] and 'id="bq-src-1-1"' in view["under"]
    assert "Shen Changyu" in view["under"] and "<mark" in view["under"] and "China Daily" in view["under"]
    assert view["text"].startswith("Shen Changyu") and "Sources:" in view["text"] and view["sources"] == 1
    assert 'class="bq-rate"' in view["actions"]
    back = json.loads(json.dumps(steps[-1]))  # plain JSON: it is kept in the browser and drawn the same
    assert conversation.view(back, qa.index.chunk_by_id) == conversation.view(steps[-1], qa.index.chunk_by_id)


def test_a_turn_already_answered_is_not_asked_again(qa):
    *_, conv = run(qa, PPH, turn_id="same0001")
    assert run(qa, PPH, conv, turn_id="same0001") == [conv]


def test_a_pending_turn_left_by_a_reload_is_dropped(qa):
    stale = [{"id": "stale0001", "question": "lost", "history": [], "pending": True}]
    *_, conv = run(qa, PPH, stale)
    assert [t["question"] for t in conv] == [PPH]
    assert conversation.restore(stale) == []


def test_quote_marked_in_card_is_the_cited_source_text(qa, seed_text):
    *_, conv = run(qa, PPH)
    c = conv[0]["result"]["citations"][0]
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", drawn(qa, conv)["under"], re.S)
    assert render.e(seed_text[c["start"]:c["end"]]) in marked


def test_follow_up_uses_earlier_questions(qa):
    *_, conv = run(qa, "What is the average examination period for invention patents?")
    *_, conv = run(qa, "And for trademarks?", conv)
    assert conv[1]["history"] == ["What is the average examination period for invention patents?"]
    assert "four months" in conv[1]["result"]["answer"]
    assert 'id="bq-src-2-1"' in drawn(qa, conv)["under"]  # anchors of turn 2 do not collide with turn 1


def test_off_topic_abstains_in_the_librarys_words_with_related_reading(qa):
    *_, conv = run(qa, OFF_TOPIC)
    view = drawn(qa, conv)
    assert view["kind"] == "abstain" and 'class="bq-abstain"' in view["answer"]
    assert '<p class="bq-note">The briefing never mentions Paris.</p>' in view["answer"]
    assert "Related reading" in view["under"] and "bq-related-item" in view["under"]
    assert "No answer from the briefing" not in view["answer"]  # no words beyond the library's own


def test_near_miss_is_an_abstention_that_shows_what_the_briefing_says(qa):
    *_, conv = run(qa, "What is the average examination period for patents in 2019?")
    r, view = conv[0]["result"], drawn(qa, conv)
    assert r["abstained"] and r["citations"]
    assert 'class="bq-abstain"' in view["answer"] and "What the briefing does say" in view["under"]
    assert "The briefing does not give this for 2019." in view["answer"] and "<mark" in view["under"]


@pytest.mark.parametrize("question", ["", "   ", "?!", None])
def test_empty_question_is_an_error_turn_without_rating(qa, question):
    *_, conv = run(qa, question)
    view = drawn(qa, conv)
    assert view["kind"] == "error" and 'class="bq-error"' in view["answer"] and "question is empty" in view["answer"]
    assert view["actions"] == "" and view["text"] == "" and not conversation.ratable(conv[-1])
    assert (view["user"] != "") == bool((question or "").strip())  # nothing typed, no empty bubble


def test_notice_is_shown_above_the_answer(settings, embedder, index):
    from qa.service import BriefingQA

    short = BriefingQA(settings.with_overrides(max_question_chars=60), embedder, index)
    *_, conv = run(short, PPH + " Please also tell me everything else about patents in detail.")
    assert conv[0]["result"]["notice"] and len(conv[0]["question"]) == 61  # kept as asked, cut like the query
    assert "only the first 60 were used" in drawn(short, conv)["answer"]


@pytest.mark.parametrize("kw,message", [({"mode": "fuzzy"}, "Retrieval mode &#x27;fuzzy&#x27; is not one of"),
                                        ({"filters": {"date_from": "2024-13-01"}}, "is not a date like 2024-07-29"),
                                        ({"filters": {"date_from": "2024-08-01", "date_to": "2024-07-01"}},
                                         "the date range is empty")])
def test_bad_setting_or_filter_is_a_message(qa, kw, message):
    *_, conv = run(qa, PPH, **kw)
    assert message.lower() in drawn(qa, conv)["answer"].lower()


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_retrieval_modes_and_k_reach_the_library(qa, mode, monkeypatch):
    searched = []
    search = qa.retriever.search

    def spy(query, k=None, mode=None, **kw):
        searched.append((k, mode))
        return search(query, k=k, mode=mode, **kw)

    monkeypatch.setattr(qa.retriever, "search", spy)
    *_, conv = run(qa, PPH, k=2, mode=mode)
    assert "17" in conv[0]["result"]["answer"]
    # Every search of the turn used the chosen k and mode, not the defaults (top_k 5, hybrid).
    assert searched and set(searched) == {(2, mode)}


def test_filters_from_the_filter_bar_have_the_cli_meaning(qa):
    assert handlers.ui_filters({}) is None
    assert handlers.ui_filters({"officials": ["Hu Wenhui"], "docs": ["d1"]}) == Filters(speaker="Hu Wenhui", doc_id="d1")
    assert handlers.ui_filters({"officials": ["A B", "C D"]}).speakers == ("A B", "C D")
    *_, conv = run(qa, "What has been done to protect trademarks?", filters={"officials": ["Hu Wenhui"]})
    assert {c["speaker"] for c in conv[0]["result"]["citations"]} == {"Hu Wenhui"}
    *_, conv = run(qa, PPH, filters={"date_to": "2020-12-31"})
    r = conv[0]["result"]
    assert r["reason"] == "empty-scope" and "nothing to search" in drawn(qa, conv)["answer"]
    assert not conversation.ratable(conv[0])  # a notice about the filters, not an answer to rate


def test_chips_name_each_filter_and_removing_one_keeps_the_rest(qa):
    choice = {"docs": ["2024-07-29-scio-cnipa-ip"], "officials": ["Hu Wenhui"], "date_from": "2024-01-01"}
    html = handlers.chips_html(choice, qa.documents)
    assert html.count('class="bq-chip"') == 3 and "Official:</span> Hu Wenhui" in html and "29 July 2024" in html
    assert handlers.without(choice, "officials", "Hu Wenhui")["officials"] == []
    assert handlers.without(choice, "date_from")["date_from"] == "" and handlers.without(choice, "all")["docs"] == []
    assert handlers.chips_html({}, qa.documents) == ""
    assert "is not a date" in handlers.chips_html({"date_to": "soon"}, qa.documents)


def test_html_in_the_question_is_escaped(qa):
    q = 'PPH agreements <script>alert("x")</script><img src=x onerror=alert(1)>'
    *_, conv = run(qa, q)
    view = drawn(qa, conv)
    for part in ("user", "answer", "actions", "under"):
        assert "<script" not in view[part] and "<img" not in view[part]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in view["user"]


def test_render_escapes_transcript_text():
    from qa.types import Answer, Citation, RelatedPassage

    c = Citation(1, "d#1", "<b>Doc</b>", "2024-07-29", "Ann <i>", "x&y", "<Outlet>", "Why <script>?",
                 "Quote <img src=x>", 0, 17, 0.9)
    html = render.answer_html(Answer("q", "Ann <i>, x&y, answering <Outlet>:\nQuote <img src=x> [1]", False,
                                     (c,), (), {}), 1, {})
    assert "<i>" not in html and "<script>" not in html and "<img" not in html and "<b>Doc" not in html
    assert "&lt;Outlet&gt;" in html and '<mark data-n="1">Quote &lt;img src=x&gt;</mark>' in html
    ab = render.answer_html(Answer("q", "The briefing does not cover that.", True, (),
                                   (RelatedPassage(1, "d#1", "<s>Bob</s>", 0.1, "<script>x</script>"),), {},
                                   reason="weak-evidence", notice="<u>cut</u>"), 2, {})
    assert "<script>" not in ab and "<s>" not in ab and "<u>" not in ab and "&lt;u&gt;cut" in ab


def test_a_stored_answer_draws_exactly_like_the_answer(qa):
    for q in (PPH, "Who chaired the press conference?", "Summarize the opening statement", OFF_TOPIC):
        a = qa.ask(q)
        again = conversation.answer_of(conversation.stored(a))
        assert render.answer_html(again, 3, qa.index.chunk_by_id) == render.answer_html(a, 3, qa.index.chunk_by_id)
        assert again.to_text() == a.to_text()


def test_restore_keeps_only_well_formed_finished_turns(qa):
    *_, conv = run(qa, PPH)
    junk = ["x", {"id": "../../x", "question": "q", "error": "e"}, {"id": "okid0001", "question": 3},
            {"id": "okid0002", "question": "q", "result": {"citations": [{"kind": "nonsense"}]}},
            {"id": "okid0003", "question": "q", "error": "the question is empty"}]
    assert [t["id"] for t in conversation.restore(conv + junk)] == [conv[0]["id"], "okid0003"]
    assert conversation.restore(None) == [] and conversation.restore({"a": 1}) == []
    many = [{"id": f"turn{i:04d}", "question": "q", "error": "e"} for i in range(conversation.MAX_TURNS + 5)]
    assert [t["id"] for t in conversation.restore(many)] == [t["id"] for t in many[5:]]  # the oldest go


def test_one_card_per_quoted_passage_carries_all_its_numbers(qa):
    a = qa.ask("Summarize the opening statement")
    html = render.answer_html(a, 1, qa.index.chunk_by_id)
    cards = re.findall(r'<div class="bq-card"[^>]*data-n="([\d ]+)"', html)
    numbers = [n for c in cards for n in c.split()]
    assert sorted(map(int, numbers)) == [c.n for c in a.citations]  # every [n] has exactly one card
    assert len(cards) < len(a.citations)  # quotes from the same paragraph share it
    passages = re.findall(r'<blockquote class="bq-passage">(.*?)</blockquote>', html, re.S)
    assert len(passages) == len(set(passages))  # no paragraph shown twice


def test_header_and_label_citations_get_compact_cards(qa):
    a = qa.ask("Which reporters asked questions?")
    html = render.answer_html(a, 1, qa.index.chunk_by_id)
    assert html.count("bq-card-compact") == len(a.citations) and "Whole answer in context" not in html
    assert "Reporter&#x27;s question" in html and "Speaker label" in html


def test_rating_names_the_exact_answer_and_a_comment_replaces_it(qa, tmp_path):
    path = tmp_path / "fb.jsonl"
    *_, conv = run(qa, OFF_TOPIC, turn_id="first0001")
    *_, conv = run(qa, PPH, conv, turn_id="second001")
    conv, problem = handlers.rate(path, conv, "first0001", "down")
    assert problem is None and conv[0]["rating"] == "down" and "Saved “not helpful”" in drawn(qa, conv, 0)["actions"]
    conv, problem = handlers.comment(path, conv, "first0001", "should say it is out of scope")
    assert problem is None and "Thank you" in drawn(qa, conv, 0)["actions"]
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [ln["id"] for ln in lines] == ["first0001", "first0001"] and [ln["rating"] for ln in lines] == ["down"] * 2
    assert lines[1]["question"] == OFF_TOPIC and lines[1]["comment"] == "should say it is out of scope"
    assert lines[1]["answer"] == conv[0]["result"]["answer"] and lines[1]["citations"] == conv[0]["result"]["citations"]
    conv, _ = handlers.rate(path, conv, "first0001", None)  # taking the rating back is recorded too
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[-1])["rating"] is None


def test_rating_an_error_or_nothing_is_refused_and_writes_nothing(qa, tmp_path):
    path = tmp_path / "fb.jsonl"
    *_, conv = run(qa, "", turn_id="error0001")
    assert handlers.rate(path, conv, "error0001", "down")[1] == "There is no answer there to rate."
    assert handlers.rate(path, conv, "nosuch001", "up")[1] == "There is no answer there to rate."
    assert handlers.comment(path, conv, "error0001", "hi")[1] == "There is no answer there to comment on."
    assert not path.exists()


def test_api_ask_takes_history_filters_and_defaults(qa):
    out = api.ask(qa, "And for trademarks?", ["What is the average examination period for invention patents?"], 3)
    assert "four months" in out["answer"] and out["citations"] and "plan" in out
    assert api.ask(qa, PPH, '["earlier"]')["citations"]  # version one's JSON-string history still works
    hu = api.ask(qa, "What has been done to protect trademarks?", filters={"speaker": "Hu Wenhui"})
    assert {c["speaker"] for c in hu["citations"]} == {"Hu Wenhui"}
    with pytest.raises(ConfigError, match="list of earlier questions"):
        api.ask(qa, PPH, "not json")
    with pytest.raises(ConfigError, match="mode 'poem' is not one of extractive, llm"):
        api.ask(qa, PPH, mode="poem")
    with pytest.raises(ConfigError, match="k 99 is not a whole number from 1 to 20"):
        api.ask(qa, PPH, k=99)
    with pytest.raises(ConfigError, match="unknown filter 'who'; use speaker, doc_id, date_from, date_to"):
        api.ask(qa, PPH, filters={"who": "x"})


def test_api_search_returns_ranked_answers_with_passages(qa):
    hits = api.search(qa, "PPH agreements", 2, "bm25", {"date_from": "2024-07-01"})
    assert [h["rank"] for h in hits] == [1, 2] and hits[0]["speaker"] == "Shen Changyu"
    assert hits[0]["passages"] and json.dumps(hits)
    assert api.search(qa, "PPH agreements", filters={"date_to": "2020-01-01"}) == []
    with pytest.raises(ConfigError, match="query is empty"):
        api.search(qa, "  ")


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
