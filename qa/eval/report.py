"""Rendering of evaluation results: report.md, report.json, results.jsonl, modes.png and terminal tables."""
from __future__ import annotations

import json
from pathlib import Path

from .metrics import RANK_METRICS

RANK_LABELS = {"recall@1": "R@1", "recall@3": "R@3", "recall@5": "R@5", "mrr": "MRR", "ndcg@5": "nDCG@5",
               "evidence@1": "Evid@1"}


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def write_outputs(report: dict, out: Path) -> None:
    """report.json (without per-question detail), results.jsonl, report.md and modes.png in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "report.json", {k: v for k, v in report.items() if k != "questions"})
    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        for q in report["questions"]:
            f.write(json.dumps(q, ensure_ascii=False, default=str) + "\n")
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    write_chart(report, out / "modes.png")


def _f(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _table(header: list[str], rows: list[list]) -> str:
    align = "|".join("---" if i == 0 else "---:" for i in range(len(header)))
    lines = ["| " + " | ".join(header) + " |", f"|{align}|"]
    lines += ["| " + " | ".join(_f(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def retrieval_rows(report: dict) -> tuple[list[str], list[list]]:
    cols = list(RANK_METRICS) + ["evidence@1"]
    rows = [[mode] + [d.get(c) for c in cols] + [d["n"]] for mode, d in report["retrieval"].items()]
    return ["mode"] + [RANK_LABELS[c] for c in cols] + ["n"], rows


def render_markdown(report: dict) -> str:
    m, r = report["meta"], report
    a, c, ab, lat = r["answers"], r["citations"], r["abstention"], r["latency"]
    modes = list(r["retrieval"])
    out = [f"# Briefing QA evaluation — {m['date']}", "",
           f"{m['n']} questions from `{m['questions']}` ({m['answerable']} answerable, {m['unanswerable']} "
           f"unanswerable, {m['follow_ups']} follow-ups). Answers: {m['answer_mode']} over {m['retrieval_mode']} "
           f"retrieval, abstain threshold {m['settings']['abstain_threshold']}. Model {m['model']}; index "
           f"{m['index'].get('chunks')} answers, {m['index'].get('passages')} passages (window "
           f"{m['settings']['window_sentences']}, stride {m['settings']['window_stride']}). "
           f"Run time {lat['total_s']:.1f} s.", "",
           "## Retrieval (answerable questions)", "",
           f"An answer is relevant when its text contains a gold substring; Evid@1 = the top answer's best "
           f"matched passage overlaps the gold text. `{m['baseline']}` embeds each whole answer (truncated at "
           f"the model's 256 word pieces) and ranks by cosine. MRR is cut at {m['retrieve_k']}.", "",
           _table(*retrieval_rows(r)), ""]
    for metric in ("recall@1", "mrr"):
        groups = list(next(iter(r["retrieval_by_kind"].values())))
        rows = [[g, r["retrieval_by_kind"][modes[0]][g]["n"]] + [r["retrieval_by_kind"][md][g][metric] for md in modes]
                for g in groups]
        out += [f"### {RANK_LABELS[metric]} by kind", "", _table(["kind", "n"] + modes, rows), ""]
    out += ["## Answers (answerable questions)", "",
            "Fact recall = share of the item's facts present in the answer text; exact = all present. "
            "An abstention counts as no facts in the overall columns; *answered* columns cover only answers "
            "that did not abstain. Attribution = the gold speaker is among the cited speakers; cites gold = "
            "a citation's span overlaps the gold text.", "",
            _table(["", "n", "answered", "fact recall", "exact", "fact recall (answered)", "exact (answered)",
                    "words (mean)", "words (median)", "attribution", "cites gold"],
                   [["all", a["n"], a["answered"], a["fact_recall"], a["fact_accuracy"], a["fact_recall_answered"],
                     a["fact_accuracy_answered"], a["words_mean"], a["words_median"], a["attribution"],
                     a["cites_gold"]]]), "",
            "### By kind", "",
            _table(["kind", "n", "answered", "fact recall", "exact", "exact (answered)", "words (mean)"],
                   [[g, d["n"], d["answered"], d["fact_recall"], d["fact_accuracy"], d["fact_accuracy_answered"],
                     d["words_mean"]] for g, d in r["answers_by_kind"].items()]), "",
            "## Citations (every claim shown, all questions)", "",
            f"Support is decided by qa/grounding.py — {m['support_rule']}. Citation recall: the claim is supported "
            "by its cited answers read whole (ALCE). Groundedness: the claim is verbatim in or supported by the "
            "quoted passage the reader sees. Citation precision: each (claim, citation) pair whose quote alone "
            "supports the claim or contains a gold substring.", "",
            _table(["claims", "citations", "precision", "recall", "groundedness", "verbatim", "supported",
                    "uncited"],
                   [[c["claims"], c["citations"], c["precision"], c["recall"], c["groundedness"], c["verbatim"],
                     c["supported"], c["uncited"]]]), "",
            "## Abstention", "",
            "Positive = abstaining (`abstained=True`, including near-miss answers that say what the briefing "
            "gives instead) on an unanswerable question. By kind, that kind's unanswerable questions are the "
            "positives and all answerable questions the negatives.", "",
            _table(["", "n", "precision", "recall", "F1"],
                   [["all unanswerable", ab["n_unanswerable"], ab["precision"], ab["recall"], ab["f1"]]]
                   + [[k, d["n"], d["precision"], d["recall"], d["f1"]] for k, d in ab["by_kind"].items()]), "",
            f"False-abstention rate on answerable questions: **{_f(ab['false_abstention_rate'])}** "
            f"({ab['fp']} of {ab['n_answerable']}). Reasons on unanswerable: {ab['reasons']['unanswerable']}; "
            f"on answerable: {ab['reasons']['answerable'] or 'none'}.", "",
            "## Latency", "",
            _table(["p50 ms", "p95 ms", "mean ms", "max ms", "run total s"],
                   [[lat["p50_ms"], lat["p95_ms"], lat["mean_ms"], lat["max_ms"], lat["total_s"]]]), "",
            "Per question: `BriefingQA.ask` wall-clock (condense, embed, retrieve, answer).", "",
            ]
    out += _split_sections(r)
    out += ["## Worst 10 questions", ""]
    for w in r["worst"]:
        out.append(f"- **{w['id']}** ({w['kind']}) {w['question']}")
        out += [f"  - {p}" for p in w["problems"]]
        said = next((ln for ln in w["answer"].splitlines() if ln.strip() and not ln.rstrip().endswith(":")), "")
        if said:
            out.append(f"  - answer: {said[:160]}{'…' if len(said) > 160 else ''}")
    out += ["", "Every question's retrieved answers, answer, citations and verdicts: `results.jsonl`. "
            "The chart: `modes.png`.", ""]
    return "\n".join(out)


def write_chart(report: dict, path: Path) -> None:
    """Grouped bars: retrieval metrics per mode, plus the answer-whole baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(report["retrieval"])
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        vals = [report["retrieval"][mode][k] or 0 for k in RANK_METRICS]
        bars = ax.bar([x + i * width for x in range(len(RANK_METRICS))], vals, width, label=mode)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(RANK_METRICS))],
                  [RANK_LABELS[k] for k in RANK_METRICS])
    ax.set_ylim(0, 1.2)  # headroom for the legend above the bars
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("score")
    ax.set_title(f"Retrieval by mode ({report['meta']['answerable']} answerable questions)")
    ax.legend(loc="upper center", ncols=len(modes), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _split_sections(r: dict) -> list[str]:
    """Dev and test side by side (tuning reads dev only; test is what the README quotes), per kind, and the
    question understanding (intent accuracy by labelled intent, absent terms named, follow-ups)."""
    splits = {k: v for k, v in (r.get("splits") or {}).items() if v.get("n")}
    if not splits:
        return []
    names = list(splits)
    rows = []
    for label, get in (("n", lambda d: d["n"]),
                       ("fact recall", lambda d: d["answers"]["fact_recall"]),
                       ("exact fact accuracy", lambda d: d["answers"]["fact_accuracy"]),
                       ("abstention F1", lambda d: d["abstention"]["f1"]),
                       ("false abstention", lambda d: d["abstention"]["false_abstention_rate"]),
                       ("intent accuracy", lambda d: d["understanding"]["intent_accuracy"]),
                       ("follow-ups no worse than alone", lambda d: d["understanding"]["follow_up_no_worse"]),
                       ("citation precision", lambda d: d["citations"]["precision"]),
                       ("citation groundedness", lambda d: d["citations"]["groundedness"]),
                       ("latency p50 ms", lambda d: d["latency"]["p50_ms"])):
        rows.append([label] + [get(splits[n]) for n in names])
    kinds = list(dict.fromkeys(k for n in names for k in splits[n]["answers_by_kind"]))
    by_kind = [[k] + [f"{_f(splits[n]['answers_by_kind'][k]['fact_recall'])} ({splits[n]['answers_by_kind'][k]['n']})"
                      if k in splits[n]["answers_by_kind"] else "–" for n in names] for k in kinds]
    u = r.get("understanding") or {}
    intents = [[i, d["n"], d["accuracy"]] for i, d in (u.get("by_intent") or {}).items()]
    return ["## Dev and test splits", "",
            "Items are split by the answer their gold sits in (qa/eval/gold.py, split_of): thresholds and weights "
            "are tuned on dev; test is the number to quote.", "",
            _table([""] + names, rows), "",
            "### Fact recall by kind (n)", "", _table(["kind"] + names, by_kind), "",
            "## Question understanding (all items)", "",
            _table(["intent (gold label)", "n", "accuracy"], intents), "",
            f"\"Never mentions X\" names the missing term: {_f(u.get('absent_named'))} ({u.get('absent_n', 0)} "
            f"items). Follow-ups answered at least as well with history as alone: "
            f"{_f(u.get('follow_up_no_worse'))} ({u.get('follow_up_n', 0)} items).", ""]


def terminal_table(report: dict) -> str:
    """The compact summary `briefqa eval` prints."""
    hdr, rows = retrieval_rows(report)
    lines = [f"{'retrieval':12}" + "".join(f"{h:>8}" for h in hdr[1:])]
    lines += [f"{r[0]:12}" + "".join(f"{_f(v):>8}" for v in r[1:]) for r in rows]
    a, c, ab, lat = report["answers"], report["citations"], report["abstention"], report["latency"]
    m = report["meta"]
    lines += [
        f"answers ({m['answer_mode']}, {m['retrieval_mode']}): fact recall {_f(a['fact_recall'])} "
        f"(answered {_f(a['fact_recall_answered'])}), exact {_f(a['fact_accuracy'])} "
        f"(answered {_f(a['fact_accuracy_answered'])}), words {_f(a['words_mean'])}, "
        f"attribution {_f(a['attribution'])}",
        f"citations: precision {_f(c['precision'])}, recall {_f(c['recall'])}, groundedness "
        f"{_f(c['groundedness'])} ({c['claims']} claims)",
        f"abstention: P {_f(ab['precision'])} R {_f(ab['recall'])} F1 {_f(ab['f1'])}; false abstention "
        f"{_f(ab['false_abstention_rate'])}; " + ", ".join(
            f"{k} R {_f(d['recall'])}" for k, d in ab["by_kind"].items()),
        f"latency: p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms; run {lat['total_s']:.1f} s",
    ]
    for name, d in (report.get("splits") or {}).items():
        if d.get("n"):
            lines.append(f"{name} ({d['n']}): fact recall {_f(d['answers']['fact_recall'])}, abstention F1 "
                         f"{_f(d['abstention']['f1'])}, false abstention "
                         f"{_f(d['abstention']['false_abstention_rate'])}, intent "
                         f"{_f(d['understanding']['intent_accuracy'])}")
    return "\n".join(lines)


def calibration_table(cal: dict) -> str:
    rows = cal["rows"]
    extra = [k for k in rows[0] if k.endswith("_recall")]
    extra = [k for k in extra if k != "fact_recall"]
    hdr = ["value", "P", "R", "F1", "false abst."] + [k.replace("_recall", " R") for k in extra] + ["fact recall"]
    lines = ["".join(f"{h:>13}" for h in hdr)]
    for r in rows:
        cells = [r["threshold"], r["precision"], r["recall"], r["f1"], r["false_abstention_rate"]] + \
                [r[k] for k in extra] + [r["fact_recall"]]
        mark = "  <- current" if abs(r["threshold"] - cal["current"]) < 1e-9 else ""
        lines.append("".join(f"{_f(v):>13}" for v in cells) + mark)
    lines.append(f"{cal['field']} on the {cal['split']} split ({cal['n']} items): best F1 at "
                 f"{cal['best_f1_threshold']} (current {cal['current']})")
    return "\n".join(lines)


def design_table(rows: list[dict]) -> str:
    keys = list(rows[0]["retrieval"]) if rows else []
    lines = [f"{'design':34}{'passages':>9}  {'mode/grouping':16}" + "".join(f"{RANK_LABELS[k]:>8}" for k in
                                                                             list(RANK_METRICS) + ["evidence@1"])]
    for r in rows:
        for k in keys:
            d = r["retrieval"][k]
            lines.append(f"{r['variant']:34}{r['passages']:>9}  {k:16}" +
                         "".join(f"{_f(d[m]):>8}" for m in list(RANK_METRICS) + ["evidence@1"]))
    return "\n".join(lines)
