"""briefqa: the command line. Parses flags, calls the library, prints; domain errors become one-line messages."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from .cli_parser import build_parser, check_flags
from .config import load_settings
from .errors import BriefQAError
from .logs import to_stderr


def _settings(args, **extra):
    return load_settings(corpus_dir=getattr(args, "corpus", None), index_dir=getattr(args, "index", None), **extra)


def _emit(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _n(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _ingest_line(r) -> list[str]:
    """One line per parsed document or skipped file, then its role evidence and warnings."""
    if r.status == "skipped":
        return [f"skipped {r.reason}"]
    by_role = {role: sum(1 for _, x in r.speakers if x == role) for role in ("official", "moderator", "reporter")}
    roles = ", ".join(_n(k, role) for role, k in by_role.items() if k)
    source = {"header": "roles from the header", "title": "roles from the title",
              "inferred": "roles inferred"}[r.roles_from]
    out = [f"parsed {r.path} as {r.doc_id}: {_n(r.answers, 'answer')}, {_n(len(r.speakers), 'speaker')} "
           f"({roles}; {source}), {_n(len(r.warnings), 'warning')}"]
    # Roles the header states need no evidence; the rest show why, speakers with the same reason together.
    why: dict[str, list[str]] = {}
    for e in r.roles_evidence:
        name, _, rest = e.partition(": ")
        if not rest.startswith(("official (in the header under", "moderator (in the header under")):
            why.setdefault(rest, []).append(name)
    out += [f"  role: {', '.join(names)}: {rest}" for rest, names in why.items()]
    out += [f"  warning: {w}" for w in r.warnings]
    return out


def cmd_ingest(args) -> int:
    """Parse + chunk; a line per document (answers, speakers, roles, warnings) or skipped file, then the
    answers. Example: briefqa ingest corpus/ --json"""
    from .chunking import load_corpus

    warnings: list[str] = []
    reports: list = []
    paths = args.paths or [str(_settings(args).corpus_dir)]
    _, chunks = load_corpus(paths, warnings, reports)
    report_to = sys.stderr if args.json else sys.stdout
    for r in reports:
        for line in _ingest_line(r):
            print(line, file=report_to)
    parsed = [r for r in reports if r.status == "parsed"]
    summary = (f"{_n(len(chunks), 'answer')} in {_n(len(parsed), 'document')} from "
               f"{_n(len({r.path for r in parsed}), 'file')}; "
               f"{_n(sum(r.status == 'skipped' for r in reports), 'file')} skipped")
    if args.json:
        for c in chunks:
            d = dataclasses.asdict(c)
            d["text"] = c.text
            _emit(d)
        print(summary, file=sys.stderr)
        return 0 if chunks else 1
    print(f"{'id':32} {'speaker':16} {'asked by':34} {'words':>6} {'tokens':>6} {'wordpieces':>10}")
    for c in chunks:
        print(f"{c.id:32} {c.speaker:16} {(c.asked_by or '(opening statement)')[:34]:34} {c.words:6} {c.tokens:6} {c.wordpieces:10}")
    print(summary)
    return 0 if chunks else 1


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _open(args, rebuild=None, status=None):
    from .service import BriefingQA

    s = _settings(args)
    rebuild = not getattr(args, "no_rebuild", False) if rebuild is None else rebuild
    return BriefingQA.open(s, rebuild=rebuild, status=status)


def cmd_build(args) -> int:
    """Build the index. Example: briefqa build --corpus corpus/ --index index/"""
    from .embedding import index_sha256, make_embedder
    from .errors import IndexCorrupt, IndexMissing, IndexStale
    from .index_store import build, load

    s = _settings(args)
    emb = make_embedder(s)
    try:
        idx = load(s, embedder_sha=index_sha256(emb))
    except (IndexMissing, IndexStale, IndexCorrupt) as e:
        idx = None
        if args.if_stale:
            print(f"{e}; building", file=sys.stderr)
    if idx and args.if_stale:
        print(f"index is up to date: {idx.manifest['counts']['passages']} passages "
              f"from {idx.manifest['counts']['chunks']} answers ({idx.folder})")
        return 0
    # An index that was fresh when asked is rebuilt (an explicit build forces); one that was not is
    # checked again once the lock is held, so builds queued behind another build do not repeat it.
    build(s, emb, progress=True, if_stale=idx is None, incremental=args.if_stale)
    return 0


def _embedder(s):
    from .embedding import make_embedder

    return make_embedder(s)


def _preview_lines(p, doc_id: str | None = None, verb: str = "parsed") -> list[str]:
    """A parsed-but-not-yet-indexed briefing: one line like ingest's, then its warnings."""
    by_role = {role: sum(1 for _, x in p.speakers if x == role) for role in ("official", "moderator", "reporter")}
    roles = ", ".join(_n(k, role) for role, k in by_role.items() if k)
    out = [f"{verb} {p.file} as {doc_id or p.doc_id}: {p.title!r}, {p.date or 'no date'}; "
           f"{_n(len(p.exchanges), 'answer')}, {_n(len(p.speakers), 'speaker')} ({roles}), "
           f"{_n(len(p.warnings), 'warning')}"]
    return out + [f"  warning: {w}" for w in p.warnings]


def cmd_add(args) -> int:
    """Add briefings to the corpus and index them; only they are embedded.
    Example: briefqa add new-briefing.pdf --date "July 30, 2024"   (--dry-run: check and show, change nothing)"""
    from .errors import CorpusError
    from .library import AddRefused, add, preview

    s = _settings(args)
    err = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if args.dry_run:
        problems = []
        for f in args.files:
            try:
                for p in preview(f, title=args.title, date=args.date, settings=s):
                    print("\n".join(_preview_lines(p, verb="would add")))
                    print(f"  {'#':>3} {'asked by':28} {'answered by':24} {'words':>6}  question")
                    for x in p.exchanges:
                        print(f"  {x.n:>3} {(x.asked_by or '(opening statement)')[:28]:28} {x.speaker[:24]:24} "
                              f"{x.words:>6}  {' '.join((x.question or '').split())[:60]}")
            except CorpusError as e:
                problems.append(str(e))
        for p in problems:
            err(f"briefqa: {p}")
        return 1 if problems else 0
    try:
        ch = add(s, _embedder(s), args.files, title=args.title, date=args.date, replace=args.replace,
                 progress=True)
    except AddRefused as e:
        for p in e.problems:
            err(f"briefqa: {p}")
        return 1
    for a in ch.added:
        for p, doc_id in zip(a.previews, a.doc_ids):
            print("\n".join(_preview_lines(p, doc_id, verb="added")))
        print(f"  stored as {a.stored}")
    print(f"indexed {_n(ch.embedded_passages, 'new passage')} ({ch.reused_passages} reused) in {ch.seconds:.1f}s; "
          f"the index holds {_n(ch.briefings, 'briefing')}, {_n(ch.passages, 'passage')}")
    return 0


def cmd_briefings(args) -> int:
    """List the indexed briefings: id, date, answers, officials, title. Example: briefqa briefings --json"""
    from .index_store import load_or_build
    from .library import briefings, skipped

    s = _settings(args)
    idx = load_or_build(s, _embedder(s), rebuild=not args.no_rebuild)
    rows = briefings(idx)
    if args.json:
        for r in rows:
            _emit(dataclasses.asdict(r))
    else:
        print(f"{'id':36} {'date':10} {'answers':>7}  {'officials':40} title")
        for r in rows:
            print(f"{r.doc_id[:36]:36} {r.date or '-':10} {r.exchanges:7}  {', '.join(r.officials)[:40]:40} {r.title}")
    bad = skipped(idx)
    print(f"{_n(len(rows), 'briefing')}, {_n(sum(r.exchanges for r in rows), 'answer')}, "
          f"{_n(len(idx.passages), 'passage')}" + (f"; {_n(len(bad), 'file')} skipped (briefqa ingest says why)" if bad else ""),
          file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_remove(args) -> int:
    """Remove a briefing's file from the corpus and the index. Example: briefqa remove 2024-07-30-fm"""
    from .library import remove

    s = _settings(args)
    ch = remove(s, _embedder(s), args.doc_id, whole_file=args.whole_file, progress=True)
    print(f"removed {', '.join(ch.removed_files)} ({', '.join(ch.removed)}); the index holds "
          f"{_n(ch.briefings, 'briefing')}, {_n(ch.passages, 'passage')} ({ch.seconds:.1f}s, nothing re-embedded)")
    return 0


def _filters(args):
    from .retrieve import Filters

    return Filters(speaker=getattr(args, "speaker", None), doc_id=getattr(args, "doc", None),
                   date_from=getattr(args, "date_from", None), date_to=getattr(args, "date_to", None))


def cmd_search(args) -> int:
    """Ranked answers with matched passages. Example: briefqa search "PPH agreements" -k 3 --mode bm25"""
    qa = _open(args)
    hits = qa.search(args.query, k=args.k, mode=args.mode, filters=_filters(args))
    if args.json:
        for h in hits:
            _emit({"rank": h.rank, "score": h.score, "chunk_id": h.chunk.id, "speaker": h.chunk.speaker,
                   "asked_by": h.chunk.asked_by,
                   "passages": [{"text": m.passage.text, "start": m.passage.start, "end": m.passage.end,
                                 "score": m.score, "dense": m.dense_score, "bm25": m.bm25_score}
                                for m in h.passages]})
        return 0
    if not hits:
        print("no matches")
    for h in hits:
        print(f"{h.rank}. {h.chunk.speaker} (asked by {h.chunk.asked_by or 'nobody: opening statement'})"
              f"  score {h.score:.4f}  [{h.chunk.id}]")
        for m in h.passages[:2]:
            print(f"   > {m.passage.text}")
    return 0


def answer_json(a) -> dict:
    """The documented JSON result of `ask` (README "JSON result"): Answer.to_dict()."""
    return a.to_dict()


def print_answer(a, out=None) -> None:
    print(a.to_text(), file=out or sys.stdout)


def cmd_ask(args) -> int:
    """Answer with citations. Example: briefqa ask "How many PPH agreements?" --history "Earlier question" --json"""
    import io

    from .errors import QuestionError
    from .prepare import prepare

    if args.question is None and not args.jsonl:
        print("briefqa ask: give a question or --jsonl FILE", file=sys.stderr)
        return 2
    if args.question is not None:
        prepare(args.question, args.history, _settings(args))  # refuse before loading the model
    if args.jsonl:
        # Bad bytes must not abort a whole batch: they become U+FFFD and the line is still tried.
        try:
            src = (io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace") if args.jsonl == "-"
                   else open(args.jsonl, encoding="utf-8", errors="replace"))
        except OSError as e:
            print(f"briefqa: {args.jsonl}: cannot read ({e.strerror})", file=sys.stderr)
            return 1
    qa = _open(args)
    if args.jsonl:
        failures = 0
        with src:
            for no, line in enumerate(src, 1):
                if not line.strip():
                    continue
                try:
                    question, history = jsonl_item(line)
                    a = qa.ask(question, history, k=args.k, answer_mode=args.mode)
                    _emit(answer_json(a))
                except (ValueError, QuestionError) as e:
                    failures += 1
                    print(f"{args.jsonl}:{no}: {e}", file=sys.stderr)
                    _emit({"line": no, "error": str(e)})
        return 1 if failures else 0
    a = qa.ask(args.question, args.history or [], k=args.k, answer_mode=args.mode)
    if args.json:
        _emit(answer_json(a))
    else:
        print_answer(a)
    return 0


def jsonl_item(line: str) -> tuple[str, list[str]]:
    """(question, history) from one `ask --jsonl` line, or ValueError saying what a valid line holds.

    >>> jsonl_item('{"question": "And trademarks?", "history": ["Patents?"]}')
    ('And trademarks?', ['Patents?'])
    """
    try:
        item = json.loads(line)
    except RecursionError:  # the decoder recurses once per level of nesting
        raise ValueError("JSON nested too deeply; expected an object with a string 'question'") from None
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        raise ValueError("expected an object with a string 'question'")
    history = item.get("history")
    if history is None:
        history = []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise ValueError(f"'history' must be a list of strings (earlier questions, oldest first), "
                         f"got {json.dumps(history, ensure_ascii=False)[:80]}")
    return item["question"], history


def cmd_chat(args) -> int:
    """A terminal chat with history. Example: briefqa chat   (empty line or Ctrl-D quits)"""
    from .errors import QuestionError

    _say("briefqa chat: loading the index and the model…")  # at once: nothing else shows until they load
    qa = _open(args, status=lambda m: _say(f"  {m}"))
    from .service import release_freed_memory
    from .spelling import warm_in_background

    release_freed_memory()
    warm_in_background(qa.index)
    history: list[str] = []
    print("Ask about the briefing; an empty line quits.", file=sys.stderr)
    while True:
        try:
            q = input("you> ")
        except EOFError:
            break
        if not q.strip():
            break
        try:
            a = qa.ask(q, history, k=args.k, answer_mode=args.mode)
        except QuestionError as e:
            print(f"briefqa: {e}")
            continue
        print_answer(a)
        print()
        history.append(q)
    return 0


def cmd_serve(args) -> int:
    """Serve the web UI. Example: briefqa serve --port 7860"""
    _say("briefqa serve: loading the web app, the index and the model…")  # before gradio's import, the slowest part
    from ui.app import serve  # the only arrow from qa to ui: loaded when serving

    s = _settings(args)
    return serve(s, host=args.host, port=args.port, share=args.share, allow_remote=args.allow_remote) or 0


def cmd_eval(args) -> int:
    """Score retrieval, answers, citations and abstention. Example: briefqa eval --out eval/report"""
    from .eval import run_command

    return run_command(_settings(args), questions=args.questions, modes=args.mode, answer_mode=args.answer_mode,
                       out=args.out, check=args.check, calibrate=args.calibrate, design=args.design)


def cmd_feedback(args) -> int:
    """Export thumbs-down feedback as candidate eval questions. Example: briefqa feedback export"""
    from .feedback import export_candidates

    s = _settings(args)
    n = export_candidates(Path(args.file) if args.file else s.feedback_path, sys.stdout)
    print(f"{n} candidate question(s)", file=sys.stderr)
    return 0


COMMANDS = {"ingest": cmd_ingest, "build": cmd_build, "add": cmd_add, "briefings": cmd_briefings, "remove": cmd_remove,
            "search": cmd_search, "ask": cmd_ask, "chat": cmd_chat, "serve": cmd_serve, "eval": cmd_eval,
            "feedback": cmd_feedback}


def main(argv: list[str] | None = None) -> int:
    args = build_parser(COMMANDS).parse_args(argv)
    to_stderr()  # the library's progress and warnings: one line each on stderr, as before
    try:
        check_flags(args)
        return args.func(args)
    except BriefQAError as e:
        print(f"briefqa: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("briefqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
