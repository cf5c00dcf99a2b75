"""Which sentences of an answer carry its point: its lead, its enumerated points and figures, its centre.

Used by the summary answerer and by structure answers that show an answer's lead point.
"""
from __future__ import annotations

import re

import numpy as np

from .types import Chunk, Sentence

ORDINAL_RE = re.compile(r"^(?:First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?|Sixth(?:ly)?|"
                        r"Seventh(?:ly)?|Eighth(?:ly)?|Ninth(?:ly)?|Tenth(?:ly)?|Finally|Lastly|Last but not least|"
                        r"On the one hand|On the other hand|The (?:first|second|third|fourth|fifth) (?:is|was|one))\b")
# A sentence that announces the points after it: "… focuses on three aspects.", "… as follows:".
ANNOUNCE_RE = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|several|\d+)\s+(?:[\w-]+\s+){0,2}?"
                         r"(aspects|areas|measures|steps|points|tasks|priorities|directions|ways|fronts|parts|"
                         r"dimensions|features|characteristics|respects|things|initiatives|actions|goals)\b|"
                         r"\b(two|three|four|five|six|seven|eight|nine|ten|\d+)-(step|part|point|pronged|stage|phase|"
                         r"fold|track)\b|"  # "It is a three-step process."
                         r"\bas follows\b|:\s*$", re.I)
PLEASANTRY_RE = re.compile(r"^(?:Thank(?:s| you)\b|I(?:'ll| will| would like to)? (?:answer|take|respond|invite|"
                           r"have|ask)\b|I would like to (?:take this opportunity|invite)|That's all\b|Good (?:morning|"
                           r"afternoon|evening)\b)", re.I)


def sentences_of(chunk: Chunk, index) -> list[Sentence]:
    return index.sentences.get(chunk.id, [])


def centrality(chunk: Chunk, index) -> np.ndarray:
    sents = sentences_of(chunk, index)
    row = index.sentence_row[chunk.id]
    vecs = index.sentence_vecs[row:row + len(sents)]
    if not len(vecs):
        return np.zeros(0)
    centre = vecs.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    return vecs @ centre


def lead_sentences(chunk: Chunk, index, n: int = 1) -> list[Sentence]:
    """The answer's lead point: the most central of its first substantive sentences."""
    sents = sentences_of(chunk, index)
    cent = centrality(chunk, index)
    cands = [i for i, s in enumerate(sents) if not PLEASANTRY_RE.match(s.text) and len(s.text.split()) >= 6][:4]
    if not cands:
        return sents[:n]
    pick = sorted(cands, key=lambda i: -cent[i])[:n]
    return [sents[i] for i in sorted(pick)]


def summary_sentences(chunk: Chunk, index, budget: int) -> list[Sentence]:
    """Enumerated points first, then figure-bearing and central sentences, within `budget` words, in order."""
    sents = sentences_of(chunk, index)
    cent = centrality(chunk, index)
    usable = [i for i, s in enumerate(sents) if not PLEASANTRY_RE.match(s.text)]
    points = [i for i in usable if ORDINAL_RE.match(sents[i].text)]
    chosen: list[int] = []
    words = 0
    # Points first, each with the first figure it states; then figures, then the rest, by centrality.
    lead: list[int] = []
    if len(points) >= 2:
        before = points[0] - 1
        if before >= 0 and before in usable and ANNOUNCE_RE.search(sents[before].text):
            lead.append(before)  # "We will focus on four aspects to enhance …": what the points are about
        for k, i in enumerate(points):
            stop = points[k + 1] if k + 1 < len(points) else len(sents)
            lead.append(i)
            lead += [j for j in range(i + 1, stop) if j in usable and re.search(r"\d", sents[j].text)][:1]
    ranked = lead + sorted((i for i in usable if i not in lead),
                           key=lambda i: (not re.search(r"\d", sents[i].text), -cent[i]))
    for i in ranked:
        w = len(sents[i].text.split())
        if words + w > budget and chosen:
            if i in points:
                chosen.append(i)  # an enumerated point is never dropped
                words += w
            continue
        chosen.append(i)
        words += w
    return [sents[i] for i in sorted(chosen)]
