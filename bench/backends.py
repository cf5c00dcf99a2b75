"""torch vs onnx on the gold set, per split: retrieval, fact recall, abstention, citations, and the CI gate.

Usage:
  python -m bench.backends --out DIR            # `briefqa eval` once per backend (index DIR/index-<b>, report
                                                # DIR/eval-<b>), then the table; about 3 minutes per backend
  python -m bench.backends --out DIR --no-run   # the table from reports already in DIR
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from .cold import ROOT, _env

BACKENDS = ("torch", "onnx")
MODES = ("bm25", "dense", "hybrid")


def run_eval(backend: str, out: Path, extra: dict | None = None) -> Path:
    """`briefqa eval` with BRIEFQA_EMBEDDING_BACKEND=backend in a fresh process; the report folder."""
    report = out / f"eval-{backend}"
    env = {**_env(), "BRIEFQA_EMBEDDING_BACKEND": backend, **(extra or {})}
    p = subprocess.run([sys.executable, "-m", "qa.cli", "eval", "--index", str(out / f"index-{backend}"),
                        "--out", str(report)], cwd=ROOT, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"eval ({backend}) exited {p.returncode}: {p.stderr[-2000:]}")
    return report


def split_retrieval(results: list[dict]) -> dict:
    """{split: {mode: ranking summary}} from results.jsonl rows (the report has retrieval only overall)."""
    from qa.eval.metrics import ranking_summary

    out: dict = {}
    for split in ("dev", "test", "all"):
        # As qa.eval.summaries.summarize_retrieval: only items whose gold sits in an answer can be retrieved.
        rows = [r for r in results if r["answerable"] and r["n_relevant"] > 0 and split in ("all", r["split"])]
        out[split] = {m: ranking_summary([([h["relevant"] for h in r["retrieved"][m]], r["n_relevant"])
                                            for r in rows]) for m in MODES}
    return out


def summary(report_dir: Path) -> dict:
    rep = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    results = [json.loads(x) for x in (report_dir / "results.jsonl").read_text(encoding="utf-8").splitlines() if x]
    ret = split_retrieval(results)
    out = {}
    for split in ("dev", "test"):
        sp = rep["splits"][split]
        out[split] = {"retrieval": ret[split], "fact_recall": sp["answers"]["fact_recall"],
                      "fact_accuracy": sp["answers"]["fact_accuracy"], "abstention_f1": sp["abstention"]["f1"],
                      "false_abstention": sp["abstention"]["false_abstention_rate"],
                      "citation_precision": sp["citations"]["precision"], "n": sp["n"]}
    out["metrics"] = rep["metrics"]
    return out


def table(s: dict) -> str:
    """A markdown table: one row per metric and split, one column per backend."""
    names = [b for b in BACKENDS if b in s]
    lines = [f"| split | metric | {' | '.join(names)} |", "|---|---|" + "---|" * len(names)]
    for split in ("dev", "test"):
        rows = []
        for mode in ("hybrid", "dense"):
            for k in ("recall@1", "recall@3", "mrr"):
                rows.append((f"{mode} {k.replace('recall', 'R')}", [s[b][split]["retrieval"][mode][k] for b in names]))
        for k, label in (("fact_recall", "fact recall"), ("fact_accuracy", "fact accuracy"),
                         ("abstention_f1", "abstention F1"), ("false_abstention", "false abstention"),
                         ("citation_precision", "citation precision")):
            rows.append((label, [s[b][split][k] for b in names]))
        n = s[names[0]][split]["n"]
        for label, vals in rows:
            lines.append(f"| {split} ({n}) | {label} | " + " | ".join(f"{v:.3f}" for v in vals) + " |")
    return "\n".join(lines)


def gate(s: dict) -> dict:
    """Per backend: gated metrics below (or above) their bound in eval/thresholds.json."""
    from qa.eval.gate import check_thresholds, load_thresholds

    return {b: check_thresholds(s[b]["metrics"], load_thresholds())[0] for b in s}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder for the indexes and eval reports")
    ap.add_argument("--no-run", action="store_true", help="only tabulate reports already in --out")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    s = {}
    for b in BACKENDS:
        if not a.no_run:
            print(f"eval with {b}…", file=sys.stderr, flush=True)
            run_eval(b, out)
        if (out / f"eval-{b}" / "report.json").exists():
            s[b] = summary(out / f"eval-{b}")
    print(table(s))
    for b, fails in gate(s).items():
        print(f"gate ({b}): " + ("every metric within eval/thresholds.json" if not fails else "; ".join(fails)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
