"""Synthetic briefings for the corpus benchmarks: every layout of tests/layouts/ (text and HTML) and the
seed briefing, with the officials' names, the figures and the dates varied, so each file is a distinct
briefing the parser reads like its original (same speakers' roles, same number of answers).

>>> texts = [t for _, t in briefings(3, seed=1)]      # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "tests" / "layouts"
SEED = ROOT / "corpus" / "2024-07-29-scio-cnipa-ip.txt"
SEED_PEOPLE = ("Shen Changyu", "Hu Wenhui", "Ge Shu", "Wang Peizhang", "Xing Huina")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DATE_RE = re.compile(rf"\b(?:(?P<md>(?:{'|'.join(MONTHS)})\s+\d{{1,2}},\s*\d{{4}})|(?P<dm>\d{{1,2}}\s+(?:{'|'.join(MONTHS)})"
                     rf"\s+\d{{4}})|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))\b")
# Times (1:47 P.M.) and years stay as they are; every other figure gets new digits of the same shape.
FIGURE_RE = re.compile(DATE_RE.pattern + r"|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b|\d+(?:[.,]\d+)*")


def layouts() -> list[tuple[str, str, list[str]]]:
    """(name, file type, people's names) of every layout fixture and the seed briefing."""
    out = []
    for f in sorted(LAYOUTS.iterdir()):
        if f.suffix not in (".txt", ".html"):
            continue
        expected = json.loads(f.with_suffix(".expected.json").read_text(encoding="utf-8"))
        people = []
        for d in expected["docs"]:
            people += [n for n, role in d["roles"].items() if role != "reporter" and n != "Reporter"]
            people += list((d.get("titles") or {}))
        out.append((f.name, f.suffix, list(dict.fromkeys(people))))
    out.append((SEED.name, ".txt", list(SEED_PEOPLE)))
    return out


def _source(name: str) -> str:
    path = SEED if name == SEED.name else LAYOUTS / name
    return path.read_bytes().decode("utf-8")


def _name_word(rng: random.Random) -> str:
    cons, vows = "bdfgklmnprstvz", "aeiou"
    word = "".join(rng.choice(cons) + rng.choice(vows) for _ in range(rng.randint(2, 3))) + rng.choice("nrls")
    return word.capitalize()


def _cased(new: str, old: str) -> str:
    return new.upper() if old.isupper() else new


def vary(text: str, people: list[str], rng: random.Random, date: dt.date) -> str:
    """`text` with each word of each person's name replaced consistently (capitals kept), every date
    replaced by `date` in the same format and other figures given new digits."""
    words = sorted({w for p in people for w in p.split() if len(w) > 1}, key=len, reverse=True)
    swap: dict[str, str] = {}
    for w in words:
        while (new := _name_word(rng)) in swap.values():
            pass
        swap[w.casefold()] = new
    if swap:  # not \b: '_ueditor_page_break_tag_Xing Huina:' must lose the name too
        rx = re.compile(r"(?<![A-Za-z])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z])", re.I)
        text = rx.sub(lambda m: _cased(swap[m.group(1).casefold()], m.group(1)), text)

    def new_figure(m: re.Match) -> str:
        if m.group("iso"):
            return date.isoformat()
        if m.group("md"):
            return f"{MONTHS[date.month - 1]} {date.day}, {date.year}"
        if m.group("dm"):
            return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
        s = m.group(0)
        if ":" in s or (len(s) == 4 and s[:2] in ("19", "20")):
            return s
        out = [c if not c.isdigit() else str(rng.randint(0, 9)) for c in s]
        if out[0] == "0" and len(s) > 1:
            out[0] = str(rng.randint(1, 9))
        return "".join(out)

    return FIGURE_RE.sub(new_figure, text)


def briefings(n: int, seed: int = 0, start: dt.date = dt.date(2023, 1, 2)) -> list[tuple[str, str]]:
    """n (file name, text) pairs, layouts in turn, one day apart."""
    rng = random.Random(seed)
    kinds = layouts()
    out = []
    for i in range(n):
        name, suffix, people = kinds[i % len(kinds)]
        date = start + dt.timedelta(days=i)
        stem = Path(name).stem.replace(".", "-")
        out.append((f"{date.isoformat()}-{stem}-{i:04d}{suffix}", vary(_source(name), people, rng, date)))
    return out


def write(folder: Path, n: int, seed: int = 0, docx_every: int = 3) -> list[Path]:
    """Write n synthetic briefings into `folder`; their paths. In every `docx_every`-th round of the
    layouts, the text ones are written as .docx (one paragraph per line), so all three readers run."""
    folder.mkdir(parents=True, exist_ok=True)
    rounds = len(layouts())
    paths = []
    for i, (name, text) in enumerate(briefings(n, seed)):
        p = folder / name
        if p.suffix == ".txt" and docx_every and (i // rounds) % docx_every == docx_every - 1:
            p = p.with_suffix(".docx")
            write_docx(p, text)
        else:
            p.write_text(text, encoding="utf-8", newline="")
        paths.append(p)
    return paths


def write_docx(path: Path, text: str) -> None:
    import docx

    d = docx.Document()
    for line in text.splitlines():
        if line.strip():
            d.add_paragraph(line.strip())
    d.save(str(path))
