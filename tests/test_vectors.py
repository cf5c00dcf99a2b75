"""qa/vectors.py: index choice, exact ranking, and filtered searches that stay exact or keep their breadth."""
from __future__ import annotations

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import ConfigError
from qa.vectors import (build_vector_index, index_type, load_vector_index, save_vector_index,
                        search_vectors)


def unit(rows) -> np.ndarray:
    x = np.asarray(rows, dtype="float32")
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def clustered(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, d))
    return unit(centres[rng.integers(20, size=n)] + 0.5 * rng.standard_normal((n, d)))


def brute(x: np.ndarray, q: np.ndarray, k: int, allowed=None) -> list[int]:
    ids = np.arange(len(x)) if allowed is None else np.asarray(allowed)
    s = x[ids] @ q
    return [int(i) for i in ids[np.argsort(-s, kind="stable")[:k]]]


def test_flat_ranks_by_cosine():
    x = unit([[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    index, desc = build_vector_index(x, Settings())
    assert desc["type"] == "IndexFlatIP"
    hits = search_vectors(index, x[0], 3)
    assert [i for i, _ in hits] == [0, 1, 2]
    assert hits[0][1] == pytest.approx(1.0)
    assert [i for i, _ in search_vectors(index, x[1], 2, allowed=np.array([2, 3]))] == [2, 3]
    assert search_vectors(index, x[0], 2, allowed=np.array([], dtype="int64")) == []
    assert search_vectors(index, x[0], 0) == []


@pytest.mark.parametrize("n, expected", [(1, "flat"), (Settings().hnsw_threshold - 1, "flat"),
                                         (Settings().hnsw_threshold, "hnsw")])
def test_auto_switches_to_hnsw_at_the_threshold(n, expected):
    assert index_type(n, Settings()) == expected


def test_a_forced_index_type_wins():
    assert index_type(10, Settings(vector_index="ivf_sq8")) == "ivf_sq8"
    with pytest.raises(ConfigError, match="auto, flat, hnsw, ivf_sq8"):
        Settings(vector_index="annoy")


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf_sq8"])
def test_each_kind_finds_the_query_itself_and_survives_save_load(kind, tmp_path):
    x = clustered(3_000)
    s = Settings(vector_index=kind, hnsw_ef_search=48, ivf_nprobe=8)
    index, desc = build_vector_index(x, s)
    save_vector_index(index, tmp_path / "v.faiss")
    loaded = load_vector_index(tmp_path / "v.faiss")
    assert loaded.ntotal == 3_000
    if kind == "hnsw":
        assert loaded.hnsw.efSearch == 48
    if kind == "ivf_sq8":
        assert loaded.nprobe == 8 and desc["nlist"] == loaded.nlist
    for i in (0, 1_234, 2_999):
        assert search_vectors(loaded, x[i], 5)[0][0] == i


@pytest.mark.parametrize("kind", ["hnsw", "ivf_sq8"])
def test_a_narrow_filter_is_answered_exactly(kind):
    x = clustered(5_000, seed=1)
    index, _ = build_vector_index(x, Settings(vector_index=kind))
    allowed = np.arange(7, 5_000, 97)  # 52 passages scattered over the whole index
    for q in x[:20]:
        got = [i for i, _ in search_vectors(index, q, 10, allowed)]
        assert set(got) <= set(allowed.tolist())
        want = brute(x, q, 10, allowed)
        # 8-bit codes may swap near-ties; the graph's storage is exact.
        assert (got == want) if kind == "hnsw" else len(set(got) & set(want)) >= 9


def test_a_broad_filter_keeps_the_index_search_breadth():
    # SearchParametersHNSW defaults efSearch to 16; the filtered search must use the index's own.
    # Random 32-d vectors: hard enough that efSearch 16 finds about 0.8 of the true top 20, 128 about 0.97.
    exact_max = Settings().hnsw_threshold  # filters up to this many passages are searched exactly
    x = unit(np.random.default_rng(2).standard_normal((exact_max + 5_000, 32)))
    index, _ = build_vector_index(x, Settings(vector_index="hnsw", hnsw_m=16, hnsw_ef_construction=40,
                                              hnsw_ef_search=128))
    allowed = np.arange(0, len(x), 1, dtype="int64")[: exact_max + 1_000]
    found = []
    for q in x[-30:]:
        got = [i for i, _ in search_vectors(index, q, 20, allowed)]
        assert set(got) <= set(allowed.tolist())
        found.append(len(set(got) & set(brute(x, q, 20, allowed))) / 20)
    assert np.mean(found) >= 0.93
