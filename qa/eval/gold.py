"""The gold set (eval/questions.jsonl): its format, loading, and where its gold text sits in an index."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ROOT
from ..errors import ConfigError
from ..types import Chunk
from .metrics import contains_gold, gold_spans

if TYPE_CHECKING:
    from ..index_store import Index

QUESTIONS = ROOT / "eval" / "questions.jsonl"
KEYS = {"id", "question", "answerable", "gold", "speaker", "facts", "kind"}
OPTIONAL_KEYS = {"history", "intent", "scope", "absent"}
ANSWERABLE_KINDS = ("number", "paraphrase", "keyword", "who", "list", "why-how", "structure", "summary", "compare",
                    "scoped", "overview", "misspelled")
UNANSWERABLE_KINDS = ("unanswerable", "near-miss", "absent")  # "unanswerable" = off-topic
OFF_TOPIC = {"unanswerable": "off-topic", "near-miss": "near-miss", "absent": "absent"}  # kind -> reported label
FOLLOW_UP = "follow-up"  # a group across kinds: items asked with history
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class GoldItem:
    """One line of eval/questions.jsonl (format in eval/README.md)."""

    id: str
    question: str
    answerable: bool
    gold: tuple[str, ...]
    speaker: str
    facts: tuple[str, ...]
    kind: str
    history: tuple[str, ...] = ()
    intent: str | None = None  # the answer kind a good system chooses (fact, structure, summary, …)
    absent: str | None = None  # kind "absent": the term "The briefing never mentions …" must name


def load_gold(path=None) -> list[GoldItem]:
    """The gold set's items (default eval/questions.jsonl); ConfigError naming file:line for a malformed one."""
    path = Path(path or QUESTIONS)
    if not path.is_file():
        raise ConfigError(f"{path}: gold set not found (format in eval/README.md)")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        if not isinstance(d, dict) or not KEYS <= set(d) <= KEYS | OPTIONAL_KEYS:
            got = sorted(d) if isinstance(d, dict) else type(d).__name__
            raise ConfigError(f"{path}:{n}: keys {got}; expected {sorted(KEYS)} and optionally {sorted(OPTIONAL_KEYS)}")
        if d["kind"] not in ANSWERABLE_KINDS + UNANSWERABLE_KINDS:
            raise ConfigError(f"{path}:{n}: kind {d['kind']!r} is not one of "
                              f"{', '.join(ANSWERABLE_KINDS + UNANSWERABLE_KINDS)}")
        if bool(d["answerable"]) != (d["kind"] in ANSWERABLE_KINDS) or (d["answerable"] and not d["gold"]):
            raise ConfigError(f"{path}:{n}: an answerable item needs gold text and an answerable kind; "
                              f"an unanswerable one the kind unanswerable or near-miss")
        items.append(GoldItem(str(d["id"]), d["question"], bool(d["answerable"]), tuple(d["gold"]),
                              d["speaker"], tuple(d["facts"]), d["kind"], tuple(d.get("history") or ()),
                              d.get("intent"), d.get("absent")))
    if not items:
        raise ConfigError(f"{path}: no questions")
    return items


def gold_spans_in(chunk: Chunk, gold) -> list[tuple[int, int]]:
    """Source spans of the gold substrings inside `chunk` (gold lies inside one paragraph)."""
    return [s for p in chunk.paragraphs for s in gold_spans(p.text, p.start, gold)]


def relevant_chunks(index: Index, gold) -> set[str]:
    """Ids of the answers whose text contains a gold substring: computed by text, on this index."""
    return {c.id for c in index.chunks if gold and contains_gold(c.text, gold)}


def split_of(item: GoldItem, index: Index) -> str:
    """'dev' or 'test', by the answer the item's gold sits in, so tuning never sees the answers it is scored on.

    The key is the first answer (source order) holding a gold string, else the answer to the question
    holding one (structure items), else the item itself; a stable hash of the key picks the split.
    """
    key = next((c.id for c in index.chunks if item.gold and contains_gold(c.text, item.gold)), None)
    key = key or next((c.id for c in index.chunks if item.gold and c.question
                       and contains_gold(c.question, item.gold)), None)
    key = key or f"item:{item.id}"
    return SPLITS[int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 2]


def display_path(p) -> str:
    """`p` relative to the project folder when inside it (as reports name files), else absolute."""
    p = Path(p).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
