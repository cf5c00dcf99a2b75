"""The offline evaluation behind `briefqa eval`: gold set, runner, metrics, calibration, gate and report.

>>> from qa.eval import run_eval
>>> report = run_eval(settings, BriefingQA.open(settings), out="eval/report")   # doctest: +SKIP
"""
from .calibration import calibrate, compare_designs
from .command import run_command
from .gate import check_thresholds, load_thresholds
from .gold import GoldItem, load_gold, split_of
from .runner import run_eval

__all__ = ["GoldItem", "calibrate", "check_thresholds", "compare_designs", "load_gold", "load_thresholds",
           "run_command", "run_eval", "split_of"]
