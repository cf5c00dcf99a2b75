"""The index folder's generations: the build lock, the CURRENT pointer to the live generation, swapping it
atomically, and removing what old or dead builds left.

Layout of `index/`:
  CURRENT            name of the live generation folder (replaced atomically with os.replace)
  gen-<time>-<pid>/  manifest.json, vectors.faiss, chunks.json, passages.json, transcripts.json, bm25/…
  .lock              held while building, so two builds (or a build and a cleanup) never interleave
  .corpus-journal.json  an add/remove in progress (qa/journal.py), finished or undone by the next lock holder
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
from pathlib import Path

from . import journal, manifest
from .errors import ConfigError, IndexBusy, IndexCorrupt, IndexError_, IndexMissing

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 600
# What CURRENT may name: one folder directly inside the index folder, as `build` names them.
GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z_.-]+")


def check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: is a file, not a folder; the index needs a folder of its own "
                          "(--index or BRIEFQA_INDEX_DIR)")


def lock(folder: Path):
    """Hold the index lock of `folder` (`with lock(folder): ...`); an interrupted corpus edit is finished or
    undone as soon as it is held."""
    from filelock import FileLock, Timeout

    check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"{folder}: cannot create the index folder ({e.strerror})") from None
    lock = FileLock(str(folder / ".lock"), timeout=LOCK_TIMEOUT_S)

    class _Ctx:
        def __enter__(self):
            try:
                try:
                    lock.acquire(timeout=0)
                except Timeout:  # say why nothing happens for a while
                    log.info(f"{folder}/.lock: another build is running; waiting for it to finish")
                    lock.acquire()
            except Timeout:
                raise IndexBusy(f"{folder}/.lock: another build holds the index lock") from None
            except OSError as e:
                if (folder / ".lock").is_dir():
                    raise IndexError_(f"{folder}/.lock: is a folder, so the build lock cannot be taken; "
                                      "remove it (the lock is a file the build creates)") from None
                raise IndexError_(f"{folder}/.lock: cannot take the build lock ({e.strerror})") from None
            try:  # a corpus edit whose process died is finished or undone before anything reads the corpus
                journal.recover(folder, lambda: _manifest_or_none(folder))
            except OSError as e:
                lock.release()
                raise IndexError_(f"{folder}/{journal.JOURNAL}: cannot undo an interrupted corpus edit "
                                  f"({e.strerror}: {e.filename})") from None
            return lock

        def __exit__(self, *a):
            lock.release()

    return _Ctx()


def _manifest_or_none(folder: Path) -> dict | None:
    try:
        return manifest.read(folder, live_generation(folder))
    except IndexError_:
        return None


def live_generation(folder: Path) -> Path:
    """The generation folder CURRENT names; IndexMissing or IndexCorrupt (naming CURRENT) otherwise."""
    folder = Path(folder)
    check_folder(folder)
    cur = folder / "CURRENT"
    if not cur.exists():
        raise IndexMissing(f"{folder}: no index built yet (run `briefqa build`)")
    repair = "run `briefqa build` to repair"
    try:
        name = cur.read_text(encoding="utf-8").strip()
    except IsADirectoryError:
        raise IndexCorrupt(f"{cur}: is a folder, not the file naming the live generation ({repair})") from None
    except (OSError, UnicodeDecodeError) as e:
        reason = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else e.strerror
        raise IndexCorrupt(f"{cur}: unreadable ({reason}); it should name a gen-* folder ({repair})") from None
    gen = folder / name
    # A path (gen-x/../../other/gen-y) would serve another folder's index: only a plain name is accepted.
    if not GENERATION_NAME.fullmatch(name) or not gen.is_dir():
        raise IndexCorrupt(f"{cur}: points at {name[:100]!r}, which is not a generation folder inside {folder} "
                           f"(expected a plain name like gen-<time>-<pid>; {repair})")
    return gen


def new_generation(folder: Path) -> tuple[Path, Path, Path]:
    """(generation, its temporary folder, CURRENT's temporary file) for a new build; none exists yet."""
    # Microseconds: two builds by one process within a second must not pick the same name.
    gen = folder / f"gen-{dt.datetime.now().strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    return gen, folder / f".tmp-{gen.name}", folder / f".CURRENT.{os.getpid()}"


def make_live(folder: Path, tmp: Path, gen: Path, cur_tmp: Path) -> None:
    """Rename the finished `tmp` to `gen`, then point CURRENT at it in one atomic replace."""
    os.replace(tmp, gen)
    cur_tmp.write_text(gen.name)
    cur = folder / "CURRENT"
    if cur.is_dir() and not cur.is_symlink():  # os.replace cannot put the pointer file over a folder
        log.warning(f"warning: {cur} was a folder, not the pointer file; replaced it")
        shutil.rmtree(cur)
    os.replace(cur_tmp, cur)


def cleanup(folder: Path, keep: set[str]) -> None:
    """Remove old generations and dead temporaries, keeping the live one and the one before it."""
    gens = sorted((p for p in folder.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    keep_prev = [p.name for p in gens if p.name not in keep][-1:]
    for p in gens:
        if p.name not in keep and p.name not in keep_prev:
            shutil.rmtree(p, ignore_errors=True)
    for p in folder.glob(".tmp-gen-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in folder.glob(".CURRENT.*"):  # left by a build killed just before its swap
        p.unlink(missing_ok=True)
