"""The evaluation: metric functions on hand-made inputs, and the CI gate on the full gold set."""
from __future__ import annotations

import doctest
import json
from types import SimpleNamespace

import numpy as np
import pytest

from qa.errors import ConfigError
from qa.eval import gate as G
from qa.eval import metrics as M
from qa.eval import summaries as S


# ---- Metric functions on hand-made rankings ----

@pytest.mark.parametrize("rels,k,want", [
    ([], 1, 0.0),
    ([True], 1, 1.0),
    ([False, True], 1, 0.0),
    ([False, True], 3, 1.0),
    ([False, False, False, False, False, True], 5, 0.0),
    ([True, True, False], 5, 1.0),  # any one relevant answer satisfies the question
])
def test_recall_at_k(rels, k, want):
    assert M.recall_at_k(rels, k) == want


@pytest.mark.parametrize("rels,want", [
    ([], 0.0), ([False, False], 0.0), ([True], 1.0), ([False, True], 0.5), ([False, False, True, True], 1 / 3)])
def test_reciprocal_rank(rels, want):
    assert M.reciprocal_rank(rels) == pytest.approx(want)


@pytest.mark.parametrize("rels,n_rel,want", [
    ([True, False, False], 1, 1.0),
    ([False, True, False], 1, 1 / np.log2(3)),
    ([False, False, False, False, False, True], 1, 0.0),  # past the cut
    ([True, True], 2, 1.0),
    ([False, True, True], 2, (1 / np.log2(3) + 1 / np.log2(4)) / (1 + 1 / np.log2(3))),
    ([True, False], 2, 1 / (1 + 1 / np.log2(3))),  # a second relevant answer exists but was missed
    ([], 1, 0.0),
    ([True], 0, 0.0),
])
def test_ndcg_at_5(rels, n_rel, want):
    assert M.ndcg_at_k(rels, 5, n_rel) == pytest.approx(want)


def test_ranking_summary_averages_rows():
    s = M.ranking_summary([([True, False], 1), ([False, False, True], 1), ([False] * 5, 1)])
    assert s["n"] == 3
    assert s["recall@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["recall@3"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["mrr"] == pytest.approx((1 + 1 / 3) / 3, abs=1e-4)
    assert M.ranking_summary([])["n"] == 0


@pytest.mark.parametrize("text,gold,want", [
    ("reached 4.425 million", ["reached 4.425 million"], True),
    ("reached\n  4.425   million by June", ["reached 4.425 million"], True),  # whitespace folded
    ("Reached 4.425 million", ["reached 4.425 million"], False),  # verbatim: case matters
    ("reached 4.42 million", ["reached 4.425 million"], False),
    ("anything", [], False),  # unanswerable items have no gold
    ("b here", ["a missing", "b here"], True),  # any one gold substring counts
])
def test_relevance_is_by_text(text, gold, want):
    assert M.contains_gold(text, gold) is want


def test_gold_spans_and_overlap():
    spans = M.gold_spans("xx gold text xx gold text", 10, ["gold text"])
    assert spans == [(13, 22), (26, 35)]
    assert M.overlaps((20, 30), spans) and not M.overlaps((22, 26), spans)


def test_facts_present_folds_space_and_case():
    assert M.facts_present("The Hague  Agreement [1]", ["hague agreement", "Marrakesh"]) == [True, False]


def test_prf_edges():
    assert M.prf(0, 0, 0)["precision"] is None
    assert M.prf(0, 3, 2)["f1"] == 0.0  # precision and recall both 0
    assert M.prf(0, 0, 2)["f1"] is None  # precision undefined: nothing abstained
    assert M.prf(5, 0, 5) == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "tp": 5, "fp": 0, "fn": 5}


@pytest.mark.parametrize("values,q,want", [
    ([5.0, 1.0, 9.0, 3.0, 7.0, 2.0], 0, 1.0),
    ([5.0, 1.0, 9.0, 3.0, 7.0, 2.0], 50, 4.0),  # unsorted input: between 3 and 5
    ([5.0, 1.0, 9.0, 3.0, 7.0, 2.0], 95, 8.5),  # position 4.75 of 0..5: 7 + 0.75 * 2
    ([5.0, 1.0, 9.0, 3.0, 7.0, 2.0], 100, 9.0),
    ([42], 95, 42.0),
    ((x / 3 for x in range(4)), 50, 0.5),  # any iterable; rounded to 4 decimals
    ([], 50, None),
])
def test_percentile_interpolates_linearly(values, q, want):
    assert M.percentile(values, q) == want


def test_thresholds_check_and_proposal():
    fails, unmeasured = G.check_thresholds({"a": 0.5, "b": 0.3}, {"min": {"a": 0.6}, "max": {"b": 0.2, "c": 1}})
    assert fails == ["a = 0.5 is below its minimum 0.6", "b = 0.3 is above its maximum 0.2"]
    assert unmeasured == ["c"]
    # Proposals only ever tighten what is there.
    got = G.propose_thresholds({"a": 0.5, "b": 0.1}, ["a"], ["b"], {"min": {"a": 0.4}, "max": {"b": 0.05}})
    assert got == {"min": {"a": 0.47}, "max": {"b": 0.05}}


def _r(kind, answerable, abstained, facts=None, follow_up=False):
    return SimpleNamespace(kind=kind, answerable=answerable, abstained=abstained, reason="weak-evidence",
                           facts=facts or {}, follow_up=follow_up, words=10, speaker_cited=None, cites_gold=None)


def test_abstention_summary_by_kind():
    rs = [_r("number", True, False), _r("number", True, True), _r("near-miss", False, True),
          _r("unanswerable", False, False), _r("unanswerable", False, True)]
    ab = S.summarize_abstention(rs)
    assert (ab["tp"], ab["fp"], ab["fn"]) == (2, 1, 1)
    assert ab["false_abstention_rate"] == 0.5
    assert ab["by_kind"]["near-miss"]["recall"] == 1.0 and ab["by_kind"]["off-topic"]["recall"] == 0.5


def test_answer_summary_counts_abstention_as_no_facts():
    rs = [_r("number", True, False, {"57": True, "15.7": False}), _r("list", True, True, {"x": True}),
          _r("near-miss", False, True)]
    overall, by_kind = S.summarize_answers(rs)
    assert overall["fact_recall"] == 0.25 and overall["fact_recall_answered"] == 0.5
    assert overall["fact_accuracy"] == 0.0 and by_kind["list"]["answered"] == 0.0


@pytest.mark.parametrize("module", [M, G])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def test_load_gold_names_the_bad_line(tmp_path):
    from qa.eval.gold import load_gold

    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "question": "Q?", "answerable": false, "gold": [], "speaker": "", "facts": [], '
                 '"kind": "near-miss", "history": []}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"q.jsonl:2: keys"):
        load_gold(f)


# ---- Grounding decisions come from qa.grounding ----

def test_citation_scores_use_grounding(index):
    from qa.eval.gold import GoldItem
    from qa.eval.scoring import score_citations
    from qa.types import Answer, Citation

    chunk = index.chunks[0]
    sent = index.sentences[chunk.id][1].text
    other = index.sentences[index.chunks[1].id][0].text

    def cite(n, quote):
        return Citation(n, chunk.id, "", None, chunk.speaker, "", None, None, quote, 0, 0, 1.0)

    item = GoldItem("t", "?", True, (sent[:60],), chunk.speaker, (), "number", ())
    ans = Answer("?", f"{sent} [1] {other} [2]", False, (cite(1, sent), cite(2, sent)), (), {})
    claims, checks = score_citations(ans, index, item)
    assert [c["grounded"]["status"] for c in claims][0] == "verbatim"
    # The second claim is not in its quote; the quote holds gold text, so the citation is still precise.
    assert claims[1]["grounded"]["ok"] is False and checks[1]["contains_gold"] and checks[1]["ok"]
    item2 = GoldItem("t", "?", True, ("text found nowhere in the corpus at all",), "", (), "number", ())
    _, checks2 = score_citations(ans, index, item2)
    assert [c["ok"] for c in checks2] == [True, False]


def test_rank_chunks_max_matches_retriever(retriever, embedder):
    from qa.eval.calibration import rank_chunks

    for q in ("How many PPH agreements does China have?", "patent open license pilot royalties"):
        qv = embedder.encode_queries([q])[0]
        for mode in ("bm25", "dense", "hybrid"):
            want = [h.chunk.id for h in retriever.search(q, k=10, mode=mode, query_vec=qv)]
            assert [cid for cid, _ in rank_chunks(retriever, q, mode, qv, "max", 10)] == want


# ---- The CI gate: the full gold set, real model, real index ----

@pytest.fixture(scope="module")
def qa_(settings, embedder, index):
    from qa.service import BriefingQA

    return BriefingQA(settings, embedder, index)


@pytest.fixture(scope="module")
def eval_out(tmp_path_factory):
    return tmp_path_factory.mktemp("eval")


@pytest.fixture(scope="module")
def report(settings, qa_, eval_out):
    from qa.eval import run_eval

    return run_eval(settings, qa_, out=eval_out)


def test_every_metric_meets_its_threshold(report):
    failures, unmeasured = G.check_thresholds(report["metrics"], G.load_thresholds())
    assert not unmeasured, f"thresholds name metrics the eval did not produce: {unmeasured}"
    assert not failures, "\n".join(failures)


def test_thresholds_gate_the_declared_metrics():
    t = G.load_thresholds()
    assert set(t["min"]) == set(G.GATE_MIN) and set(t["max"]) == set(G.GATE_MAX)


def test_report_files(report, eval_out):
    from qa.eval.gold import QUESTIONS

    gold = [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert report["meta"]["n"] == len(gold) and report["meta"]["answerable"] == sum(g["answerable"] for g in gold)
    lines = (eval_out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == report["meta"]["n"]
    first = json.loads(lines[0])
    assert {"retrieved", "answer", "citations", "claims", "citation_checks", "facts", "problems"} <= set(first)
    assert set(first["retrieved"]) == {"bm25", "dense", "hybrid", "whole-dense"}
    saved = json.loads((eval_out / "report.json").read_text(encoding="utf-8"))
    assert "questions" not in saved and saved["metrics"] == report["metrics"]
    md = (eval_out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Retrieval", "## Answers", "## Citations", "## Abstention", "## Latency", "## Worst 10"):
        assert heading in md
    assert (eval_out / "modes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# Written out by hand from eval/questions.jsonl, not computed: a follow-up is retrieved with the earlier
# question that carries its topic, then the follow-up itself; a question that stands alone, as asked.
CONDENSED = {
    "q006": "How long does it take on average to examine an invention patent in China? "
            "And how accurate are those examinations?",
    "q033": "How do foreign-funded companies rate IP protection in China? "
            "By how much did it improve on the previous year?",
    "q038": "How many valid AI invention patents did China have at the end of 2023? "
            "How does that growth compare globally?",
    "q004": "How fast did the exports side grow?",  # has history, but needs none
}


def test_follow_ups_retrieve_with_the_condensed_query(report, qa_):
    queries = {q["id"]: q for q in report["questions"]}
    for qid, want in CONDENSED.items():
        assert queries[qid]["follow_up"] and queries[qid]["query"] == want, qid
        # ...and is what retrieval searched for (BM25: its ranking depends on the query text alone).
        ranked = [h.chunk.id for h in qa_.retriever.search(want, k=10, mode="bm25")]
        assert [r["chunk_id"] for r in queries[qid]["retrieved"]["bm25"]] == ranked, qid
    for q in queries.values():
        if not q["follow_up"]:
            assert q["query"] == q["question"].strip(), q["id"]
    assert sum(q["query"] != q["question"] for q in queries.values() if q["follow_up"]) >= 10


def test_calibration_agrees_with_the_eval_at_the_current_threshold(settings, qa_, report):
    from qa.eval import calibrate

    row = calibrate(settings, qa_, thresholds=[settings.abstain_threshold])["rows"][0]
    ab = report["splits"]["dev"]["abstention"]
    assert (row["tp"], row["fp"], row["fn"]) == (ab["tp"], ab["fp"], ab["fn"])


def test_cli_check_names_the_failing_metric(settings, qa_, tmp_path, monkeypatch, capsys):
    import qa.service as SV
    from qa.eval import run_command
    from qa.eval.gold import QUESTIONS

    gold = tmp_path / "q.jsonl"
    gold.write_text("".join(line + "\n" for line in QUESTIONS.read_text(encoding="utf-8").splitlines()[:4]),
                    encoding="utf-8")
    monkeypatch.setattr(SV.BriefingQA, "open", classmethod(lambda cls, *a, **k: qa_))
    strict = tmp_path / "t.json"
    strict.write_text(json.dumps({"min": {"retrieval.bm25.recall@5": 1.01}, "max": {}}), encoding="utf-8")
    flags = dict(questions=str(gold), modes=["bm25"], out=str(tmp_path / "o"), check=True, thresholds=strict)
    assert run_command(settings, **flags) == 1
    assert "FAIL retrieval.bm25.recall@5 = 1 is below its minimum 1.01" in capsys.readouterr().out
    strict.write_text(json.dumps({"min": {"retrieval.bm25.recall@5": 0.5}}), encoding="utf-8")
    assert run_command(settings, **flags) == 0


def test_cli_eval_passes_its_flags_as_plain_values(monkeypatch):
    import qa.eval
    from qa import cli

    calls = []
    monkeypatch.setattr(qa.eval, "run_command", lambda settings, **kw: calls.append((settings, kw)) or 7)
    assert cli.main(["eval", "--questions", "q.jsonl", "--mode", "bm25", "--mode", "dense", "--out", "o",
                     "--check"]) == 7
    (settings, kw), = calls
    assert kw == {"questions": "q.jsonl", "modes": ["bm25", "dense"], "answer_mode": "extractive", "out": "o",
                  "check": True, "calibrate": False, "design": False}


def test_llm_mode_needs_an_endpoint_before_any_work(settings):
    from qa.eval import run_eval

    with pytest.raises(ConfigError, match="needs an endpoint"):
        run_eval(settings, qa=None, answer_mode="llm")
    with pytest.raises(ConfigError, match="not one of"):
        run_eval(settings, qa=None, modes=("sparse",))


# ---- The package's shape ----

def _relative_imports(path) -> set[str]:
    """The sibling modules a file imports (`from .x import ...`, `from . import x`)."""
    import ast

    out = set()
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.ImportFrom) and n.level == 1:
            out |= {n.module.split(".")[0]} if n.module else {a.name for a in n.names}
    return out


def test_eval_modules_import_without_cycles_and_the_library_never_imports_them():
    import graphlib
    from pathlib import Path

    import qa

    root = Path(qa.__file__).parent
    graph = {p.stem: _relative_imports(p) - {"__init__"} for p in (root / "eval").glob("*.py")}
    order = list(graphlib.TopologicalSorter(graph).static_order())  # CycleError names a cycle
    assert order.index("metrics") < order.index("gold") < order.index("runner") < order.index("command")
    # The product never needs the evaluation: only the CLI's `eval` command reaches into it.
    users = sorted(p.name for p in root.glob("*.py") if "eval" in _relative_imports(p))
    assert users == ["cli.py"]
