"""qa/config.py: defaults, BRIEFQA_* environment variables of every field type, every choice, and bad values
as one-line errors naming the setting or the variable."""
from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from qa import cli
from qa.config import (ANSWER_MODES, EMBEDDING_BACKENDS, MODES, ROOT, VECTOR_INDEXES, Settings, check_choice,
                       load_settings)
from qa.errors import ConfigError
from qa.manifest import build_settings

FIELDS = [f.name for f in dataclasses.fields(Settings)]
CHOICES = {"retrieval_mode": MODES, "answer_mode": ANSWER_MODES, "embedding_backend": EMBEDDING_BACKENDS,
           "vector_index": VECTOR_INDEXES}


# --- defaults --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,default", [
    ("corpus_dir", ROOT / "corpus"), ("index_dir", ROOT / "index"), ("model_path", None),
    ("window_sentences", 3), ("window_stride", 2), ("embed_with_question", True), ("bm25_with_question", False),
    ("retrieval_mode", "hybrid"), ("top_k", 5), ("candidate_passages", 50), ("rrf_k", 60),
    ("vector_index", "auto"), ("hnsw_threshold", 20_000), ("batch_size", 8), ("torch_threads", 2),
    ("embedding_backend", "onnx"), ("answer_mode", "extractive"), ("max_answer_sentences", 3),
    ("abstain_threshold", 0.60), ("scoped_abstain_threshold", 0.42), ("list_abstain_threshold", 0.40), ("answer_w_sem", 0.55),
    ("answer_w_number", 0.08), ("answer_w_context", 0.2), ("answer_w_quoted", 0.3),
    ("answer_keep", 0.80), ("answer_second_answer", 0.92), ("answer_explain_keep", 0.75), ("answer_explain_extra", 2),
    ("answer_history_weight", 0.5), ("max_question_chars", 1000), ("llm_base_url", None),
    ("feedback_path", ROOT / "feedback" / "feedback.jsonl"), ("max_add_bytes", 20_000_000), ("ui_concurrency", 2),
])
def test_default(name, default):
    assert getattr(Settings(), name) == default
    assert getattr(load_settings(env={}), name) == default


def test_no_environment_gives_the_defaults():
    assert load_settings(env={}) == Settings()


def test_every_field_has_a_comment_above_it():
    """The comment says why the default is what it is (fields sharing one comment follow it directly)."""
    src = (ROOT / "qa" / "config.py").read_text(encoding="utf-8").splitlines()
    body = src[next(i for i, line in enumerate(src) if line.startswith("class Settings")) + 1:]
    last = None
    for line in body:
        s = line.strip()
        if s.startswith("#"):
            last = "comment"
        elif ":" in s and s.split(":")[0] in FIELDS:
            assert last in ("comment", "field"), f"{s.split(':')[0]} has no comment"
            last = "field"
        elif s.startswith(("@", "def ")):
            break


# --- environment variables: each field type ---------------------------------------------------------

@pytest.mark.parametrize("var,raw,name,value", [
    ("BRIEFQA_TOP_K", "3", "top_k", 3),                                     # int
    ("BRIEFQA_HNSW_THRESHOLD", "1_000", "hnsw_threshold", 1000),
    ("BRIEFQA_ABSTAIN_THRESHOLD", "0.55", "abstain_threshold", 0.55),       # float
    ("BRIEFQA_RRF_BM25_WEIGHT", "2", "rrf_bm25_weight", 2.0),
    ("BRIEFQA_EMBED_WITH_QUESTION", "0", "embed_with_question", False),     # bool
    ("BRIEFQA_EMBED_WITH_QUESTION", "false", "embed_with_question", False),
    ("BRIEFQA_EMBED_WITH_QUESTION", "no", "embed_with_question", False),
    ("BRIEFQA_EMBED_WITH_QUESTION", "OFF", "embed_with_question", False),
    ("BRIEFQA_BM25_WITH_QUESTION", "1", "bm25_with_question", True),
    ("BRIEFQA_BM25_WITH_QUESTION", "True", "bm25_with_question", True),
    ("BRIEFQA_BM25_WITH_QUESTION", "yes", "bm25_with_question", True),
    ("BRIEFQA_BM25_WITH_QUESTION", "on", "bm25_with_question", True),
    ("BRIEFQA_INDEX_DIR", "/tmp/elsewhere", "index_dir", Path("/tmp/elsewhere")),  # Path
    ("BRIEFQA_FEEDBACK_PATH", "fb.jsonl", "feedback_path", Path("fb.jsonl")),
    ("BRIEFQA_MODEL_PATH", "/models/mini", "model_path", "/models/mini"),    # str | None
    ("BRIEFQA_LLM_BASE_URL", "http://127.0.0.1:8080/v1", "llm_base_url", "http://127.0.0.1:8080/v1"),
    ("BRIEFQA_RETRIEVAL_MODE", "bm25", "retrieval_mode", "bm25"),            # a choice
    ("BRIEFQA_VECTOR_INDEX", "ivf_sq8", "vector_index", "ivf_sq8"),
    ("BRIEFQA_TOP_K", "", "top_k", 5),                                       # empty = unset
])
def test_environment_variable(var, raw, name, value):
    s = load_settings(env={var: raw})
    assert getattr(s, name) == value and type(getattr(s, name)) is type(value)


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_reads_its_variable(name):
    """BRIEFQA_<FIELD> holding the default written as text gives the default back, for every field."""
    default = getattr(Settings(), name)
    if default is None:
        pytest.skip("no text stands for None: leaving the variable unset does")
    assert getattr(load_settings(env={f"BRIEFQA_{name.upper()}": str(default)}), name) == default


def test_os_environ_is_read_and_overrides_win(monkeypatch):
    monkeypatch.setenv("BRIEFQA_TOP_K", "7")
    monkeypatch.setenv("BRIEFQA_RETRIEVAL_MODE", "dense")
    s = load_settings(retrieval_mode="bm25", index_dir=None)  # a flag beats the variable; None = flag not given
    assert (s.top_k, s.retrieval_mode, s.index_dir) == (7, "bm25", Settings().index_dir)


def test_other_briefqa_variables_are_not_settings():
    assert load_settings(env={"BRIEFQA_AUTH": "ann:secret", "BRIEFQA_SCREENSHOT": "x.png"}) == Settings()


# --- choices ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,value", [(n, c) for n, cs in CHOICES.items() for c in cs])
def test_every_choice_is_accepted(name, value):
    assert getattr(Settings(**{name: value}), name) == value
    assert getattr(load_settings(env={f"BRIEFQA_{name.upper()}": value}), name) == value
    assert check_choice(name, value) == value


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_choices_come_from_the_field_type(name):
    assert typing.get_args(typing.get_type_hints(Settings)[name]) == CHOICES[name]


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_a_bad_choice_lists_the_valid_ones(name):
    listed = ", ".join(CHOICES[name])
    with pytest.raises(ConfigError, match=f"^setting {name} 'nope' is not one of {listed}$"):
        Settings(**{name: "nope"})
    with pytest.raises(ConfigError, match=f"^environment variable BRIEFQA_{name.upper()}='nope' is not one of {listed}$"):
        load_settings(env={f"BRIEFQA_{name.upper()}": "nope"})
    with pytest.raises(ConfigError, match=f"^{name.replace('_', ' ')} 'nope' is not one of {listed}$"):
        check_choice(name, "nope")


# --- bad values: one line naming the variable or the setting --------------------------------------------

@pytest.mark.parametrize("var,raw,says", [
    ("BRIEFQA_TOP_K", "abc", "valid integer"),
    ("BRIEFQA_TOP_K", "2.5", "valid integer"),
    ("BRIEFQA_TOP_K", "0", "greater than or equal to 1"),
    ("BRIEFQA_WINDOW_SENTENCES", "0", "greater than or equal to 1"),
    ("BRIEFQA_WINDOW_STRIDE", "-1", "greater than or equal to 1"),
    ("BRIEFQA_UI_CONCURRENCY", "0", "greater than or equal to 1"),
    ("BRIEFQA_ABSTAIN_THRESHOLD", "high", "valid number"),
    ("BRIEFQA_ANSWER_KEEP", "1.5", "less than or equal to 1"),
    ("BRIEFQA_UNSEEN_WORD_CHECK", "maybe", "valid boolean"),
    ("BRIEFQA_EMBEDDING_BACKEND", "tf", "is not one of torch, onnx"),
])
def test_bad_environment_value_is_one_line_naming_the_variable(var, raw, says):
    with pytest.raises(ConfigError) as e:
        load_settings(env={var: raw})
    message = str(e.value)
    assert message.startswith(f"environment variable {var}={raw!r} ") and says in message, message
    assert "\n" not in message


@pytest.mark.parametrize("kw,says", [
    ({"top_k": 0}, "setting top_k 0 is not valid"),
    ({"window_sentences": 0}, "setting window_sentences 0 is not valid"),
    ({"batch_size": "many"}, "setting batch_size 'many' is not valid"),
    ({"answer_second_answer": -0.1}, "setting answer_second_answer -0.1 is not valid"),
    ({"topk": 3}, "topk is not a setting"),
])
def test_bad_setting_is_one_line_naming_it(kw, says):
    with pytest.raises(ConfigError) as e:
        Settings(**kw)
    assert str(e.value).startswith(says) and "\n" not in str(e.value), str(e.value)
    with pytest.raises(ConfigError, match=says):
        dataclasses.replace(Settings(), **kw)  # replace builds a new Settings: checked the same way


@pytest.mark.parametrize("argv", [["search", "PPH"], ["build"], ["briefings"], ["ask", "How many?"]])
def test_cli_turns_a_bad_variable_into_one_line(argv, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFQA_RETRIEVAL_MODE", "fuzzy")
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err == "briefqa: environment variable BRIEFQA_RETRIEVAL_MODE='fuzzy' is not one of dense, bm25, hybrid\n"


# --- the API callers rely on -----------------------------------------------------------------------

def test_frozen_and_overridable():
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.top_k = 3
    t = s.with_overrides(top_k="3", corpus_dir="elsewhere", model_path=None)
    assert (t.top_k, t.corpus_dir, t.model_path) == (3, Path("elsewhere"), None)
    assert dataclasses.replace(s, abstain_threshold=0.5).abstain_threshold == 0.5
    assert hash(Settings()) == hash(Settings())


def test_answer_weights_carry_every_answer_setting():
    w = Settings(answer_keep=0.7, answer_second_answer=0.9, answer_history_weight=0.25).answer_weights()
    assert (w["keep"], w["second_answer"], w["history"]) == (0.7, 0.9, 0.25)
    assert set(w) == {"sem", "lex", "passage", "rank_penalty", "number", "context", "quoted", "keep",
                      "explain_keep", "explain_extra", "second_answer", "history"}


def test_the_manifest_records_the_same_settings():
    """What the index manifest records (and staleness compares) is unchanged by new fields."""
    assert build_settings(Settings()) == {
        "window_sentences": 3, "window_stride": 2, "embed_with_question": True, "bm25_with_question": False,
        "max_wordpieces": 256, "hnsw_threshold": 20_000, "vector_index": "auto", "embedding_backend": "onnx"}
