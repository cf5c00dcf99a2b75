"""Turns bench results into the printed table, the targets verdicts and the scale plot."""
from __future__ import annotations

from pathlib import Path


def _fmt(v, unit="") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}{unit}" if abs(v) < 100 else f"{v:,.0f}{unit}"
    return f"{v}{unit}"


def targets(res: dict) -> list[dict]:
    """The issue's three targets, each with the measured value and met/missed."""
    out = []
    warm = res.get("latency", {}).get("warm", {})
    for backend, w in warm.items():
        r = w.get("ask_p50_over_embed_p50")
        if r is not None:
            out.append({"target": f"warm ask p50 ≤ 3× query-embedding p50 ({backend})",
                        "value": f"{w['ask']['p50']:.1f} ms / {w['embed']['p50']:.1f} ms = {r}×", "met": r <= 3})
        for intent, d in (w.get("by_intent") or {}).items():
            out.append({"target": f"warm ask p50 ≤ 3× query-embedding p50 ({backend}, {intent} answers)",
                        "value": f"{d['p50']:.1f} ms / {w['embed']['p50']:.1f} ms = {d['p50_over_embed_p50']}× "
                                 f"(n={d['n']})", "met": d["p50_over_embed_p50"] <= 3})
    cold = res.get("latency", {}).get("cold", {})
    for backend in ("torch", "onnx"):
        c = cold.get(backend)
        if c:
            r = c["ratio_with_index_to_model_load"]
            out.append({"target": f"cold start with index ≤ 2× model load ({backend})",
                        "value": f"{c['with_index']['median_s']:.2f} s / {c['model_load']['median_s']:.2f} s = {r}×",
                        "met": r <= 2})
    st = res.get("latency", {}).get("startup", {})
    for backend in ("onnx", "torch"):
        r = st.get(backend)
        if not r:
            continue
        out.append({"target": f"cold `briefqa ask` ≤ 1.5× the floor ({backend})",
                    "value": f"{r['ask_s']:.2f} s vs {r['floor_s']:.2f} s: {r['ask_over_floor']}× "
                             f"(paired median; min/min {r['ask_over_floor_min']}×)",
                    "met": r["ask_over_floor"] <= 1.5})
        out.append({"target": f"UI server ready ≤ 1.5× the floor + import gradio ({backend})",
                    "value": f"{r['serve_ready_s']:.2f} s vs {r['floor_gradio_s']:.2f} s: {r['serve_over_floor_gradio']}× "
                             f"(paired median; min/min {r['serve_over_floor_gradio_min']}×)",
                    "met": r["serve_over_floor_gradio"] <= 1.5})
        rss = r["serve"].get("rss_serving_mb")
        if rss is not None:
            out.append({"target": f"serving RSS ≤ 400 MiB, goal ({backend})",
                        "value": f"{rss:.0f} MiB after {r['serve']['answers']} answers (peak {r['serve']['peak_rss_mb']:.0f}, "
                                 f"{r['serve']['rss_ready_mb']:.0f} when ready)", "met": rss <= 400})
    chosen = res.get("scale", {}).get("chosen", {}).get("1000000")
    if chosen:
        kind, r = min(chosen.items(), key=lambda kv: kv[1]["p50_ms_1t"])
        per_m = r["bytes"] / r["size"] * 1e6 / 2**20
        out.append({"target": "1M passages: search p50 ≤ 10 ms at recall@10 ≥ 0.95",
                    "value": f"{kind} {_params(r)}: p50 {r['p50_ms_1t']:.2f} ms, recall@10 {r['recall@10']:.3f}, "
                             f"{per_m:,.0f} MiB per million", "met": r["p50_ms_1t"] <= 10})
    return out


def _params(r: dict) -> str:
    keys = ("M", "efSearch", "nlist", "nprobe", "m")
    return " ".join(f"{k}={r[k]}" for k in keys if k in r)


def table(res: dict) -> str:
    """A plain-text summary of everything measured."""
    lines = []
    lat = res.get("latency")
    if lat:
        lines.append("Latency (eval questions, warm; ms)")
        lines.append(f"{'backend':8} {'what':8} {'p50':>8} {'p95':>8} {'p99':>8}")
        for backend, w in lat["warm"].items():
            for what in ("embed", "faiss", "bm25", "search", "ask"):
                d = w[what]
                lines.append(f"{backend:8} {what:8} {d['p50']:8.2f} {d['p95']:8.2f} {d['p99']:8.2f}")
            lines.append(f"{backend:8} ask p50 / embedding p50 = {w['ask_p50_over_embed_p50']}×")
        lines.append("")
        lines.append("Cold start (s, median)")
        for backend in ("torch", "onnx"):
            c = lat["cold"].get(backend)
            if c:
                lines.append(f"{backend:8} model load {c['model_load']['median_s']:.2f}  first answer with index "
                             f"{c['with_index']['median_s']:.2f}  without index {c['no_index']['median_s']:.2f}  "
                             f"serving peak RSS {_fmt(c.get('serving_peak_rss_mb'), ' MiB')}")
        if lat.get("query_policies"):
            lines.append("")
            lines.append("Query embedding by model threads and waiting policy (eval questions, fresh process; ms)")
            for r in lat["query_policies"]:
                lines.append(f"{r['backend']:8} threads={r['threads']} {r['policy']:24} p50 {r['p50_ms']:7.2f}  "
                             f"p95 {r['p95_ms']:7.2f}")
        st = lat.get("startup")
        if st:
            lines.append("")
            lines.append("Start-up against the floor (s, medians; ratios: median of paired runs, floor = a bare process "
                         "that loads the int8 model, embeds one query and exits)")
            for backend in ("onnx", "torch"):
                r = st.get(backend)
                if r:
                    lines.append(f"{backend:8} briefqa ask {r['ask_s']:.2f} / floor {r['floor_s']:.2f} = {r['ask_over_floor']}×  "
                                 f"serve ready {r['serve_ready_s']:.2f} / floor+gradio {r['floor_gradio_s']:.2f} = "
                                 f"{r['serve_over_floor_gradio']}×  "
                                 f"serve RSS ready {_fmt(r['serve'].get('rss_ready_mb'), ' MiB')}, after "
                                 f"{r['serve'].get('answers', 0)} answers {_fmt(r['serve'].get('rss_serving_mb'), ' MiB')} "
                                 f"(peak {_fmt(r['serve'].get('peak_rss_mb'), ' MiB')})")
        b = lat["build"]
        lines.append("")
        lines.append(f"Build throughput ({b['texts']} texts; passages/s)")
        for r in b["grid"]:
            lines.append(f"{r['backend']:8} threads={r['threads']} batch={r['batch_size']:<4} {r['passages_per_s']:8.1f}")
        ls = b["length_sorting"]
        lines.append(f"length-sorted {ls['sorted_passages_per_s']} vs corpus order {ls['unsorted_passages_per_s']} "
                     f"(padding ×{ls['padding_ratio_sorted']} vs ×{ls['padding_ratio_unsorted']})")
        lines.append("")
        lines.append("Retrieval metrics (answerable eval items, k=5)")
        for backend, m in lat["metrics"].items():
            for mode, v in m.items():
                lines.append(f"{backend:8} {mode:7} R@1 {v['recall@1']:.3f} R@3 {v['recall@3']:.3f} "
                             f"R@5 {v['recall@5']:.3f} MRR {v['mrr']:.3f}")
        p = lat["onnx_cosine"]
        lines.append(f"onnx vs torch cosine over {p['texts']} texts: min {p['min']} p01 {p['p01']} mean {p['mean']}")
        lines.append("")
        lines.append("Concurrent ask (questions/s; p50 ms)")
        for backend, by_threads in lat["concurrency"].items():
            for th, rows in by_threads.items():
                cells = "  ".join(f"{r['workers']}w {r['questions_per_s']}/s {r['p50_ms']:.0f}ms" for r in rows)
                lines.append(f"{backend:8} model threads={th}: {cells}")
    sc = res.get("scale")
    if sc:
        lines.append("")
        lines.append("Scale: fastest configuration per index reaching recall@10 ≥ 0.95 on clustered vectors")
        lines.append(f"{'size':>9} {'index':8} {'params':26} {'build s':>8} {'MiB':>7} {'p50 1t':>7} {'p95 1t':>7} "
                     f"{'p50 2t':>7} {'recall':>6} {'random':>6}")
        for size, kinds in sorted(sc.get("chosen", {}).items(), key=lambda kv: int(kv[0])):
            for kind, r in kinds.items():
                lines.append(f"{int(size):>9,} {kind:8} {_params(r):26} {r['build_s']:8.1f} {r['bytes'] / 2**20:7.0f} "
                             f"{r['p50_ms_1t']:7.2f} {r['p95_ms_1t']:7.2f} {r['p50_ms_2t']:7.2f} {r['recall@10']:6.3f} "
                             f"{_fmt(r.get('random_recall@10')):>6}")
        lines.append("")
        lines.append("BM25 (k=50)")
        for r in sc.get("bm25", []):
            lines.append(f"{r['size']:>9,} build {r['build_s']:.1f}s (tokenizing ≈{r['tokenize_s_est']:.1f}s) "
                         f"{r['matrix_bytes'] / 2**20:.0f} MiB  p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms")
    from .incremental import table as corpus_table

    lines += corpus_table(res)
    if res.get("sections"):
        lines.append("")
        lines.append("Sections: wall seconds, and cores other processes kept busy meanwhile (of 2)")
        for name, v in res["sections"].items():
            lines.append(f"  {name:36} {v['seconds']:7.1f} s  other {v['other_cores']:.2f}")
    t = targets(res)
    if t:
        lines.append("")
        lines.append("Targets")
        for x in t:
            lines.append(f"[{'met' if x['met'] else 'MISSED'}] {x['target']}: {x['value']}")
    return "\n".join(lines)


def plot(res: dict, path: Path) -> None:
    """Search p50 and memory against corpus size: exact, the chosen HNSW and IVF settings, and BM25."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sc = res["scale"]
    chosen = sc.get("chosen", {})
    flat = sorted((r for r in sc["faiss"] if r["index"] == "flat" and r["data"] == "clustered"), key=lambda r: r["size"])
    series = {"exact (IndexFlatIP)": [(r["size"], r["p50_ms_1t"], r["bytes"]) for r in flat]}
    for kind, label in (("hnsw", "HNSW"), ("ivf", "IVF-Flat"), ("ivf_sq8", "IVF-SQ8")):
        pts = [(int(s), k[kind]["p50_ms_1t"], k[kind]["bytes"]) for s, k in chosen.items() if kind in k]
        if pts:
            series[f"{label} (recall@10 ≥ 0.95)"] = sorted(pts)
    bm = sorted((r["size"], r["p50_ms"], r["matrix_bytes"]) for r in sc.get("bm25", []))
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, pts in series.items():
        xs, ys, ms = zip(*pts)
        a.plot(xs, ys, "o-", label=label)
        b.plot(xs, [m / 2**20 for m in ms], "o-", label=label)
    if bm:
        xs, ys, ms = zip(*bm)
        a.plot(xs, ys, "s--", label="BM25 (bm25s, k=50)")
        b.plot(xs, [m / 2**20 for m in ms], "s--", label="BM25 matrix")
    for ax, title, unit in ((a, "search p50, one query, 1 thread", "ms"), (b, "index memory", "MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("passages")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    a.legend(fontsize=8)
    fig.suptitle("Briefing QA at scale (d=384, 2 cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
