"""`make bench`: latency on the real corpus, then scale on synthetic corpora; prints a table, writes results.json.

Usage:
  python -m bench.run                      # sizes 10k,100k (about 10 minutes on 2 quiet cores)
  python -m bench.run --sizes 10k,100k,1m  # adds a million passages (about 20 more minutes)
  python -m bench.run --quick              # a fast pass over every code path (sizes 10k)
  python -m bench.run --skip-latency --sizes 1m
  python -m bench.run --skip-latency --skip-scale --corpus-briefings 500   # the many-briefing corpus (long)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import cold, incremental, latency, report, scale
from .measure import OtherLoad, load_average, machine

HERE = Path(__file__).resolve().parent


def open_qa(index_dir: Path, backend: str):
    """A BriefingQA over the seed corpus with `backend`, its index in `index_dir` (built when missing)."""
    from qa.config import load_settings
    from qa.index_store import load_or_build
    from qa.embedding import make_embedder
    from qa.service import BriefingQA

    s = load_settings(env={}, index_dir=index_dir, embedding_backend=backend)
    emb = make_embedder(s).warm_up()
    return BriefingQA(s, emb, load_or_build(s, emb, progress=False))


class Sections:
    """Runs bench sections, recording each one's wall time and the cores other processes used meanwhile.

    Before a section it waits (at most `max_wait_s` in all) for the machine to go quiet, since the
    other processes on these 2 cores inflate every latency measured here.
    """

    def __init__(self, log=print, max_wait_s: float = 60.0):
        self.log = log
        self.wait_left = max_wait_s
        self.record: dict = {}

    def __call__(self, name: str, fn, *a, **kw):
        waited = wait_quiet(self.wait_left)
        self.wait_left -= waited
        self.log(f"{name}" + (f" (waited {waited:.0f}s for quiet)" if waited >= 1 else ""))
        t0 = time.perf_counter()
        with OtherLoad() as other:
            out = fn(*a, **kw)
        self.record[name] = {"seconds": round(time.perf_counter() - t0, 1), "other_cores": other.cores}
        if other.cores > 0.3:
            self.log(f"  note: other processes kept {other.cores} cores busy during {name}")
        return out


def wait_quiet(max_s: float, cores: float = 0.3, step_s: float = 2.0) -> float:
    """Wait until other processes use less than `cores` over `step_s`, or `max_s` has passed; seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_s:
        with OtherLoad() as o:
            time.sleep(step_s)
        if o.cores < cores:
            break
    return time.perf_counter() - t0


def run_latency(work: Path, quick: bool, section: Sections) -> tuple[dict, object]:
    """Everything measured on the real corpus; also returns the torch BriefingQA for the scale centres."""
    log = section.log
    questions = latency.load_questions()
    out: dict = {}
    out["cold"] = section("cold start", cold.run, work, questions[0]["question"], repeats=1 if quick else 2,
                          serve_questions=latency.QUESTIONS, log=log)
    out["startup"] = section("start-up against the floor", cold.startup, work, questions[0]["question"],
                             repeats=1 if quick else 3, questions=latency.QUESTIONS, log=log)
    out["query_policies"] = section("query embedding by thread policy", cold.query_latency, latency.QUESTIONS, log=log)
    qa_t = open_qa(work / "index-torch", "torch")
    qa_o = open_qa(work / "index-onnx", "onnx")
    texts = latency.build_texts(qa_t)
    out["build"] = section("build throughput", latency.build_throughput, {"torch": qa_t.embedder, "onnx": qa_o.embedder},
                           texts, batch_sizes=(16, 64) if quick else (8, 16, 32, 64, 128), log=log)
    out["warm"] = {b: section(f"warm latency {b}", latency.warm_latency, qa, questions, repeats=1 if quick else 2)
                   for b, qa in (("torch", qa_t), ("onnx", qa_o))}
    for b, w in out["warm"].items():
        log(f"  {b}: ask p50 {w['ask']['p50']:.1f} ms, embedding p50 {w['embed']['p50']:.1f} ms "
            f"({w['ask_p50_over_embed_p50']}×), faiss p50 {w['faiss']['p50']:.3f} ms")
    out["onnx_cosine"] = section("onnx parity", latency.cosine_parity, qa_t.embedder, qa_o.embedder,
                                 texts + [q["question"] for q in questions])
    out["metrics"] = {b: latency.retrieval_metrics(qa, questions) for b, qa in (("torch", qa_t), ("onnx", qa_o))}
    log(f"  {json.dumps(out['metrics'])}")
    out["concurrency"] = section("concurrency", concurrency, (("torch", qa_t), ("onnx", qa_o)), questions,
                                 (1, 4) if quick else (1, 2, 4), log)
    return out, qa_t


def concurrency(backends, questions, workers, log=print) -> dict:
    """Questions/s with 1, 2, 4 threads asking at once, for each backend with 2 and 1 model threads."""
    from qa.service import BriefingQA

    out: dict = {}
    for b, qa in backends:
        out[b] = {}
        for th in (2, 1):
            emb = latency._set_threads(qa.embedder, th)
            rows = latency.concurrency(BriefingQA(qa.settings, emb, qa.index), questions, workers)
            out[b][str(th)] = rows
            log(f"  {b} threads={th}: " + ", ".join(f"{r['workers']}w {r['questions_per_s']}/s" for r in rows))
        latency._set_threads(qa.embedder, qa.embedder.threads)
    return out


def centres_and_sentences(qa) -> tuple[np.ndarray, list[str]]:
    """Real passage and sentence embeddings (mixture centres) and the seed's sentences (BM25 text)."""
    sentences = [s.text for c in qa.index.chunks for s in qa.index.sentences.get(c.id, [])]
    return qa.embedder.encode_passages(latency.build_texts(qa)), sentences


def run_scale(sizes, qa, quick: bool, section: Sections) -> dict:
    from qa.prepare import prepare

    centres, sentences = centres_and_sentences(qa)
    queries = [prepare(q["question"], q.get("history") or [], qa.settings).query for q in latency.load_questions()]
    parts = [section(f"scale {name}", scale.run, [(name, n)], centres, sentences, queries, quick=quick,
                     log=section.log) for name, n in sizes]
    out = {"sizes": [n for _, n in sizes], "faiss": [r for p in parts for r in p["faiss"]],
           "bm25": [r for p in parts for r in p["bm25"]]}
    out["chosen"] = scale.choose(out["faiss"])
    keys = ("index", "size", "M", "efSearch", "nlist", "nprobe", "m")
    rand = {tuple(r.get(k) for k in keys): r for r in out["faiss"] if r["data"] == "random"}
    for kinds in out["chosen"].values():
        for r in kinds.values():
            twin = rand.get(tuple(r.get(k) for k in keys))
            r["random_recall@10"] = twin["recall@10"] if twin else None
    return out


def merge(old: dict, new: dict) -> dict:
    """New sections replace old ones; scale rows of sizes not re-run this time are kept (e.g. 1M)."""
    out = {**old, **{k: v for k, v in new.items() if k != "scale"}}
    if "scale" in new:
        sizes = set(new["scale"]["sizes"])
        prev = old.get("scale", {})
        sc = dict(new["scale"])
        sc["faiss"] = [r for r in prev.get("faiss", []) if r["size"] not in sizes] + new["scale"]["faiss"]
        sc["bm25"] = sorted([r for r in prev.get("bm25", []) if r["size"] not in sizes] + new["scale"]["bm25"],
                            key=lambda r: r["size"])
        sc["sizes"] = sorted(sizes | set(prev.get("sizes", [])))
        sc["chosen"] = {**{k: v for k, v in prev.get("chosen", {}).items() if int(k) not in sizes},
                        **new["scale"]["chosen"]}
        out["scale"] = sc
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="scale sizes: any of 2k,10k,100k,1m (default 10k,100k; --quick 10k)")
    ap.add_argument("--quick", action="store_true", help="one repeat, fewer configurations")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-add", action="store_true", help="skip adding briefings vs full rebuild")
    ap.add_argument("--add-briefings", type=int, default=None,
                    help="corpus size for the add-vs-rebuild section (default 50; --quick 10)")
    ap.add_argument("--corpus-briefings", type=int, default=0,
                    help="also build a synthetic corpus of this many briefings (e.g. 500; about 20 min on torch)")
    ap.add_argument("--backend", choices=("torch", "onnx"), default=None,
                    help="embedding backend of the add and corpus sections (default: BRIEFQA_EMBEDDING_BACKEND)")
    ap.add_argument("--no-wait", action="store_true", help="start each section without waiting for a quiet machine")
    ap.add_argument("--out", default=str(HERE / "results.json"),
                    help="results file, merged with what is there; the printed table goes next to it as .txt")
    ap.add_argument("--plot", default=str(HERE / "scale.png"))
    a = ap.parse_args(argv)
    try:
        sizes = scale.parse_sizes(a.sizes or ("10k" if a.quick else "10k,100k"))
    except ValueError as e:
        ap.error(str(e))
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    res: dict = {"run_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "quick": a.quick,
                 "machine": machine(), "load_average_start": load_average()}
    t0 = time.perf_counter()
    section = Sections(log, max_wait_s=0 if a.no_wait else 60)
    with tempfile.TemporaryDirectory(prefix="briefqa-bench-") as tmp:
        qa = None
        if not a.skip_latency:
            res["latency"], qa = run_latency(Path(tmp), a.quick, section)
        if not a.skip_add:
            n = a.add_briefings or (10 if a.quick else 50)
            res["incremental"] = section(f"add vs rebuild ({n} briefings)", incremental.add_vs_rebuild,
                                         Path(tmp) / "add", n, a.backend, log=log)
        if a.corpus_briefings:
            res["corpus_scale"] = section(f"corpus of {a.corpus_briefings} briefings", incremental.corpus_scale,
                                          Path(tmp) / "corpus", a.corpus_briefings, a.backend, log=log)
        if not a.skip_scale:
            qa = qa or open_qa(Path(tmp) / "index-onnx", "onnx")
            res["scale"] = run_scale(sizes, qa, a.quick, section)
    res["sections"] = section.record
    res["total_seconds"] = round(time.perf_counter() - t0, 1)
    res["load_average_end"] = load_average()
    out = Path(a.out)
    old = json.loads(out.read_text()) if out.exists() else {}
    merged = merge(old, res)
    out.write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n")
    if "scale" in merged:
        report.plot(merged, Path(a.plot))
    text = report.table(merged)
    print(text)
    out.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
    log(f"wrote {out}, {out.with_suffix('.txt')}" + (f" and {a.plot}" if "scale" in merged else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
