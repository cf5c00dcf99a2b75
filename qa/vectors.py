"""FAISS vector index: exact inner product for small corpora, HNSW past a measured size."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import Settings
from .errors import IndexCorrupt


def build_vector_index(vecs: np.ndarray, settings: Settings):
    """(index, description). Vectors must be unit length so inner product is cosine."""
    import faiss

    n, d = vecs.shape
    if n < settings.hnsw_threshold:
        index = faiss.IndexFlatIP(d)
        kind = {"type": "IndexFlatIP"}
    else:
        index = faiss.IndexHNSWFlat(d, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
        kind = {"type": "IndexHNSWFlat", "M": settings.hnsw_m, "efConstruction": settings.hnsw_ef_construction,
                "efSearch": settings.hnsw_ef_search}
    index.add(np.ascontiguousarray(vecs, dtype="float32"))
    return index, kind


def save_vector_index(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load_vector_index(path: Path):
    import faiss

    try:
        return faiss.read_index(str(path))
    except RuntimeError as e:
        raise IndexCorrupt(f"{path}: FAISS file unreadable ({str(e).splitlines()[0][:200]})") from None


def search_vectors(index, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """[(passage id, cosine)] best first; `allowed` (sorted int64 ids) restricts the search."""
    import faiss

    k = min(k, index.ntotal)
    if k <= 0:
        return []
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype="int64"))
        params = faiss.SearchParametersHNSW(sel=sel) if isinstance(index, faiss.IndexHNSW) else faiss.SearchParameters(sel=sel)
    scores, ids = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype="float32"), k, params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
