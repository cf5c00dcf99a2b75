"""Facts about the model's files that every encoder shares: the model's name and how a file is hashed.

A module of its own so the torch encoder (qa/embedding.py) and the ONNX one (qa/onnx_embed.py) both read
it without importing each other.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
