"""briefqa's flags: every command's arguments, and the checks that refuse bad values before anything loads.

The commands themselves live in qa/cli.py, which passes them in; this module imports none of them.
"""
from __future__ import annotations

import argparse

from .config import ANSWER_MODES, MODES, auth_from_env, check_date, check_host, check_k, check_port


def _help(command) -> str:
    return (command.__doc__ or "").strip().splitlines()[0]


def build_parser(commands: dict) -> argparse.ArgumentParser:
    """briefqa's flags; `commands` maps each command name to the function that runs it (its docstring is the help)."""
    p = argparse.ArgumentParser(prog="briefqa", description="Answers about briefing transcripts, with citations.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, corpus=True):
        if corpus:
            sp.add_argument("--corpus", metavar="DIR", help="transcripts folder (default corpus/)")
        sp.add_argument("--index", metavar="DIR", help="index folder (default index/)")

    sp = sub.add_parser("ingest", help=_help(commands["ingest"]))
    sp.add_argument("paths", nargs="*", help="files or folders of .txt, .html, .pdf, .docx (default corpus/)")
    sp.add_argument("--json", action="store_true", help="one JSON object per chunk")
    common(sp)
    sp.set_defaults(func=commands["ingest"])

    sp = sub.add_parser("build", help=_help(commands["build"]))
    sp.add_argument("--if-stale", action="store_true", help="only if missing, stale or damaged")
    common(sp)
    sp.set_defaults(func=commands["build"])

    sp = sub.add_parser("add", help=_help(commands["add"]))
    sp.add_argument("files", nargs="+", metavar="FILE", help=".txt, .html, .pdf or .docx transcripts")
    sp.add_argument("--title", help="the briefing's title (one file only); written to FILE's .meta.json sidecar")
    sp.add_argument("--date", help="2024-07-29, 'July 29, 2024' or '29 July 2024'; written to the sidecar")
    sp.add_argument("--replace", action="store_true", help="replace a corpus file of the same name")
    sp.add_argument("--dry-run", action="store_true", help="check and show what would be added; change nothing")
    common(sp)
    sp.set_defaults(func=commands["add"])

    sp = sub.add_parser("briefings", help=_help(commands["briefings"]))
    sp.add_argument("--json", action="store_true", help="one JSON object per briefing")
    sp.add_argument("--no-rebuild", action="store_true", help="refuse a stale index instead of rebuilding")
    common(sp)
    sp.set_defaults(func=commands["briefings"])

    sp = sub.add_parser("remove", help=_help(commands["remove"]))
    sp.add_argument("doc_id", metavar="DOC_ID", help="a briefing id as `briefqa briefings` lists it")
    sp.add_argument("--whole-file", action="store_true", help="the file holds several briefings: remove them all")
    common(sp)
    sp.set_defaults(func=commands["remove"])

    def retrieval_flags(sp):
        sp.add_argument("-k", default=None, help="answers to retrieve, 1 to 50 (default 5)")
        sp.add_argument("--no-rebuild", action="store_true", help="refuse a stale index instead of rebuilding")
        common(sp)

    sp = sub.add_parser("search", help=_help(commands["search"]))
    sp.add_argument("query")
    sp.add_argument("--mode", choices=MODES, default=None)
    sp.add_argument("--speaker", help="only answers by this speaker (whole words of the name, e.g. Hu)")
    sp.add_argument("--doc", help="only this document id")
    sp.add_argument("--date-from", help="YYYY-MM-DD")
    sp.add_argument("--date-to", help="YYYY-MM-DD")
    sp.add_argument("--json", action="store_true")
    retrieval_flags(sp)
    sp.set_defaults(func=commands["search"])

    sp = sub.add_parser("ask", help=_help(commands["ask"]))
    sp.add_argument("question", nargs="?")
    sp.add_argument("--mode", choices=ANSWER_MODES, default=None, help="answer mode (default extractive)")
    sp.add_argument("--history", action="append", help="an earlier user question (repeatable, oldest first)")
    sp.add_argument("--jsonl", metavar="FILE", help="questions as JSON lines ('-' for stdin); results to stdout")
    sp.add_argument("--json", action="store_true")
    retrieval_flags(sp)
    sp.set_defaults(func=commands["ask"])

    sp = sub.add_parser("chat", help=_help(commands["chat"]))
    sp.add_argument("--mode", choices=ANSWER_MODES, default=None)
    retrieval_flags(sp)
    sp.set_defaults(func=commands["chat"])

    sp = sub.add_parser("serve", help=_help(commands["serve"]))
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=7860)
    sp.add_argument("--share", action="store_true", help="public Gradio share link (off by default)")
    sp.add_argument("--allow-remote", action="store_true", help="required to bind to a non-loopback host")
    common(sp)
    sp.set_defaults(func=commands["serve"])

    sp = sub.add_parser("eval", help=_help(commands["eval"]))
    sp.add_argument("--questions", metavar="FILE", help="gold set (default eval/questions.jsonl)")
    sp.add_argument("--mode", action="append", choices=MODES, help="retrieval modes to compare (default all)")
    sp.add_argument("--answer-mode", choices=ANSWER_MODES, default="extractive")
    sp.add_argument("--out", metavar="DIR", help="report folder (default eval/report)")
    sp.add_argument("--check", action="store_true", help="exit 1 when a metric is below eval/thresholds.json")
    sp.add_argument("--calibrate", action="store_true", help="sweep the abstention threshold; report F1 and false abstention per value")
    sp.add_argument("--design", action="store_true", help="compare passage designs (window, stride, question prefix, grouping) on temporary indexes")
    common(sp)
    sp.set_defaults(func=commands["eval"])

    sp = sub.add_parser("feedback", help=_help(commands["feedback"]))
    sp.add_argument("action", choices=["export"])
    sp.add_argument("--file", help="feedback JSONL (default feedback/feedback.jsonl)")
    sp.set_defaults(func=commands["feedback"])
    return p


def check_flags(args) -> None:
    """Refuse bad flag values at once, before any model or index is loaded (-k becomes an int)."""
    if getattr(args, "k", None) is not None:
        args.k = check_k(args.k, "-k")
    for name in ("date_from", "date_to"):
        check_date(getattr(args, name, None), "--" + name.replace("_", "-"))
    if getattr(args, "port", None) is not None:
        check_port(args.port)
    if getattr(args, "host", None) is not None:  # serve: refused before its "loading" line and gradio
        check_host(args.host, getattr(args, "allow_remote", False))
        auth_from_env()
