"""Adding briefings and corpus size: incremental add against full rebuild, and a many-briefing corpus.

`add_vs_rebuild`: a synthetic corpus of n briefings (bench/synth.py) is built in full; then a small and
a long briefing are added with `qa.library.add` (what `briefqa add` and the UI call, model already
loaded), the long one removed, and the resulting corpus rebuilt in full. An add should cost what its
own passages cost to embed, plus a part that grows with the corpus (BM25 rebuilt from every passage
text, artifacts hashed and checked); both are reported.

`corpus_scale`: n briefings in mixed layouts (text, HTML, DOCX) built by `briefqa build` in a child
process (its progress bar and ETA on stderr, its peak RSS measured), then the index's size, query
latency over it and one incremental add at that size.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import synth
from .measure import Dist, rss_mb

ROOT = Path(__file__).resolve().parent.parent
QUIET = {"progress": False}


def _settings(work: Path, backend: str | None):
    from qa.config import load_settings

    extra = {"embedding_backend": backend} if backend else {}
    return load_settings(corpus_dir=work / "corpus", index_dir=work / "index", **extra)


def _extras(work: Path) -> dict[str, Path]:
    """A short briefing (Foreign Ministry layout) and a long one (the seed's), not in any bench corpus."""
    out = {}
    for name, text in synth.briefings(len(synth.layouts()), seed=99, start=synth.dt.date(2030, 1, 1)):
        kind = "short" if "fm-regular" in name else "long" if "scio-cnipa" in name else None
        if kind:
            p = work / "new" / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8", newline="")
            out[kind] = p
    return out


def _step(idx, seconds: float, what: str) -> dict:
    m = idx.manifest
    r = m.get("reuse") or {}
    embed = m["build_seconds"]["embed"]
    return {"step": what, "seconds": round(seconds, 2), "embed_s": round(embed, 2),
            "other_s": round(seconds - embed, 2), "embedded_passages": r.get("embedded_passages"),
            "reused_passages": r.get("reused_passages"), "passages": m["counts"]["passages"],
            "briefings": m["counts"]["transcripts"]}


def add_vs_rebuild(work: Path, n: int = 50, backend: str | None = None, log=print) -> dict:
    from qa import index_store, library
    from qa.embedding import make_embedder

    s = _settings(work, backend)
    emb = make_embedder(s).warm_up()
    synth.write(s.corpus_dir, n, seed=7)
    extra = _extras(work)
    steps = []
    t0 = time.perf_counter()
    idx = index_store.build(s, emb, **QUIET)
    steps.append(_step(idx, time.perf_counter() - t0, f"full build, {n} briefings"))
    for kind in ("short", "long"):
        t0 = time.perf_counter()
        ch = library.add(s, emb, [extra[kind]], **QUIET)
        steps.append(_step(ch.index, time.perf_counter() - t0, f"add one {kind} briefing"))
    t0 = time.perf_counter()
    ch = library.remove(s, emb, ch.added[0].doc_ids[0], **QUIET)
    steps.append(_step(ch.index, time.perf_counter() - t0, "remove the long one"))
    t0 = time.perf_counter()
    idx = index_store.build(s, emb, **QUIET)
    steps.append(_step(idx, time.perf_counter() - t0, f"full rebuild, {n + 1} briefings"))
    for st in steps:
        log(f"    {st['step']:28} {st['seconds']:7.2f} s (embedding {st['embed_s']:.2f} s, other {st['other_s']:.2f} s), "
            f"{st['embedded_passages']} passages embedded, {st['reused_passages']} reused, {st['passages']} in all")
    full = steps[-1]["seconds"]
    return {"briefings": n, "backend": emb.name, "steps": steps,
            "add_short_over_rebuild": round(steps[1]["seconds"] / full, 3),
            "add_long_over_rebuild": round(steps[2]["seconds"] / full, 3)}


def _child_build(s, log) -> dict:
    """`briefqa build` in a child process, its progress bar on our stderr; wall time and its peak RSS."""
    rss_file = s.index_dir.parent / "build-rss.txt"
    code = ("import atexit, resource, sys\n"
            f"atexit.register(lambda: open({str(rss_file)!r}, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
            "from qa.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFQA_EMBEDDING_BACKEND": s.embedding_backend}
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, "build", "--corpus", str(s.corpus_dir), "--index", str(s.index_dir)],
                       env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"briefqa build exited {p.returncode}")
    return {"seconds": round(wall, 1), "peak_rss_mb": round(int(rss_file.read_text()) / 1024, 1)}


def corpus_scale(work: Path, n: int = 500, backend: str | None = None, questions: int = 40, log=print) -> dict:
    from qa import index_store, library
    from qa.embedding import make_embedder
    from qa.service import BriefingQA

    from .latency import load_questions

    s = _settings(work, backend)
    paths = synth.write(s.corpus_dir, n, seed=11)
    kinds = {}
    for p in paths:
        kinds[p.suffix] = kinds.get(p.suffix, 0) + 1
    log(f"    {n} synthetic briefings ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}); building")
    build = _child_build(s, log)
    emb = make_embedder(s).warm_up()
    r0 = rss_mb()
    idx = index_store.load(s, embedder_sha=emb.weights_sha256)
    gen = index_store.live_generation(s.index_dir)
    sizes = {f.name: f.stat().st_size for f in gen.iterdir() if f.is_file()}
    sizes["bm25/"] = sum(f.stat().st_size for f in (gen / "bm25").iterdir())
    qa = BriefingQA(s, emb, idx)
    qs = [q["question"] for q in load_questions()][:questions]
    for q in qs[:3]:
        qa.ask(q)
    ask, search = [], []
    for q in qs:
        t0 = time.perf_counter()
        qa.search(q)
        search.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        qa.ask(q)
        ask.append(time.perf_counter() - t0)
    serving_rss = rss_mb()
    extra = _extras(work)
    t0 = time.perf_counter()
    ch = library.add(s, emb, [extra["short"]], **QUIET)
    add = _step(ch.index, time.perf_counter() - t0, f"add one short briefing to {n}")
    m = idx.manifest
    out = {"briefings": n, "documents": m["counts"]["transcripts"], "files_by_type": kinds,
           "passages": m["counts"]["passages"], "sentences": m["counts"]["sentences"], "answers": m["counts"]["chunks"],
           "vector_index": m["vector_index"]["type"], "backend": emb.name,
           "build_s": build["seconds"], "build_embed_s": m["build_seconds"]["embed"],
           "build_peak_rss_mb": build["peak_rss_mb"], "index_bytes": sum(sizes.values()), "artifact_bytes": sizes,
           "serving_rss_mb": round(serving_rss, 1), "index_rss_delta_mb": round(serving_rss - r0, 1),
           "search_ms": Dist.of(search).as_dict(), "ask_ms": Dist.of(ask).as_dict(), "add": add,
           "warnings": len(m.get("warnings", []))}
    log(f"    built {out['passages']:,} passages from {out['documents']} briefings in {out['build_s']:.0f} s "
        f"(embedding {out['build_embed_s']:.0f} s), peak RSS {out['build_peak_rss_mb']:.0f} MiB; "
        f"index {out['index_bytes'] / 2**20:.1f} MiB; search p50 {out['search_ms']['p50']:.1f} ms, "
        f"ask p50 {out['ask_ms']['p50']:.1f} ms; serving RSS {out['serving_rss_mb']:.0f} MiB; "
        f"add one: {add['seconds']:.2f} s for {add['embedded_passages']} passages")
    return out


def table(res: dict) -> list[str]:
    """Lines for bench/results.txt."""
    lines = []
    inc = res.get("incremental")
    if inc:
        lines += ["", f"Adding briefings ({inc['backend']}; in-process, model loaded; s)",
                  f"{'step':30} {'total':>7} {'embed':>7} {'other':>7} {'embedded':>9} {'reused':>7} {'passages':>8}"]
        for st in inc["steps"]:
            lines.append(f"{st['step']:30} {st['seconds']:7.2f} {st['embed_s']:7.2f} {st['other_s']:7.2f} "
                         f"{st['embedded_passages']:9} {st['reused_passages']:7} {st['passages']:8}")
        lines.append(f"add / full rebuild: short {inc['add_short_over_rebuild']}, long {inc['add_long_over_rebuild']}")
    sc = res.get("corpus_scale")
    if sc:
        lines += ["", f"Corpus of {sc['briefings']} synthetic briefings ({sc['backend']})",
                  f"{sc['documents']} briefings, {sc['answers']:,} answers, {sc['passages']:,} passages, "
                  f"{sc['sentences']:,} sentences; files {json.dumps(sc['files_by_type'])}",
                  f"build {sc['build_s']:.0f} s (embedding {sc['build_embed_s']:.0f} s), peak RSS "
                  f"{sc['build_peak_rss_mb']:.0f} MiB; index {sc['index_bytes'] / 2**20:.1f} MiB ({sc['vector_index']})",
                  f"search p50 {sc['search_ms']['p50']:.1f} ms p95 {sc['search_ms']['p95']:.1f} ms; ask p50 "
                  f"{sc['ask_ms']['p50']:.1f} ms p95 {sc['ask_ms']['p95']:.1f} ms; serving RSS {sc['serving_rss_mb']:.0f} MiB",
                  f"add one short briefing: {sc['add']['seconds']:.2f} s ({sc['add']['embedded_passages']} passages "
                  f"embedded, {sc['add']['reused_passages']:,} reused; other {sc['add']['other_s']:.2f} s)"]
    return lines
