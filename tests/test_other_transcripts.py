"""Transcripts the rules were not written on (eval/transcripts/<name>/): their question sets quote them, and the
State Department one, with its real model and index, keeps what it taught us (`make eval-other` measures both)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.chunking import load_corpus
from qa.eval.gold import load_gold
from qa.grounding import fold
from qa.service import BriefingQA
from qa.understand import plan

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted(p for p in (ROOT / "eval" / "transcripts").iterdir() if p.is_dir())


def test_there_are_other_transcripts():
    assert len(SETS) >= 2


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_each_set_is_gold_items_quoting_its_own_transcript(folder):
    transcripts, chunks = load_corpus([folder])
    assert len(transcripts) == 1 and chunks
    text = fold(transcripts[0].text)
    items = load_gold(folder / "questions.jsonl")
    assert len({it.id for it in items}) == len(items) >= 90
    for it in items:
        assert all(fold(g) in text for g in it.gold), it.id
        if it.absent:
            assert it.absent.lower() not in text.lower(), it.id


def _open(tmp_path_factory, embedder, name: str) -> BriefingQA:
    """The real pipeline over one other transcript, indexed in a temporary folder."""
    from qa.config import load_settings
    from qa.index_store import load_or_build

    root = tmp_path_factory.mktemp(name)
    shutil.copytree(ROOT / "eval" / "transcripts" / name, root / "corpus", ignore=shutil.ignore_patterns("*.jsonl"))
    s = load_settings(corpus_dir=root / "corpus", index_dir=root / "index")
    return BriefingQA(s, embedder, load_or_build(s, embedder, progress=False))


@pytest.fixture(scope="module")
def state_qa(tmp_path_factory, embedder):
    return _open(tmp_path_factory, embedder, "state-dept")


def test_a_guest_brought_to_the_podium_gives_remarks_of_her_own(state_qa):
    first = next(c for c in state_qa.index.chunks if c.speaker == "Rachel Dunmore")
    assert first.asked_by is None and "Starting October 1, 2024" in first.text
    a = state_qa.ask("Give me the gist of Rachel Dunmore's opening remarks.")
    assert not a.abstained and "October 1, 2024" in a.answer


def test_the_secretary_is_not_a_deputy_assistant_secretary(state_qa):
    p = plan("Who is the Secretary seeing in Bogota?", [], state_qa.index)
    assert p.scope.officials == () and p.absent == (), p  # and "Bogota" is the transcript's "Bogotá"
    a = state_qa.ask("Who is the Secretary seeing in Bogota?")
    assert not a.abstained and "President Petro" in a.answer
    # The head of her own title still names her.
    q = plan("What did the deputy assistant secretary say about interviews?", [], state_qa.index)
    assert q.scope.officials == ("Rachel Dunmore",), q


def test_a_three_step_process_is_a_list_of_three(state_qa):
    a = state_qa.ask("What are the three steps an applicant goes through to renew a visa online?")
    assert sum(b.kind == "item" for b in a.blocks) == 3, a.answer


@pytest.mark.parametrize("question, said", [
    ("What time did the briefing start?", "1:08 p.m. EDT"),
    ("When did the briefing wrap up?", "concluded at 2:11 p.m."),
    ("Where was the briefing held?", "Washington, D.C."),
])
def test_the_clock_times_and_place_are_quoted_from_the_header_and_trailer(state_qa, question, said):
    a = state_qa.ask(question)
    assert a.intent == "structure" and not a.abstained and said in a.answer, a.answer
    c = next(c for c in a.citations if said in c.quote)
    assert c.kind == "header" and state_qa.index.transcripts[0].text[c.start:c.end] == c.quote


def test_a_reporter_who_names_their_outlet_is_asked_by_it(state_qa):
    afp = next(c for c in state_qa.index.chunks if c.question and "Julien Marchetti, AFP" in c.question)
    assert afp.asked_by == "AFP"
    a = state_qa.ask("What was the name of the AFP reporter?")
    assert a.intent == "structure" and not a.abstained and "Julien Marchetti, AFP" in a.answer, a.answer
    b = state_qa.ask("What was the Reuters correspondent's first question about?")
    assert "Turning to Russia" in b.answer and "Laura Kessler" not in b.answer, b.answer


def test_the_guest_is_the_official_brought_up_and_her_introduction_is_quoted(state_qa):
    p = plan("Which guest official joined the spokesperson at the podium, and what is her title?", [], state_qa.index)
    assert "Rachel Dunmore" in p.scope.officials, p
    a = state_qa.ask("How did the spokesperson introduce the guest?")
    assert a.intent == "structure" and not a.abstained, a.answer
    assert "Daniel Whitford, introducing Rachel Dunmore" in a.answer and "pleased to welcome Rachel Dunmore" in a.answer


def test_an_answer_that_lets_a_colleague_speak_to_the_rest_is_a_hand_off(state_qa):
    a = state_qa.ask("Was the question about visa restrictions on Venezuelan officials passed on to someone else?")
    rows = [b for b in a.blocks if b.kind == "row"]
    assert rows and rows[0].cells[-2].text == "Daniel Whitford", a.answer  # answered by, after her hand-off
    assert rows[0].cells[1].text == "Rachel Dunmore", a.answer  # handed off by
    assert all(c.quote in state_qa.index.transcripts[0].text for c in a.citations)
    b = state_qa.ask("Who gave this State Department briefing?")
    assert b.intent == "structure" and "Daniel Whitford" in b.answer and "Rachel Dunmore" in b.answer


@pytest.fixture(scope="module")
def trade_qa(tmp_path_factory, embedder):
    return _open(tmp_path_factory, embedder, "mofcom")


@pytest.fixture(scope="module")
def fm_qa(tmp_path_factory, embedder):
    return _open(tmp_path_factory, embedder, "fm-regular")


@pytest.fixture(scope="module")
def wh_qa(tmp_path_factory, embedder):
    return _open(tmp_path_factory, embedder, "whitehouse")


def _verbatim(qa, a):
    text = qa.index.transcripts[0].text
    return all(text[c.start:c.end] == c.quote for c in a.citations)


def test_a_question_the_official_declined_is_answered_with_the_reply(fm_qa):
    a = fm_qa.ask("Did China give Japan advance notice of the battery material export controls?")
    assert not a.abstained and "I have nothing to add to what I just said." in a.answer, a.answer
    assert any(c.kind == "question" and "notify Japan" in c.quote for c in a.citations) and _verbatim(fm_qa, a)
    # A question whose answer the briefing gives is answered by it, however close a declined question is.
    b = fm_qa.ask("Which three countries is Vice Foreign Minister Liang Jianhua visiting?")
    assert [x.text for x in b.blocks if x.kind == "item"] == ["Chile", "Uruguay", "Argentina"], b.answer


def test_an_outlets_second_question_is_its_own_second_and_a_delegation_is_no_hand_off(fm_qa):
    a = fm_qa.ask("What was AFP's second question about?")
    assert a.intent == "structure" and "COP29" in a.answer and "lithium" not in a.answer, a.answer
    assert plan("Do we know yet who will head China's delegation at COP29 in Baku?", [], fm_qa.index).structure is None


def test_the_white_house_layout_keeps_titles_and_the_names_reporters_are_called_on_by(wh_qa):
    assert {(c.speaker, c.speaker_title) for c in wh_qa.index.chunks} == {
        ("Alana Mercer", "Press Secretary"), ("Thomas Okafor", "Secretary of Energy")}
    a = wh_qa.ask("Which reporter raised the ransomware attack on the Ohio utility?")
    assert a.intent == "structure" and "Sasha" in a.answer and _verbatim(wh_qa, a), a.answer
    b = wh_qa.ask("According to the Energy Secretary, what does an average weatherization job cost?")
    assert b.intent == "fact" and "$7,500" in b.answer, b.answer
    c = wh_qa.ask("Would Mercer say whether the President might block a strike?")
    assert not c.abstained and "I'm not going to speculate on that." in c.answer, c.answer


def test_fdi_is_foreign_direct_investment_and_the_chair_of_a_named_conference(trade_qa):
    a = trade_qa.ask("How far did worldwide FDI flows shrink last year?")
    assert not a.abstained and "1.33 trillion US dollars" in a.answer, a.answer
    assert plan("What did they say about USMCA?", [], trade_qa.index).absent == ("USMCA",)  # no words spell it
    b = trade_qa.ask("Who chaired the Ministry of Commerce press conference on trade and investment?")
    assert b.intent == "structure" and "Lan Yuqing" in b.answer


@pytest.fixture(scope="module")
def un_qa(tmp_path_factory, embedder):
    return _open(tmp_path_factory, embedder, "un-noon")


def test_a_guest_introduced_by_the_host_is_an_official_with_that_title(un_qa):
    # The header names only the spokesperson; "Amara Lindqvist-Obi:" answers "Question:" turns and never asks.
    assert {c.speaker for c in un_qa.index.chunks} == {"Henrik Castellano", "Amara Lindqvist-Obi"}
    a = un_qa.ask("Who spoke at the briefing?")
    assert "Amara Lindqvist-Obi" in a.answer and "Humanitarian Coordinator for Sudan" in a.answer, a.answer
    cite = next(c for c in a.citations if "Humanitarian Coordinator for Sudan" in c.quote)
    assert cite.kind == "turn" and cite.speaker == "Henrik Castellano"
    b = un_qa.ask("How many Sudanese face acute food insecurity, according to the humanitarian coordinator?")
    assert not b.abstained and "25.6 million" in b.answer, b.answer


def test_a_subject_the_un_briefing_lacks_is_named_and_a_linked_title_is_not(un_qa):
    a = un_qa.ask("What did the humanitarian coordinator say about landmines in Sudan?")
    assert a.abstained and a.answer.startswith("The briefing never mentions landmines"), a.answer
    b = un_qa.ask("Where did the Personal Envoy for Sudan travel last week?")  # "Personal Envoy" … "Sudan"
    assert not b.abstained and "Cairo" in b.answer, b.answer


# Measured by `make eval-other` (2026-11-26) minus a margin of 0.05; every quote verbatim with an exact span.
FLOORS = {"state-dept": ("state_qa", 0.67), "mofcom": ("trade_qa", 0.85), "fm-regular": ("fm_qa", 0.65),
          "whitehouse": ("wh_qa", 0.74), "un-noon": ("un_qa", 0.72)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_eval_on_each_other_transcript_keeps_its_floor(request, tmp_path, name):
    from qa.eval import run_eval

    fixture, floor = FLOORS[name]
    qa = request.getfixturevalue(fixture)
    m = run_eval(qa.settings, qa, questions_path=ROOT / "eval" / "transcripts" / name / "questions.jsonl",
                 modes=("hybrid",), out=tmp_path)["metrics"]
    assert m["citations.verbatim"] == 1.0 and m["citations.precision"] == 1.0, m
    assert m["answers.fact_recall"] >= floor, m["answers.fact_recall"]
