"""Shared fixtures: the real model and a real index built once per test session under a temp dir."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "2024-07-29-scio-cnipa-ip.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from qa.config import load_settings

    return load_settings(env={}, corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("index"),
                         feedback_path=tmp_path_factory.mktemp("feedback") / "feedback.jsonl")


@pytest.fixture(scope="session")
def embedder(settings):
    """The encoder the product uses by default (Settings.embedding_backend), from the one factory."""
    from qa.embedding import make_embedder

    return make_embedder(settings).warm_up()


@pytest.fixture(scope="session")
def reference_embedder():
    """sentence-transformers' float model (torch): the reference the ONNX backend is checked against."""
    from qa.config import Settings
    from qa.embedding import make_embedder

    return make_embedder(Settings(embedding_backend="torch")).warm_up()


@pytest.fixture(scope="session")
def index(settings, embedder):
    from qa.index_store import load_or_build

    return load_or_build(settings, embedder, progress=False)


@pytest.fixture(scope="session")
def retriever(index, embedder, settings):
    from qa.retrieve import Retriever

    return Retriever(index, embedder, settings)
