"""The encoder factory (both backends), ONNX parity with the float reference, and every Settings field reaching
what it configures through BriefingQA.open and `briefqa build`."""
from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import numpy as np
import pytest

from qa import config, index_store
from qa.config import Settings
from qa.embedding import Embedder, Encoder, make_embedder
from qa.errors import ConfigError, IndexMissing
from qa.onnx_embed import OnnxEmbedder

ROOT = Path(__file__).resolve().parent.parent


# --- the factory -----------------------------------------------------------------------------------

def test_factory_gives_each_backend_once_per_settings():
    torch_e = make_embedder(Settings(embedding_backend="torch"))
    onnx_e = make_embedder(Settings(embedding_backend="onnx"))
    assert isinstance(torch_e, Embedder) and torch_e.backend == "torch"
    assert isinstance(onnx_e, OnnxEmbedder) and onnx_e.backend == "onnx"
    assert make_embedder(Settings(embedding_backend="onnx")) is onnx_e
    assert make_embedder(Settings(embedding_backend="torch")) is torch_e
    assert make_embedder(Settings(embedding_backend="onnx", torch_threads=1)) is not onnx_e
    assert make_embedder(Settings()).backend == Settings().embedding_backend


def test_factory_refuses_before_any_work():
    with pytest.raises(ConfigError, match="torch, onnx"):
        Settings(embedding_backend="tf")
    with pytest.raises(ConfigError, match="needs embedding backend 'torch'"):
        make_embedder(Settings(embedding_backend="onnx", model_path="/some/model"))
    # A custom folder with torch is accepted; nothing is read until warm_up.
    assert make_embedder(Settings(embedding_backend="torch", model_path="/some/model")).model_path == "/some/model"


def test_both_backends_are_encoders(embedder, reference_embedder):
    onnx_e = make_embedder(Settings(embedding_backend="onnx")).warm_up()
    for e in (onnx_e, reference_embedder, embedder):
        assert isinstance(e, Encoder)  # (on 3.11 this reads dim, so only loaded encoders are checked)
        assert e.dim == 384 and e.max_wordpieces == 256
        v = e.encode_queries(["How many PPH agreements?"])
        assert v.shape == (1, 384) and v.dtype == np.float32
        assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
        assert e.encode_passages([]).shape == (0, 384)
    assert onnx_e.weights_sha256 == onnx_e.expected_sha256
    assert reference_embedder.weights_sha256 == reference_embedder.expected_sha256 == Settings().model_sha256


def test_onnx_matches_the_reference_on_the_corpus(index, reference_embedder):
    """The int8 model against sentence-transformers' float model, on real passages and questions."""
    import json

    onnx_e = make_embedder(Settings(embedding_backend="onnx")).warm_up()
    gold = [json.loads(x)["question"] for x in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip()]
    texts = [p.text for p in index.passages[::3]] + gold[::6]
    a, b = onnx_e.encode_passages(texts), reference_embedder.encode_passages(texts)
    cos = (a * b).sum(axis=1)
    assert cos.min() > 0.99 and cos.mean() > 0.998, (cos.min(), cos.mean())
    # Same nearest passage for most questions (the eval measures what the rest changes).
    qa_, qb = onnx_e.encode_queries(gold[::6]), reference_embedder.encode_queries(gold[::6])
    pa, pb = a[: len(index.passages[::3])], b[: len(index.passages[::3])]
    agree = np.mean((qa_ @ pa.T).argmax(axis=1) == (qb @ pb.T).argmax(axis=1))
    assert agree >= 0.9, agree


# --- every Settings field reaches what it configures ------------------------------------------------

FIELDS = [f.name for f in dataclasses.fields(Settings)]
CHOICES = {"retrieval_mode": config.MODES, "answer_mode": config.ANSWER_MODES,
           "embedding_backend": config.EMBEDDING_BACKENDS, "vector_index": config.VECTOR_INDEXES}
# Fields the encoder is made from, and where the encoder holds each one.
ENCODER_VIEW = {"embedding_backend": lambda e: e.backend, "torch_threads": lambda e: e.threads,
                "batch_size": lambda e: e.batch_size, "model_path": lambda e: e.model_path,
                "model_sha256": lambda e: e.expected_sha256, "model_max_wordpieces": lambda e: e.max_wordpieces}
# The encoder the torch-only fields need (model_max_wordpieces is the model's own window on torch).
NEEDS_BACKEND = {"model_path": "torch", "model_sha256": "torch", "model_max_wordpieces": "onnx"}


def other_value(name: str, tmp_path: Path):
    """A valid value for field `name` other than its default, and the string an environment variable holds."""
    default = getattr(Settings(), name)
    hint = typing.get_type_hints(Settings)[name]
    if name in CHOICES:
        v = next(c for c in CHOICES[name] if c != default)
    elif name == "model_sha256":
        v = "0" * 64
    elif hint is bool:
        v = not default
    elif hint is int:
        v = default + 1
    elif hint is float:
        v = round(default + 0.05, 2)
    elif hint is Path:
        v = tmp_path / name
    else:  # str | None
        v = str(tmp_path / name) if name == "model_path" else f"x-{name}"
    return v, str(v)


@pytest.fixture
def no_loading(monkeypatch):
    """Encoders that do not load a model: this is about wiring, and every other test loads the real ones."""
    for cls in (Embedder, OnnxEmbedder):
        monkeypatch.setattr(cls, "warm_up", lambda self: self)


def _env(monkeypatch, name: str, raw: str) -> None:
    for f in FIELDS:
        monkeypatch.delenv(f"BRIEFQA_{f.upper()}", raising=False)
    monkeypatch.setenv(f"BRIEFQA_{name.upper()}", raw)
    if name in NEEDS_BACKEND:
        monkeypatch.setenv("BRIEFQA_EMBEDDING_BACKEND", NEEDS_BACKEND[name])


@pytest.mark.parametrize("name", FIELDS)
def test_setting_reaches_briefingqa_open(name, index, no_loading, monkeypatch, tmp_path):
    """BRIEFQA_<FIELD> → load_settings → BriefingQA.open: the encoder, the index store, the retriever and the
    answerers all get it (the ask path builds its Lookup from qa.settings)."""
    import qa.service as service

    value, raw = other_value(name, tmp_path)
    _env(monkeypatch, name, raw)
    seen = {}

    def fake_load_or_build(settings, embedder, **kw):
        seen.update(settings=settings, embedder=embedder)
        return index

    monkeypatch.setattr(service, "load_or_build", fake_load_or_build)
    qa = service.BriefingQA.open(rebuild=False)
    assert getattr(qa.settings, name) == value
    assert seen["settings"] is qa.settings and qa.retriever.settings is qa.settings
    assert seen["embedder"] is qa.embedder is qa.retriever.embedder
    assert qa.embedder.backend == qa.settings.embedding_backend
    if name in ENCODER_VIEW:
        assert ENCODER_VIEW[name](qa.embedder) == value
    if name in ("window_sentences", "window_stride", "embed_with_question", "hnsw_threshold", "vector_index",
                "embedding_backend"):
        assert index_store.build_settings(qa.settings)[name] == value  # recorded in, and checked against, the manifest


@pytest.mark.parametrize("name", FIELDS)
def test_setting_reaches_briefqa_build(name, no_loading, monkeypatch, tmp_path, capsys):
    from qa import cli

    value, raw = other_value(name, tmp_path)
    _env(monkeypatch, name, raw)
    seen = {}

    def fake_load(settings, **kw):
        raise IndexMissing("none yet")

    def fake_build(settings, embedder, **kw):
        seen.update(settings=settings, embedder=embedder)

    monkeypatch.setattr(index_store, "load", fake_load)
    monkeypatch.setattr(index_store, "build", fake_build)
    assert cli.main(["build"]) == 0
    assert getattr(seen["settings"], name) == value
    assert seen["embedder"].backend == seen["settings"].embedding_backend
    if name in ENCODER_VIEW:
        assert ENCODER_VIEW[name](seen["embedder"]) == value


def test_every_setting_is_read_by_the_library():
    """A field nothing reads is a setting that silently does nothing (field definitions are not reads)."""
    src = "\n".join(p.read_text(encoding="utf-8") for folder in ("qa", "ui") for p in (ROOT / folder).rglob("*.py"))
    unread = [n for n in FIELDS if not re.search(rf"\.{n}\b", src)]
    assert not unread, unread
