"""Helpers shared by the test modules that build private indexes, break them, and stop subprocesses.

Import them with `from helpers import …` (pytest puts tests/ on the path, as for ui_browser.py).
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "2024-07-29-scio-cnipa-ip.txt"
QUIET = {"progress": False}


def write_tiny_corpus(folder: Path, lines: int = 23) -> Path:
    """The seed's header and opening statement only: a real transcript that embeds in a second or two."""
    folder.mkdir(parents=True, exist_ok=True)
    head = SEED.read_bytes().decode("utf-8").splitlines(keepends=True)[:lines]
    (folder / "tiny.txt").write_text("".join(head), encoding="utf-8", newline="")
    return folder


def built_index(settings, embedder, corpus_dir: Path, index_dir: Path):
    """(settings pointing at `corpus_dir` and `index_dir`, the index built there, first generation live)."""
    from qa import index_store

    s = settings.with_overrides(corpus_dir=corpus_dir, index_dir=index_dir)
    return s, index_store.build(s, embedder, **QUIET)


def enospc_writing_json(monkeypatch) -> None:
    """The disk fills up while the index writes passages.json (errno ENOSPC, as the OS raises it)."""
    from qa import index_store

    real = index_store._write_json

    def write(path, obj):
        if path.name == "passages.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, obj)

    monkeypatch.setattr(index_store, "_write_json", write)


def kill_when(p: subprocess.Popen, said, seconds: float = 240) -> list[str]:
    """SIGKILL `p` at the first line of its stderr for which `said(line)` holds; wait for it and
    return the lines it wrote. Fails if it ends another way or takes over `seconds` to say it."""
    seen, deadline = [], time.monotonic() + seconds
    for line in p.stderr:
        seen.append(line)
        if said(line):
            p.send_signal(signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "".join(seen)
    p.wait(timeout=30)
    p.stdout.close(), p.stderr.close()
    assert p.returncode == -signal.SIGKILL, "".join(seen)
    return seen


def stop(proc: subprocess.Popen, timeout: float) -> None:
    """Stop a server: SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
