"""`briefqa eval` as a function of plain values: run, write the report, print the summary, check the gate."""
from __future__ import annotations

import sys
from pathlib import Path

from ..config import ROOT, Settings
from ..service import BriefingQA
from . import calibration
from .gate import THRESHOLDS, check_thresholds, load_thresholds
from .gold import QUESTIONS, display_path
from .report import calibration_table, design_table, terminal_table, write_json
from .runner import run_eval
from .scoring import EVAL_MODES

OUT = ROOT / "eval" / "report"


def run_command(settings: Settings, *, questions=None, modes=None, answer_mode: str | None = None, out=None,
                check: bool = False, calibrate: bool = False, design: bool = False, thresholds=None) -> int:
    """Score the gold set `questions` (default eval/questions.jsonl), write the report to `out` (default
    eval/report/) and print its summary; the exit status.

    `modes`: retrieval modes to compare (default all three); `answer_mode` defaults to the settings'.
    `check`: return 1 when a metric breaks its bound in `thresholds` (default eval/thresholds.json).
    `calibrate` runs the abstention threshold sweep instead, `design` the passage-design comparison.

    >>> run_command(load_settings(), out="/tmp/report", check=True)   # doctest: +SKIP
    """
    def log(m):
        print(m, file=sys.stderr)

    questions = Path(questions) if questions else QUESTIONS
    out = Path(out) if out else OUT
    modes = modes or EVAL_MODES
    qa = BriefingQA.open(settings, progress=False)
    if calibrate:
        cal = calibration.calibrate(settings, qa, questions)
        write_json(out / "calibration.json", cal)
        print(calibration_table(cal))
        return 0
    if design:
        rows = calibration.compare_designs(settings, qa.embedder, questions_path=questions, modes=modes, log=log)
        write_json(out / "designs.json", rows)
        print(design_table(rows))
        return 0
    report = run_eval(settings, qa, questions, modes=modes, answer_mode=answer_mode or settings.answer_mode,
                      out=out, log=log)
    print(terminal_table(report))
    print(f"report: {out / 'report.md'}")
    if not check:
        return 0
    thresholds = Path(thresholds) if thresholds else THRESHOLDS
    failures, unmeasured = check_thresholds(report["metrics"], load_thresholds(thresholds))
    for k in unmeasured:
        print(f"not measured in this run (skipped): {k}")
    for f in failures:
        print(f"FAIL {f}")
    print(f"check: {'failed' if failures else 'passed'} against {display_path(thresholds)}")
    return 1 if failures else 0
