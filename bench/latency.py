"""Warm numbers on the real corpus: build throughput, ask/search latency against the floor, ONNX parity, concurrency."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .measure import Dist, load_average, peak_rss_mb, rss_mb, timed

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "questions.jsonl"


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def build_texts(qa) -> list[str]:
    """What a build embeds for this index: every passage (with its question prefix), then every sentence."""
    from qa.passages import embed_text

    idx, s = qa.index, qa.settings
    passages = [embed_text(p, idx.chunk_by_id[p.chunk_id], s.embed_with_question) for p in idx.passages]
    return passages + [x.text for c in idx.chunks for x in idx.sentences.get(c.id, [])]


def _set_threads(emb, threads: int):
    """The embedder with `threads` intra-op threads (torch is process-wide; an ONNX session is per instance)."""
    if type(emb).__name__ == "OnnxEmbedder":
        from qa.onnx_embed import OnnxEmbedder

        return OnnxEmbedder(threads=threads, batch_size=emb.batch_size, spinning=emb.spinning).warm_up()
    import torch

    torch.set_num_threads(threads)
    return emb


def padding_waste(texts: list[str], batch_size: int, sort: bool) -> float:
    """Padded word pieces / real word pieces when batching `texts` in order (sort=False) or longest first."""
    from qa.tokens import wordpiece_tokenizer

    lens = np.array([min(len(e.ids), 256) for e in wordpiece_tokenizer().encode_batch(texts)])
    if sort:
        lens = np.sort(lens)[::-1]
    padded = sum(int(lens[i:i + batch_size].max()) * len(lens[i:i + batch_size]) for i in range(0, len(lens), batch_size))
    return round(padded / lens.sum(), 3)


def build_throughput(backends: dict, texts: list[str], batch_sizes=(8, 16, 32, 64, 128), log=print) -> dict:
    """Passages/s encoding `texts` per backend: each batch size on 2 threads, the best one again on 1 thread;
    then corpus-order vs length-sorted batches."""
    out: dict = {"texts": len(texts), "load_average_before": load_average(), "grid": []}
    best = {}

    def measure(name, emb, th, bs):
        emb.batch_size = bs
        s, _ = timed(emb.encode_passages, texts)
        row = {"backend": name, "threads": th, "batch_size": bs, "seconds": round(s, 3),
               "passages_per_s": round(len(texts) / s, 1)}
        out["grid"].append(row)
        log(f"  build {name} threads={th} batch={bs}: {row['passages_per_s']} passages/s")
        if row["passages_per_s"] > best.get(name, {}).get("passages_per_s", 0):
            best[name] = row

    for name, emb0 in backends.items():
        bs0 = emb0.batch_size
        emb = _set_threads(emb0, 2)
        emb.encode_passages(texts[:32])  # first-call allocations out of the timing
        for bs in batch_sizes:
            measure(name, emb, 2, bs)
        emb = _set_threads(emb0, 1)
        emb.encode_passages(texts[:32])
        measure(name, emb, 1, best[name]["batch_size"])
        emb0.batch_size = bs0
        _set_threads(emb0, emb0.threads)
    out["best"] = best
    # Length sorting: sentence-transformers sorts each encode() call longest first (verified in its
    # encode(): `length_sorted_idx = np.argsort([-len(text) ...])`). Encoding batch by batch in corpus
    # order switches that off, which shows what the sort is worth.
    b = best["torch"]
    emb = _set_threads(backends["torch"], b["threads"])
    bs0, emb.batch_size = emb.batch_size, b["batch_size"]
    bs = b["batch_size"]
    unsorted, _ = timed(lambda: [emb.encode_passages(texts[i:i + bs]) for i in range(0, len(texts), bs)])
    sorted_, _ = timed(emb.encode_passages, texts)
    out["length_sorting"] = {
        "threads": b["threads"], "batch_size": bs,
        "sorted_passages_per_s": round(len(texts) / sorted_, 1),
        "unsorted_passages_per_s": round(len(texts) / unsorted, 1),
        "padding_ratio_sorted": padding_waste(texts, bs, True),
        "padding_ratio_unsorted": padding_waste(texts, bs, False),
    }
    _set_threads(emb, emb.threads)
    emb.batch_size = bs0
    out["load_average_after"] = load_average()
    return out


def warm_latency(qa, questions: list[dict], repeats: int = 2) -> dict:
    """search and ask latency over the eval questions, and in the same loop the floor parts.

    Each question runs: bare query embedding (one encode call of one query), bare FAISS search, bare BM25
    search, then `search` and `ask`, so a burst of outside load hits all of them alike.
    """
    from qa.prepare import prepare
    from qa.vectors import search_vectors

    k = qa.settings.candidate_passages
    t = {name: [] for name in ("embed", "faiss", "bm25", "search", "ask")}
    by_intent: dict[str, list[float]] = {}
    for item in questions[:3]:
        qa.ask(item["question"], item.get("history") or [])
    for _ in range(repeats):
        for item in questions:
            q, hist = item["question"], item.get("history") or []
            query = prepare(q, hist, qa.settings).query  # what ask searches for, cleaning included
            s, qv = timed(qa.embedder.encode_queries, [query])
            t["embed"].append(s)
            t["faiss"].append(timed(search_vectors, qa.index.vectors, qv[0], k)[0])
            t["bm25"].append(timed(qa.index.bm25.search, query, k)[0])
            t["search"].append(timed(qa.search, query)[0])
            secs, answer = timed(qa.ask, q, hist)
            t["ask"].append(secs)
            by_intent.setdefault(answer.intent, []).append(secs)
    d = {name: Dist.of(v).as_dict() for name, v in t.items()}
    floor = d["embed"]["p50"]
    # Every kind of answer against the same floor: the intent the answerer chose, not the gold label.
    d["by_intent"] = {i: {"n": len(v), "p50": Dist.of(v).p50, "p50_over_embed_p50": round(Dist.of(v).p50 / floor, 2)}
                      for i, v in sorted(by_intent.items())}
    d["ask_p50_over_embed_p50"] = round(d["ask"]["p50"] / floor, 2)
    d["ask_p50_over_embed_faiss_p50"] = round(d["ask"]["p50"] / (floor + d["faiss"]["p50"]), 2)
    d["rss_mb"] = round(rss_mb(), 1)
    d["peak_rss_mb"] = round(peak_rss_mb(), 1)
    d["load_average"] = load_average()
    return d


def retrieval_metrics(qa, questions: list[dict], modes=("dense", "hybrid"), k: int = 5) -> dict:
    """The eval's ranking summary (Recall@1/3/5, MRR, nDCG@5; qa/eval/metrics.py) of the top `k` per mode,
    over the answerable items whose gold text sits in an answer, as `briefqa eval` counts them."""
    from qa.eval.gold import relevant_chunks
    from qa.eval.metrics import ranking_summary
    from qa.prepare import prepare

    items = [(q, relevant_chunks(qa.index, q["gold"])) for q in questions if q.get("answerable") and q.get("gold")]
    items = [(q, rel) for q, rel in items if rel]
    queries = [prepare(q["question"], q.get("history") or [], qa.settings).query for q, _ in items]
    return {mode: ranking_summary([([h.chunk.id in rel for h in qa.search(query, k=k, mode=mode)], len(rel))
                                   for query, (_, rel) in zip(queries, items)])
            for mode in modes}


def cosine_parity(a_emb, b_emb, texts: list[str]) -> dict:
    """Cosine between two backends' vectors of the same texts (both unit length)."""
    a = a_emb.encode_passages(texts)
    b = b_emb.encode_passages(texts)
    cos = (a * b).sum(axis=1)
    return {"texts": len(texts), "min": round(float(cos.min()), 5), "p01": round(float(np.percentile(cos, 1)), 5),
            "mean": round(float(cos.mean()), 5)}


def concurrency(qa, questions: list[dict], workers=(1, 2, 4)) -> list[dict]:
    """Questions/s and per-question latency with N threads asking at once (one shared model and index)."""
    rows = []

    def one(item):
        return timed(qa.ask, item["question"], item.get("history") or [])[0]

    for w in workers:
        with ThreadPoolExecutor(w) as ex:
            list(ex.map(one, questions[:2 * w]))  # every thread warm
            t0 = time.perf_counter()
            lat = list(ex.map(one, questions))
            wall = time.perf_counter() - t0
        d = Dist.of(lat)
        rows.append({"workers": w, "questions_per_s": round(len(questions) / wall, 1), "p50_ms": d.p50,
                     "p95_ms": d.p95, "load_average": load_average()})
    return rows
