"""The gold set (eval/questions.jsonl) is well formed and every gold text is really in the corpus.

Format and rules: eval/README.md, "The gold set".
"""
from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest

from qa.chunking import load_corpus
from qa.grounding import fold

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "questions.jsonl"
REQUIRED = {"id", "question", "answerable", "gold", "speaker", "facts", "kind", "intent"}
OPTIONAL = {"history", "scope", "absent"}
OLD_ANSWER_KINDS = {"number", "paraphrase", "keyword", "who", "list", "why-how"}
ANSWERABLE_KINDS = OLD_ANSWER_KINDS | {"structure", "summary", "compare", "scoped", "overview", "misspelled"}
UNANSWERABLE_KINDS = {"unanswerable", "near-miss", "absent"}
INTENTS = {"fact", "structure", "summary", "list", "compare", "overview"}
# Which intents a kind admits (kinds not listed admit any intent: scoped, misspelled, the unanswerable ones).
KIND_INTENTS = {
    "structure": {"structure"}, "summary": {"summary"}, "compare": {"compare"}, "overview": {"overview"},
    "list": {"list"}, "number": {"fact"}, "paraphrase": {"fact"}, "keyword": {"fact", "list"},
    "why-how": {"fact"}, "who": {"fact", "structure"},
}
MIN_KIND = {"structure": 18, "summary": 10, "list": 15, "compare": 8, "scoped": 12, "overview": 8,
            "misspelled": 6, "absent": 10, "near-miss": 5, "unanswerable": 5}
ROLE_WORDS = {r"\bthe commissioner\b": "Shen Changyu", r"\bthe deputy commissioner\b": "Hu Wenhui"}
ID_RE = re.compile(r"^[a-z]\d{3}$")


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return [line for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def items(lines) -> list[dict]:
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def corpus():
    transcripts, chunks = load_corpus([ROOT / "corpus"])
    return transcripts, chunks


@pytest.fixture(scope="module")
def answerable(items):
    return [it for it in items if it["answerable"]]


@pytest.fixture(scope="module")
def spans(answerable):
    """Answerable items whose gold must be 8-30-word spans of one answer paragraph (all but structure)."""
    return [it for it in answerable if it["kind"] != "structure"]


@pytest.fixture(scope="module")
def source(corpus) -> str:
    transcripts, _ = corpus
    return "\n".join(fold(t.text) for t in transcripts)


@pytest.fixture(scope="module")
def roster(corpus) -> set[str]:
    transcripts, _ = corpus
    return {p.name for t in transcripts for p in t.roster}


@pytest.fixture(scope="module")
def outlets(corpus) -> set[str]:
    transcripts, _ = corpus
    return {turn.speaker for t in transcripts for turn in t.turns if turn.role == "reporter"}


def chunks_with(g: str, chunks) -> list:
    return [c for c in chunks if fold(g) in fold(c.text)]


def in_one_paragraph(g: str, chunks) -> bool:
    return any(fold(g) in fold(p.text) for c in chunks for p in c.paragraphs)


def history(it) -> list[str]:
    return it.get("history") or []


def is_count(it: dict, fact: str) -> bool:
    """A structure item's count ("11" questions): digits a correct answer must state, not transcript text."""
    return it["kind"] == "structure" and fact.isdigit()


def test_lines_compact_one_object_each(lines):
    for line in lines:
        assert json.dumps(json.loads(line), ensure_ascii=False) == line, line[:60]


def test_size_and_mix(items):
    assert len(items) >= 200
    assert sum(not it["answerable"] for it in items) >= 25
    assert sum(bool(history(it)) for it in items) >= 10
    kinds = collections.Counter(it["kind"] for it in items)
    thin = {k: kinds[k] for k, n in MIN_KIND.items() if kinds[k] < n}
    assert not thin, thin


def test_ids_unique(items):
    ids = [it["id"] for it in items]
    dupes = [i for i, n in collections.Counter(ids).items() if n > 1]
    assert not dupes
    assert all(isinstance(i, str) and ID_RE.match(i) for i in ids), [i for i in ids if not ID_RE.match(str(i))]


def test_keys_and_types(items, roster, outlets):
    for it in items:
        keys = set(it)
        assert REQUIRED <= keys <= REQUIRED | OPTIONAL, (it["id"], sorted(keys ^ REQUIRED))
        assert isinstance(it["answerable"], bool), it["id"]
        assert isinstance(it["question"], str) and it["question"].strip(), it["id"]
        assert isinstance(it["speaker"], str), it["id"]
        for k in ("gold", "facts", "history"):
            v = it.get(k, [])
            assert isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v), (it["id"], k)
        assert it["kind"] in (ANSWERABLE_KINDS if it["answerable"] else UNANSWERABLE_KINDS), it["id"]
        assert it["intent"] in INTENTS, it["id"]
        assert it["intent"] in KIND_INTENTS.get(it["kind"], INTENTS), (it["id"], it["kind"], it["intent"])
        assert ("absent" in it) == (it["kind"] == "absent"), it["id"]
        if "scope" in it:
            scope = it["scope"]
            assert isinstance(scope, dict) and set(scope) == {"officials", "outlets"}, it["id"]
            assert scope["officials"] or scope["outlets"], it["id"]
            assert isinstance(scope["officials"], list) and set(scope["officials"]) <= roster, it["id"]
            assert isinstance(scope["outlets"], list) and set(scope["outlets"]) <= outlets, it["id"]


def test_answerable_items_carry_gold_facts_speaker(items, roster):
    for it in items:
        if it["answerable"]:
            assert it["gold"] and it["facts"], it["id"]
            if it["kind"] == "structure":
                assert it["speaker"] in roster | {""}, it["id"]
            else:
                assert it["speaker"] in roster, it["id"]
        else:
            assert not it["gold"] and not it["facts"] and it["speaker"] == "", it["id"]


def test_gold_substrings_verbatim_in_corpus(answerable, source):
    missing = [(it["id"], g[:50]) for it in answerable for g in it["gold"] if fold(g) not in source]
    assert not missing


def test_gold_length_per_kind(answerable, corpus):
    _, chunks = corpus
    bad = []
    for it in answerable:
        for g in it["gold"]:
            n = len(g.split())
            if it["kind"] == "structure":
                ok = n >= 1  # header text, a label or a question: anywhere in the file
            else:
                ok = 8 <= n <= 30 and in_one_paragraph(g, chunks)  # inside one paragraph of an answer
            if not ok:
                bad.append((it["id"], n, g[:50]))
    assert not bad


def test_gold_speaker_gave_the_first_gold(spans, corpus):
    # For compare and overview items the speaker is the first official, whose answer holds gold[0].
    _, chunks = corpus
    for it in spans:
        speakers = {c.speaker for c in chunks_with(it["gold"][0], chunks)}
        assert it["speaker"] in speakers, (it["id"], it["speaker"], speakers)


def test_every_fact_occurs_in_a_gold_string(answerable, corpus):
    transcripts, _ = corpus
    counts = {str(sum(t.role == "reporter" for t in tr.turns)) for tr in transcripts}
    counts |= {str(sum(p.role == "official" for p in tr.roster)) for tr in transcripts}
    for it in answerable:
        for f in it["facts"]:
            if is_count(it, f):
                assert f in counts, (it["id"], f, counts)
            else:
                assert any(fold(f) in fold(g) for g in it["gold"]), (it["id"], f)


def test_summary_list_compare_overview_shapes(answerable, corpus):
    _, chunks = corpus
    for it in answerable:
        kind, facts, gold = it["kind"], it["facts"], it["gold"]
        if kind == "summary":
            assert 2 <= len(facts) <= 4, it["id"]
        if kind in ("compare", "overview"):
            # which answers hold each fact (through the gold strings that contain it)
            where = {f: {c.id for g in gold if fold(f) in fold(g) for c in chunks_with(g, chunks)} for f in facts}
            answers = set().union(*where.values())
            if kind == "overview":
                assert len(answers) >= 2, (it["id"], "overview facts from one answer only")
            else:
                by_speaker = {c.speaker for c in chunks if c.id in answers}
                sides = {c.speaker for g in gold for c in chunks_with(g, chunks)}
                assert len(sides) >= 2, (it["id"], "compare needs two officials")
                assert sides <= by_speaker, (it["id"], "a side without a fact", sides - by_speaker)


def test_scoped_items_stay_in_scope(answerable, corpus):
    _, chunks = corpus
    for it in answerable:
        if it["kind"] != "scoped":
            continue
        scope = it.get("scope")
        assert scope, it["id"]
        if scope["officials"]:
            assert it["speaker"] in scope["officials"], it["id"]
        if scope["outlets"]:
            asked = {c.asked_by for c in chunks_with(it["gold"][0], chunks)}
            assert asked & set(scope["outlets"]), (it["id"], asked)


def test_scope_names_what_the_question_names(items, roster, outlets):
    for it in items:
        q = it["question"]
        named = {w for pat, w in ROLE_WORDS.items() if re.search(pat, q, re.I)}
        named |= {p for p in roster if p in q or re.search(rf"\b{p.split()[0]}\b", q)}
        scope = it.get("scope") or {"officials": [], "outlets": []}
        assert named <= set(scope["officials"]), (it["id"], named)
        said = {o for o in outlets if o.lower() in q.lower()}
        assert said <= set(scope["outlets"]), (it["id"], said)


def test_absent_terms_really_absent(items, corpus):
    transcripts, _ = corpus
    text = "\n".join(t.text for t in transcripts).lower()
    for it in items:
        if it["kind"] != "absent":
            continue
        term = it["absent"]
        assert isinstance(term, str) and term.strip(), it["id"]
        bare = re.sub(r"^the\s+", "", term.strip(), flags=re.I).lower()
        assert bare not in text, (it["id"], term)
        assert bare in it["question"].lower(), (it["id"], "the question does not name", term)


def test_every_answer_targeted_by_four_questions(answerable, corpus):
    # Computed by text, so the rule survives any change of chunking.
    _, chunks = corpus
    targeted = collections.Counter(
        c.id for it in answerable for c in chunks if any(fold(g) in fold(c.text) for g in it["gold"]))
    thin = {c.id: targeted[c.id] for c in chunks if targeted[c.id] < 4}
    assert not thin, thin


def test_follow_ups_are_short_of_context(items):
    # A follow-up's history is earlier user questions; none repeats the follow-up itself.
    for it in items:
        assert it["question"] not in history(it), it["id"]
