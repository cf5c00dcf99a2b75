"""Scale: synthetic corpora of 10k–1M passages; exact vs HNSW vs IVF (and compressed) FAISS indexes, and BM25.

Vectors come in two kinds. `random`: unit vectors uniform on the 384-d sphere, the worst case for any
approximate index (no structure to exploit). `clustered`: a Gaussian mixture around real passage
embeddings of the seed corpus, the noise of each centre confined to its own 32-d subspace, because text
embeddings spread over far fewer directions than they have dimensions. Index choices are made on
`clustered`; `random` is reported as the floor. Texts for BM25 recombine the seed's real sentences.
"""
from __future__ import annotations

import time

import numpy as np

from .measure import Dist, load_average, rss_mb, timed

D = 384
K = 10
SIZES = {"2k": 2_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
EF_SEARCH = (16, 32, 64, 128, 256)
NPROBE = (1, 4, 8, 16, 32, 64, 128)
TARGET_RECALL = 0.95


def parse_sizes(spec: str) -> list[tuple[str, int]]:
    """'10k,100k' → [('10k', 10000), ('100k', 100000)]; names are case-insensitive.

    >>> parse_sizes("10k,1M")
    [('10k', 10000), ('1m', 1000000)]
    """
    out = []
    for name in (s.strip().lower() for s in spec.split(",") if s.strip()):
        if name not in SIZES:
            raise ValueError(f"size {name!r} is not one of {', '.join(SIZES)}")
        out.append((name, SIZES[name]))
    return out


def _normalize(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def random_vectors(n: int, rng: np.random.Generator, d: int = D) -> np.ndarray:
    """n unit vectors uniform on the sphere (float32)."""
    return _normalize(rng.standard_normal((n, d), dtype=np.float32))


def clustered_vectors(n: int, centers: np.ndarray, rng: np.random.Generator, spread: float = 0.8,
                      rank: int = 32, seed: int = 7) -> np.ndarray:
    """n unit vectors: a random centre plus Gaussian noise of norm ≈ `spread` in that centre's `rank`-d subspace.

    The subspaces depend only on `seed`, so corpus and queries drawn with different `rng`s share them.
    """
    c, d = centers.shape
    bases = np.random.default_rng(seed).standard_normal((c, rank, d), dtype=np.float32) / np.sqrt(d)
    out = np.empty((n, d), dtype=np.float32)
    for s in range(0, n, 50_000):
        m = min(50_000, n - s)
        which = rng.integers(c, size=m)
        z = rng.standard_normal((m, rank), dtype=np.float32) * (spread / np.sqrt(rank))
        block = centers[which] + np.einsum("mr,mrd->md", z, bases[which], optimize=True)
        block += rng.standard_normal((m, d), dtype=np.float32) * (0.05 / np.sqrt(d))
        out[s:s + m] = block
    return _normalize(out)


def synthetic_passages(n: int, sentences: list[str], rng: np.random.Generator, per_passage: int = 3) -> list[str]:
    """n passages, each `per_passage` real sentences drawn at random from the seed."""
    pick = rng.integers(len(sentences), size=(n, per_passage))
    return [" ".join(sentences[j] for j in row) for row in pick]


def _index_bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def make_index(kind: str, n: int, d: int = D, **p):
    """An empty FAISS index of `kind` (flat | hnsw | ivf | ivf_sq8 | ivf_pq) for inner product."""
    import faiss

    ip = faiss.METRIC_INNER_PRODUCT
    if kind == "flat":
        return faiss.IndexFlatIP(d)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, p["M"], ip)
        index.hnsw.efConstruction = p.get("efConstruction", 80)
        return index
    quantizer = faiss.IndexFlatIP(d)
    if kind == "ivf":
        index = faiss.IndexIVFFlat(quantizer, d, p["nlist"], ip)
    elif kind == "ivf_sq8":
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, p["nlist"], faiss.ScalarQuantizer.QT_8bit, ip)
    elif kind == "ivf_pq":
        index = faiss.IndexIVFPQ(quantizer, d, p["nlist"], p.get("m", 48), 8, ip)
    else:
        raise ValueError(f"index kind {kind!r} is not one of flat, hnsw, ivf, ivf_sq8, ivf_pq")
    # Fewer k-means iterations over 64 points per list: training at 1M stays under a minute on 2 cores.
    index.cp.niter = 10
    index.cp.max_points_per_centroid = 64
    return index


def nlist_for(n: int) -> int:
    """Inverted lists: the power of two nearest 2·√n (about √n/2 vectors per list), at most n/39 (k-means
    wants 39 training points per centroid), at least 16.

    >>> nlist_for(10_000), nlist_for(100_000), nlist_for(1_000_000)
    (256, 512, 2048)
    """
    return max(16, min(2 ** int(round(np.log2(2 * np.sqrt(n)))), 2 ** int(np.log2(n / 39))))


def build(kind: str, xb: np.ndarray, rng: np.random.Generator, **p) -> tuple[object, dict]:
    """(index, {build_s, bytes, rss_delta_mb}) with `xb` added."""
    n = len(xb)
    index = make_index(kind, n, xb.shape[1], **p)
    r0 = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    if not index.is_trained:
        sample = xb[rng.choice(n, size=min(n, 64 * p["nlist"]), replace=False)]
        index.train(sample)
    index.add(xb)
    build_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    # CPU seconds (all threads) alongside wall time: other work on the machine inflates only the latter.
    return index, {"build_s": round(build_s, 2), "build_cpu_s": round(cpu_s, 2), "bytes": _index_bytes(index),
                   "rss_delta_mb": round(rss_mb() - r0, 1)}


def _set_param(index, kind: str, value: int | None) -> None:
    if value is None:
        return
    if kind == "hnsw":
        index.hnsw.efSearch = value
    else:
        index.nprobe = value


def single_query_latency(index, xq: np.ndarray, k: int = K, threads: int = 1) -> tuple[Dist, Dist, np.ndarray]:
    """One query per search call, as the retriever does; (wall latency, CPU time of this thread, ids).

    With one thread FAISS searches on the calling thread, so its CPU time is the latency the search
    would have on an idle core: a figure other work on the machine does not inflate.
    """
    import faiss

    faiss.omp_set_num_threads(threads)
    ids = np.empty((len(xq), k), dtype="int64")
    ts, cpu = [], []
    index.search(xq[:1], k)
    for i in range(len(xq)):
        c0, t0 = time.thread_time(), time.perf_counter()
        _, I = index.search(xq[i:i + 1], k)
        ts.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        ids[i] = I[0]
    faiss.omp_set_num_threads(2)
    return Dist.of(ts), Dist.of(cpu), ids


def recall(ids: np.ndarray, gt: np.ndarray, k: int = K) -> float:
    """Mean fraction of the exact top-k found in the approximate top-k.

    >>> recall(np.array([[1, 2], [3, 9]]), np.array([[2, 1], [3, 4]]), 2)
    0.75
    """
    return float(np.mean([len(set(a[:k]) & set(b[:k])) / k for a, b in zip(ids, gt)]))


def variants(n: int, quick: bool, data: str = "clustered") -> list[tuple[str, dict, str | None, tuple]]:
    """(kind, build params, search parameter name, values swept) measured at size n on `data` vectors.

    Random vectors get fewer variants: no ANN index finds their neighbours well (HNSW recall@10 0.43 at
    100k even with efSearch 256), and HNSW over them builds 8x slower than over clustered vectors
    (110 s at 100k, about an hour at 1M), so they get HNSW only up to 10k.
    """
    nl = nlist_for(n)
    probes = tuple(p for p in NPROBE if p <= nl)
    out = [("flat", {}, None, (None,))]
    if data == "random":
        if n <= 10_000:
            out.append(("hnsw", {"M": 32, "efConstruction": 80}, "efSearch", EF_SEARCH))
        out.append(("ivf", {"nlist": nl}, "nprobe", probes))
        return out
    for M in ((32,) if quick else (16, 32)):
        out.append(("hnsw", {"M": M, "efConstruction": 80}, "efSearch", EF_SEARCH))
    out.append(("ivf", {"nlist": nl}, "nprobe", probes))
    if n >= 100_000 and not quick:
        out.append(("ivf_sq8", {"nlist": nl}, "nprobe", probes))
    if n >= 1_000_000:
        out.append(("ivf_pq", {"nlist": nl, "m": 48}, "nprobe", probes))
    return out


def faiss_at_size(n: int, kind_of_data: str, xb: np.ndarray, xq: np.ndarray, quick: bool, log=print) -> list[dict]:
    """Every variant × search parameter: build time, bytes, p50/p95 at 1 and 2 threads, recall@10 vs exact."""
    import faiss

    rng = np.random.default_rng(1)
    faiss.omp_set_num_threads(2)
    exact = faiss.IndexFlatIP(xb.shape[1])
    exact.add(xb)
    _, gt = exact.search(xq, K)
    del exact
    rows = []
    for kind, params, pname, values in variants(n, quick, kind_of_data):
        index, info = build(kind, xb, rng, **params)
        log(f"    {kind_of_data} {n:>9,} {kind} {params}: built in {info['build_s']}s, {info['bytes'] / 2**20:.0f} MiB")
        for v in values:
            _set_param(index, kind, v)
            # Exact search over a million vectors takes ~0.1 s a query; fewer queries give the same median.
            q = xq[:30] if kind == "flat" and n >= 1_000_000 else xq
            d1, c1, ids = single_query_latency(index, q, K, threads=1)
            d2, _, _ = single_query_latency(index, q, K, threads=2)
            row = {"data": kind_of_data, "size": n, "index": kind, **params, **info,
                   "bytes_per_vector": round(info["bytes"] / n, 1),
                   "p50_ms_1t": d1.p50, "p95_ms_1t": d1.p95, "p50_ms_2t": d2.p50, "p95_ms_2t": d2.p95,
                   "cpu_p50_ms_1t": c1.p50,
                   "recall@10": round(recall(ids, gt[:len(q)]), 4), "queries": len(q)}
            if pname:
                row[pname] = v
            rows.append(row)
            log(f"      {pname or '':>8} {v if v is not None else '':>4}: p50 {d1.p50:.3f} ms (1t) {d2.p50:.3f} ms (2t), "
                f"recall@10 {row['recall@10']:.3f}")
        del index
    return rows


def bm25_at_size(n: int, sentences: list[str], queries: list[str], log=print) -> dict:
    """BM25Index over n synthetic passages: build time (tokenizing share), memory, query latency for k=50."""
    from qa.bm25 import BM25Index, tokenize

    rng = np.random.default_rng(3)
    texts = synthetic_passages(n, sentences, rng)
    sample = texts[:min(n, 5_000)]
    t0 = time.perf_counter()
    for t in sample:
        tokenize(t)
    tok_s = (time.perf_counter() - t0) * n / len(sample)
    r0 = rss_mb()
    t0 = time.perf_counter()
    bm = BM25Index.build(texts)
    build_s = time.perf_counter() - t0
    scores = bm.scores
    arrays = sum(int(v.nbytes) for v in scores.values() if hasattr(v, "nbytes"))
    del texts
    for q in queries[:3]:
        bm.search(q, 50)
    ts = [timed(bm.search, q, 50)[0] for q in queries]
    d = Dist.of(ts)
    out = {"size": n, "build_s": round(build_s, 2), "tokenize_s_est": round(tok_s, 2),
           "matrix_bytes": arrays, "rss_delta_mb": round(rss_mb() - r0, 1), "vocab": len(bm.vocab),
           "p50_ms": d.p50, "p95_ms": d.p95, "p99_ms": d.p99}
    log(f"    bm25 {n:>9,}: built in {build_s:.1f}s (tokenizing ≈{tok_s:.1f}s), {arrays / 2**20:.0f} MiB matrix, "
        f"query p50 {d.p50:.2f} ms p95 {d.p95:.2f} ms")
    return out


def run(sizes: list[tuple[str, int]], centers: np.ndarray, sentences: list[str], queries: list[str],
        quick: bool = False, n_queries: int = 100, log=print) -> dict:
    """FAISS variants on random and clustered vectors, and BM25, at each size."""
    out: dict = {"load_average_before": load_average(), "faiss": [], "bm25": [], "sizes": [n for _, n in sizes]}
    nq = 50 if quick else n_queries
    for name, n in sizes:
        log(f"  scale {name}")
        for data in ("clustered", "random"):
            rng = np.random.default_rng(n)
            if data == "random":
                xb, xq = random_vectors(n, rng), random_vectors(nq, np.random.default_rng(99))
            else:
                xb = clustered_vectors(n, centers, rng)
                xq = clustered_vectors(nq, centers, np.random.default_rng(99))
            out["faiss"] += faiss_at_size(n, data, xb, xq, quick, log)
            del xb
        out["bm25"].append(bm25_at_size(n, sentences, queries, log))
    out["load_average_after"] = load_average()
    return out


def choose(rows: list[dict], data: str = "clustered", target: float = TARGET_RECALL) -> dict:
    """Per size: the fastest (1-thread p50) configuration of each index kind reaching `target` recall@10."""
    best: dict = {}
    for r in rows:
        if r["data"] != data or r["recall@10"] < target:
            continue
        key = (r["size"], r["index"])
        if key not in best or r["p50_ms_1t"] < best[key]["p50_ms_1t"]:
            best[key] = r
    out: dict = {}
    for (size, kind), r in sorted(best.items()):
        out.setdefault(str(size), {})[kind] = r
    return out
