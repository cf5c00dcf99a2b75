"""Corpus edits made under the index lock, journaled so that an interrupted add or remove is undone.

`briefqa add` and `remove` change files in the corpus folder and then build the index, all while
holding index/.lock. Before the first change, the plan is written to index/.corpus-journal.json:
the files to place (with their sha256) and the files to move aside (replaced or removed ones, kept
as hidden `.NAME.PID.aside` files, which no corpus scan reads). Once the new generation is live the
edit is committed: the moved-aside files and the journal are deleted. If anything fails before
that, the edit is undone file by file. If the process dies, the next process to take the lock
(`recover`) finishes the edit when the live index already describes the edited corpus, and undoes
it otherwise, so the corpus and the index always agree again.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from .embedding import file_sha256

log = logging.getLogger(__name__)

JOURNAL = ".corpus-journal.json"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class CorpusEdit:
    """One journaled change to the corpus: `place` files, `remove` files, then `commit` or `undo`.

    >>> edit = CorpusEdit(Path("index"), Path("corpus"))   # doctest: +SKIP
    >>> edit.plan(place={Path("corpus/x.txt"): b"..."}, remove=[])   # doctest: +SKIP
    """

    def __init__(self, index_dir: Path, corpus_dir: Path):
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir).resolve()
        self.journal = self.index_dir / JOURNAL
        self.placed: list[dict] = []  # {"path", "sha256", "part"}
        self.aside: list[dict] = []  # {"path", "backup"}

    def _hidden(self, path: Path, kind: str) -> Path:
        # The suffix (.part/.aside) is no transcript type, so corpus scans never read these files.
        return path.with_name(f".{path.name}.{os.getpid()}.{kind}")

    def plan(self, place: dict[Path, bytes], remove: list[Path]) -> None:
        """Record the edit, then make it: files in `remove` and files replaced by `place` are moved aside,
        each new file is written beside its place, flushed, and renamed into it."""
        import hashlib

        for path in [*remove, *place]:
            path = Path(path)
            if path.exists():
                self.aside.append({"path": str(path), "backup": str(self._hidden(path, "aside"))})
        for path, data in place.items():
            self.placed.append({"path": str(path), "sha256": hashlib.sha256(data).hexdigest(),
                                "part": str(self._hidden(Path(path), "part"))})
        self._write_journal()
        for p in self.placed:
            with open(p["part"], "wb") as f:
                f.write(place[Path(p["path"])])
                f.flush()
                os.fsync(f.fileno())
            os.chmod(p["part"], 0o644)  # data, never executed
        for a in self.aside:
            os.replace(a["path"], a["backup"])
        for p in self.placed:
            os.replace(p["part"], p["path"])
        _fsync_dir(self.corpus_dir)

    def _write_journal(self) -> None:
        tmp = self.journal.with_name(f"{JOURNAL}.{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"pid": os.getpid(), "corpus": str(self.corpus_dir), "placed": self.placed,
                       "aside": self.aside}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.journal)

    def commit(self) -> None:
        """The new index is live: forget the old files."""
        for a in self.aside:
            Path(a["backup"]).unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)

    def undo(self) -> None:
        """Put every file back as it was (safe to call at any point of `plan`, and again)."""
        backup_of = {a["path"]: a["backup"] for a in self.aside}
        for p in self.placed:
            Path(p["part"]).unlink(missing_ok=True)
            path, backup = Path(p["path"]), backup_of.get(p["path"])
            # Only the file this edit wrote goes; until its original is moved aside, the original is there.
            if path.is_file() and (backup is None or Path(backup).exists()) and file_sha256(path) == p["sha256"]:
                path.unlink()
        for a in self.aside:
            if Path(a["backup"]).exists():
                os.replace(a["backup"], a["path"])
        _fsync_dir(self.corpus_dir)
        self.journal.unlink(missing_ok=True)

    def committed_in(self, manifest: dict) -> bool:
        """Whether `manifest` (the live index's) already describes the corpus as this edit leaves it."""
        corpus = manifest.get("corpus") or {}
        placed = {p["path"] for p in self.placed}
        for p in self.placed:
            if corpus.get(self._rel(p["path"])) != p["sha256"]:
                return False
        return all(self._rel(a["path"]) not in corpus for a in self.aside if a["path"] not in placed)

    def _rel(self, path: str) -> str:
        try:
            return str(Path(path).relative_to(self.corpus_dir))
        except ValueError:
            return path

    @classmethod
    def read(cls, index_dir: Path) -> "CorpusEdit | None":
        f = Path(index_dir) / JOURNAL
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return cls(index_dir, Path(index_dir))  # unreadable: nothing can be undone from it
        edit = cls(index_dir, Path(d.get("corpus") or index_dir))
        edit.placed = [p for p in d.get("placed") or [] if isinstance(p, dict)]
        edit.aside = [a for a in d.get("aside") or [] if isinstance(a, dict)]
        return edit


def recover(index_dir: Path, live_manifest) -> None:
    """Finish or undo an edit whose process died; call with the index lock held.

    `live_manifest()` returns the live index's manifest, or None when there is none.
    """
    edit = CorpusEdit.read(index_dir)
    if edit is None:
        return
    names = ", ".join(Path(p["path"]).name for p in edit.placed) or \
        ", ".join(Path(a["path"]).name for a in edit.aside) or "(unreadable journal)"
    manifest = live_manifest()
    if manifest is not None and (edit.placed or edit.aside) and edit.committed_in(manifest):
        edit.commit()
        log.warning(f"{edit.journal}: finished an interrupted corpus edit ({names}); the index already held it")
    else:
        edit.undo()
        log.warning(f"{edit.journal}: undid an interrupted corpus edit ({names}); the corpus is as the index describes it")
