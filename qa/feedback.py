"""User feedback on answers: appended to a local JSONL file; thumbs-down items become candidate eval questions."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

from .errors import ConfigError

FORMAT_VERSION = 1
RATINGS = ("up", "down", None)  # None: the user took their rating back
_lock = threading.Lock()  # the UI serves two requests at a time; lines must not interleave


def record(path: Path, question: str, answer: dict, rating: str | None, comment: str = "",
           history: list[str] | tuple[str, ...] = (), feedback_id: str | None = None) -> dict:
    """Append one feedback line and return it. `answer` is `Answer.to_dict()` of the rated answer.

    The same `feedback_id` may be written again (a comment added, a rating changed); readers keep
    the last line of each id.

    >>> record(Path("/tmp/fb.jsonl"), "How many PPH agreements?", {"answer": "17 [1]",
    ...        "citations": [], "abstained": False}, "down", "wrong count")["rating"]   # doctest: +SKIP
    'down'
    """
    if rating not in RATINGS:
        raise ConfigError(f"feedback rating {rating!r} is not one of 'up', 'down' or None")
    item = {
        "version": FORMAT_VERSION,
        "id": feedback_id or uuid.uuid4().hex,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": question,
        "history": list(history),
        "answer": answer.get("answer", ""),
        "abstained": bool(answer.get("abstained")),
        "reason": answer.get("reason"),
        "mode": answer.get("mode"),
        "citations": answer.get("citations", []),
        "rating": rating,
        "comment": comment.strip(),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(item, ensure_ascii=False) + "\n"
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write(line)
    return item


def read(path: Path) -> Iterator[dict]:
    """The latest line of each feedback id, in order of first appearance; ConfigError if `path` is missing."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"no feedback file at {path} (the web UI writes it when someone rates an answer)")
    latest: dict[str, dict] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash; the rest of the file is still good
            if isinstance(item, dict) and isinstance(item.get("question"), str):
                latest[item.get("id") or uuid.uuid4().hex] = item
    yield from latest.values()


def candidate(item: dict) -> dict:
    """A thumbs-down feedback item as a line of eval/questions.jsonl, to be reviewed by a person.

    Whether the briefing answers the question is unknown, so `answerable` is null, `gold` and
    `facts` are empty and `kind` is "unreviewed"; `feedback` keeps what the reviewer needs.
    """
    return {
        "id": "fb-" + str(item.get("id", ""))[:8],
        "question": item["question"],
        "answerable": None,
        "gold": [],
        "speaker": None,
        "facts": [],
        "kind": "unreviewed",
        "history": list(item.get("history") or []),
        "feedback": {"comment": item.get("comment", ""), "answer": item.get("answer", ""),
                     "abstained": item.get("abstained"), "time": item.get("time"),
                     "cited": [c.get("chunk_id") for c in item.get("citations") or []]},
    }


def export_candidates(path: Path, out: IO[str]) -> int:
    """Write each thumbs-down question (once per question and history) to `out` as a JSON line; return the count.

    Example: `briefqa feedback export > eval/candidates.jsonl`
    """
    seen: set[tuple] = set()
    n = 0
    for item in read(path):
        if item.get("rating") != "down":
            continue
        key = (" ".join(item["question"].lower().split()), tuple(item.get("history") or []))
        if key in seen:
            continue
        seen.add(key)
        out.write(json.dumps(candidate(item), ensure_ascii=False) + "\n")
        n += 1
    return n
