"""Load test: concurrent API clients ask the eval questions; every answer must equal the single-user one.

Usage:
  python -m bench.load --index index/                  # starts `briefqa serve` on a free loopback port
  python -m bench.load --url http://127.0.0.1:7860 --clients 20 --duration 60 --max-requests 5000
  BRIEFQA_AUTH=user:password python -m bench.load --url http://127.0.0.1:7860
Prints p50/p95 latency, throughput, errors and answers that differ from the single-user answer
(asked one at a time first); exits 1 when there is any error or difference. Loopback only.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "questions.jsonl"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    history: tuple[str, ...] = ()


@dataclass
class LoadReport:
    clients: int
    requests: int
    wall_s: float
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    per_client: list[int] = field(default_factory=list)
    load_average: float | None = None

    def summary(self) -> str:
        return (f"{self.requests} requests from {self.clients} clients in {self.wall_s:.1f}s: "
                f"p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, max {self.max_ms:.0f} ms, "
                f"{self.throughput_rps:.2f} answers/s; {len(self.errors)} errors, "
                f"{len(self.mismatches)} answers differing from the single-user answer"
                + (f" (1-min load average {self.load_average:.1f} on {os.cpu_count()} cores)"
                   if self.load_average is not None else ""))


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Question(d.get("id", str(len(out))), d["question"], tuple(d.get("history") or ())))
    return out


def fingerprint(result: dict) -> tuple:
    """What two answers to one question must share: text, abstention and every citation's span."""
    return (result["answer"], result["abstained"],
            tuple((c["n"], c["chunk_id"], c["start"], c["end"], c["quote"]) for c in result["citations"]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, corpus: Path | None = None, port: int | None = None, env: dict | None = None,
                 log: Path | None = None, timeout: float = 400) -> tuple[subprocess.Popen, str]:
    """Start `briefqa serve` on 127.0.0.1 and wait until it answers HTTP: (process, base url)."""
    import httpx

    port = port or free_port()
    cmd = [str(Path(sys.executable).with_name("briefqa")), "serve", "--host", "127.0.0.1", "--port", str(port),
           "--index", str(index)] + (["--corpus", str(corpus)] if corpus else [])
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"briefqa serve exited with {proc.returncode}" + (f"; see {log}" if log else ""))
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError(f"briefqa serve not ready after {timeout:.0f}s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _client(url: str, auth: tuple[str, str] | None):
    from gradio_client import Client

    return Client(url, auth=auth, verbose=False)


def ask(client, q: Question) -> dict:
    return client.predict(q.question, json.dumps(list(q.history)), 0, "", "", api_name="/ask")


def single_user(url: str, questions: list[Question], auth: tuple[str, str] | None = None) -> dict[str, tuple]:
    """{question id: fingerprint} with one client asking one question at a time."""
    c = _client(url, auth)
    return {q.id: fingerprint(ask(c, q)) for q in questions}


def run_load(url: str, questions: list[Question], expected: dict[str, tuple] | None = None, clients: int = 20,
             duration: float = 60, max_requests: int = 5000, auth: tuple[str, str] | None = None,
             log=None) -> LoadReport:
    """`clients` threads, each its own API client, ask the questions round-robin until `duration`
    seconds or `max_requests` answers; each answer is compared with `expected` when given."""
    ticket = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    mismatches: list[str] = []
    done = [0] * clients
    conns = [_client(url, auth) for _ in range(clients)]  # connect before the clock starts
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(i: int) -> None:
        start.wait()
        while time.monotonic() < deadline[0]:
            n = next(ticket)
            if n >= max_requests:
                return
            q = questions[n % len(questions)]
            t0 = time.perf_counter()
            try:
                got = fingerprint(ask(conns[i], q))
            except Exception as e:  # every failure counts, whatever its type
                with lock:
                    errors.append(f"{q.id}: {type(e).__name__}: {str(e)[:200]}")
                continue
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                done[i] += 1
                if expected is not None and got != expected.get(q.id):
                    mismatches.append(f"{q.id}: {got[0][:80]!r} != {str(expected.get(q.id, ('?',))[0])[:80]!r}")

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    deadline[0] = t0 + duration
    start.wait()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    lat = [x * 1000 for x in latencies]
    p50, p95, top = np.percentile(lat, [50, 95, 100]) if lat else (float("nan"),) * 3
    report = LoadReport(clients, len(lat), wall, len(lat) / wall if wall else 0.0, float(p50), float(p95),
                        float(top), errors, mismatches, done,
                        os.getloadavg()[0] if hasattr(os, "getloadavg") else None)
    if log:
        log(report.summary())
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running server, e.g. http://127.0.0.1:7860")
    where.add_argument("--index", type=Path, help="start `briefqa serve` on this index (loopback, free port)")
    p.add_argument("--corpus", type=Path, help="corpus for the started server (default corpus/)")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    p.add_argument("--max-requests", type=int, default=5000, help="stop after this many answers")
    p.add_argument("--questions", type=Path, default=QUESTIONS)
    p.add_argument("--no-compare", action="store_true", help="skip the single-user pass and the comparison")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args(argv)
    raw = os.environ.get("BRIEFQA_AUTH", "")
    auth = tuple(raw.split(":", 1)) if ":" in raw else None

    proc = None
    if args.index:
        proc, url = start_server(args.index, args.corpus)
        print(f"started briefqa serve at {url}", file=sys.stderr)
    else:
        url = args.url
    try:
        qs = load_questions(args.questions)
        expected = None
        if not args.no_compare:
            t0 = time.perf_counter()
            expected = single_user(url, qs, auth)
            print(f"single-user pass: {len(qs)} questions in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        r = run_load(url, qs, expected, args.clients, args.duration, args.max_requests, auth)
    finally:
        if proc:
            stop_server(proc)
    if args.json:
        print(json.dumps(asdict(r), ensure_ascii=False))
    else:
        print(r.summary())
        for line in (r.errors + r.mismatches)[:20]:
            print(f"  {line}")
    return 1 if r.errors or r.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
