"""Cold start: a fresh process from start to its first answer, with and without a built index, per backend.

The parent notes the wall-clock time just before it starts a child; the child prints the wall-clock time
when its work is done, so the difference covers interpreter start, imports, model and index load, and
the first answer. `python -m bench.cold load|ask ...` is the child.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .measure import load_average

ROOT = Path(__file__).resolve().parent.parent
CHILD_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFQA_")}
    env.update(CHILD_ENV)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run_child(args: list[str], timeout: float = 900, env: dict | None = None) -> dict:
    """Start `python -m bench.cold ARGS`; return its JSON report plus `seconds` from start to its 'done'."""
    t0 = time.time()
    p = subprocess.run([sys.executable, "-m", "bench.cold", *args], cwd=ROOT, env={**_env(), **(env or {})},
                       capture_output=True, text=True, timeout=timeout)
    wall = time.time() - t0
    if p.returncode != 0:
        raise RuntimeError(f"bench.cold {' '.join(args)} exited {p.returncode}: {p.stderr[-2000:]}")
    report = json.loads(p.stdout.strip().splitlines()[-1])
    report["seconds"] = round(report.pop("done_at") - t0, 3)
    report["exit_seconds"] = round(wall, 3)
    return report


def cli_ask_seconds(index_dir: Path, question: str, timeout: float = 900) -> float:
    """Wall time of `briefqa ask QUESTION --index DIR --json` from process start to exit."""
    exe = Path(sys.executable).with_name("briefqa")
    t0 = time.perf_counter()
    p = subprocess.run([str(exe), "ask", question, "--index", str(index_dir), "--json"], cwd=ROOT, env=_env(),
                       capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"briefqa ask exited {p.returncode}: {p.stderr[-2000:]}")
    json.loads(p.stdout)  # an answer came back
    return wall


def _summary(runs: list[dict], key: str = "seconds") -> dict:
    xs = [r[key] for r in runs]
    return {"median_s": round(statistics.median(xs), 3), "min_s": round(min(xs), 3),
            "runs_s": [round(x, 3) for x in xs], "child": runs[-1]}


def run(workdir: Path, question: str, repeats: int = 2, build_repeats: int = 1, backends=("torch", "onnx"),
        serve_questions: Path | None = None, log=print) -> dict:
    """Cold-start numbers per backend; leaves built indexes in workdir/index-<backend> for the warm runs.

    The last run with an index then asks every question in `serve_questions` and reports its peak RSS:
    the memory a serving process needs.
    """
    out: dict = {"load_average_before": load_average()}
    for backend in backends:
        idx = workdir / f"index-{backend}"
        res: dict = {}
        # Without an index: the first run builds (and leaves the index the later runs load).
        builds = []
        for i in range(build_repeats):
            folder = idx if i == 0 else workdir / f"index-{backend}-cold{i}"
            builds.append(_run_child(["ask", "--backend", backend, "--index", str(folder), "--question", question]))
            log(f"  cold {backend} without index: {builds[-1]['seconds']:.1f}s (build included)")
        res["no_index"] = _summary(builds)
        loads, asks = [], []
        for i in range(repeats):
            loads.append(_run_child(["load", "--backend", backend]))
            serve = ["--serve", str(serve_questions)] if i == repeats - 1 and serve_questions else []
            asks.append(_run_child(["ask", "--backend", backend, "--index", str(idx), "--question", question, *serve]))
        res["model_load"] = _summary(loads)
        res["with_index"] = _summary(asks)
        res["serving_peak_rss_mb"] = asks[-1].get("peak_rss_mb")
        res["model_load_in_process_s"] = round(statistics.median(r["load_seconds"] for r in loads), 3)
        if backend == "torch":
            # The real command line, to show the child is representative (it exits after printing).
            cli = [cli_ask_seconds(idx, question)]
            res["briefqa_ask_cli"] = {"median_s": round(statistics.median(cli), 3), "runs_s": [round(x, 3) for x in cli]}
        res["ratio_with_index_to_model_load"] = round(res["with_index"]["median_s"] / res["model_load"]["median_s"], 2)
        log(f"  cold {backend}: model load {res['model_load']['median_s']:.2f}s, first answer with index "
            f"{res['with_index']['median_s']:.2f}s ({res['ratio_with_index_to_model_load']}x)")
        out[backend] = res
    out["load_average_after"] = load_average()
    return out


# Thread-pool waiting policies, each in a fresh process (OMP_WAIT_POLICY is read when torch loads libgomp).
QUERY_VARIANTS = (
    ("torch", 2, {}), ("torch", 2, {"OMP_WAIT_POLICY": "PASSIVE"}), ("torch", 1, {}),
    ("onnx", 2, {"spinning": "1"}), ("onnx", 2, {"spinning": "0"}), ("onnx", 1, {}),
)


def query_latency(questions: Path, log=print) -> list[dict]:
    """Bare query-embedding latency over the eval questions per backend, threads and waiting policy."""
    rows = []
    for backend, threads, opt in QUERY_VARIANTS:
        env = {k: v for k, v in opt.items() if k.isupper()}
        args = ["query", "--backend", backend, "--threads", str(threads), "--questions", str(questions)]
        if "spinning" in opt:
            args += ["--spinning", opt["spinning"]]
        r = _run_child(args, env=env)
        row = {"backend": backend, "threads": threads, "policy": " ".join(f"{k}={v}" for k, v in opt.items()) or "default",
               "p50_ms": r["p50_ms"], "p95_ms": r["p95_ms"]}
        rows.append(row)
        log(f"  query {backend} threads={threads} {row['policy']}: p50 {row['p50_ms']:.1f} ms p95 {row['p95_ms']:.1f} ms")
    return rows


def _child(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.cold")
    ap.add_argument("what", choices=["load", "ask", "query"])
    ap.add_argument("--backend", default="torch")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--spinning", choices=["0", "1"], help="onnxruntime pool threads spin while idle")
    ap.add_argument("--questions", metavar="JSONL")
    ap.add_argument("--index")
    ap.add_argument("--question")
    ap.add_argument("--serve", metavar="JSONL", help="after the first answer, ask every question in this file")
    a = ap.parse_args(argv)
    from qa.config import load_settings
    from qa.onnx_embed import make_embedder

    kw = {"index_dir": a.index} if a.index else {}
    if a.threads:
        kw["torch_threads"] = a.threads
    settings = load_settings(embedding_backend=a.backend, **kw)
    emb = make_embedder(settings)
    if a.spinning:
        emb.spinning = a.spinning == "1"
    report: dict = {}
    if a.what == "load":
        emb.warm_up()
    elif a.what == "query":
        from .measure import Dist

        qs = [json.loads(x)["question"] for x in Path(a.questions).read_text(encoding="utf-8").splitlines() if x.strip()]
        for q in qs[:3]:
            emb.encode_queries([q])
        ts = []
        for q in qs:
            t0 = time.perf_counter()
            emb.encode_queries([q])
            ts.append(time.perf_counter() - t0)
        d = Dist.of(ts)
        report.update(p50_ms=d.p50, p95_ms=d.p95)
    else:
        from qa.index_store import load_or_build
        from qa.service import BriefingQA

        t0 = time.perf_counter()
        index = load_or_build(settings, emb, log=lambda *m: None, progress=False)
        emb.warm_up()
        qa = BriefingQA(settings, emb, index)
        t1 = time.perf_counter()
        ans = qa.ask(a.question)
        report.update(open_s=round(t1 - t0, 3), ask_s=round(time.perf_counter() - t1, 3),
                      abstained=ans.abstained, passages=len(index.passages))
    report["done_at"] = time.time()
    if a.serve:
        from .measure import peak_rss_mb, rss_mb

        report["rss_after_first_answer_mb"] = round(rss_mb(), 1)
        for line in Path(a.serve).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                qa.ask(item["question"], item.get("history") or [])
        report["rss_serving_mb"] = round(rss_mb(), 1)
        report["peak_rss_mb"] = round(peak_rss_mb(), 1)
    report["load_seconds"] = round(emb.load_seconds, 3)
    print(json.dumps(report))


if __name__ == "__main__":
    _child(sys.argv[1:])
