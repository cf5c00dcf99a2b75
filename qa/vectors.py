"""FAISS vector index: exact inner product for small corpora, HNSW past a measured size (bench/README.md)."""
from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np

from .config import Settings
from .errors import IndexCorrupt


def index_type(n: int, settings: Settings) -> str:
    """The index kind for n passages: settings.vector_index, or for "auto" exact below hnsw_threshold, else HNSW.

    >>> index_type(1_000, Settings()), index_type(10_000_000, Settings())
    ('flat', 'hnsw')
    """
    if settings.vector_index != "auto":
        return settings.vector_index
    return "flat" if n < settings.hnsw_threshold else "hnsw"


def ivf_nlist(n: int) -> int:
    """Inverted lists for n vectors: the power of two nearest 2·√n, at most n/39 (k-means wants 39 points each).

    >>> ivf_nlist(100), ivf_nlist(1_000_000)
    (2, 2048)
    """
    return max(1, min(2 ** int(round(np.log2(2 * np.sqrt(max(n, 1))))), 2 ** int(np.log2(max(n / 39, 1)))))


def build_vector_index(vecs: np.ndarray, settings: Settings):
    """(index, description). Vectors must be unit length so inner product is cosine."""
    import faiss

    n, d = vecs.shape
    vecs = np.ascontiguousarray(vecs, dtype="float32")
    kind = index_type(n, settings)
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
        desc = {"type": "IndexFlatIP"}
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
        desc = {"type": "IndexHNSWFlat", "M": settings.hnsw_m, "efConstruction": settings.hnsw_ef_construction,
                "efSearch": settings.hnsw_ef_search}
    else:
        nlist = ivf_nlist(n)
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        # 10 k-means rounds over 64 points per list: training a million passages takes about a minute.
        index.cp.niter = 10
        index.cp.max_points_per_centroid = 64
        sample = vecs[np.random.default_rng(0).choice(n, size=min(n, 64 * nlist), replace=False)]
        index.train(sample)
        index.nprobe = min(settings.ivf_nprobe, nlist)
        desc = {"type": "IndexIVFScalarQuantizer", "nlist": nlist, "nprobe": index.nprobe, "quantizer": "QT_8bit"}
    index.add(vecs)
    return index, desc


def save_vector_index(index, path: Path) -> None:
    """Write `index` to `path`; a failed write is an OSError (ENOSPC when the disk is full), as for other files."""
    import faiss

    try:
        faiss.write_index(index, str(path))
    except RuntimeError as e:  # FAISS reports a short write as "... write error in <path>: 4051 != 12288 (<strerror>)"
        message = str(e).splitlines()[0]
        code = next((c for c in (errno.ENOSPC, errno.EDQUOT) if os.strerror(c) in message), None)
        raise OSError(code, f"FAISS could not write {path}: {message[-160:]}") from None


def load_vector_index(path: Path):
    import faiss

    try:
        return faiss.read_index(str(path))
    except RuntimeError as e:
        raise IndexCorrupt(f"{path}: FAISS file unreadable ({str(e).splitlines()[0][:200]})") from None


def search_vectors(index, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
                   exact_max: int = Settings().hnsw_threshold) -> list[tuple[int, float]]:
    """[(passage id, cosine)] best first; `allowed` (sorted int64 ids) restricts the search.

    A filter keeping at most `exact_max` passages (Settings.hnsw_threshold: what exact search handles
    well) is answered exactly over those passages.
    """
    import faiss

    k = min(k, index.ntotal)
    if k <= 0:
        return []
    params = None
    q = np.ascontiguousarray(query.reshape(1, -1), dtype="float32")
    if allowed is not None:
        if len(allowed) == 0:
            return []
        sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype="int64"))
        if isinstance(index, faiss.IndexIVF):
            # Probing every list when the filter is narrow makes the search exhaustive over the allowed ids.
            nprobe = index.nlist if len(allowed) <= exact_max else index.nprobe
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        elif isinstance(index, faiss.IndexHNSW):
            if len(allowed) <= exact_max:
                # A narrow filter (one speaker, one briefing) leaves a graph walk few allowed nodes to find;
                # scoring just the allowed vectors in the graph's flat storage is exact and costs what an
                # exact search of a corpus that size costs.
                index = faiss.downcast_index(index.storage)
                params = faiss.SearchParameters(sel=sel)
            else:
                # SearchParametersHNSW defaults efSearch to 16, not the index's value: pass it on.
                params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(index.hnsw.efSearch, k))
        else:
            params = faiss.SearchParameters(sel=sel)
    scores, ids = index.search(q, k, params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
