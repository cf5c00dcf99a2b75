"""Enumerations inside an answer: its "First, … Second, …" points and its inline lists ("A, B and C").

`best_enumeration(plan, hits, scored, index, settings)` picks the complete enumeration that answers a
list question: the one most relevant to it, of the asked size when a count is asked ("the three …"),
and naming the asked thing ("which initiatives …" prefers "initiatives, such as A, B and C").
Every item is a verbatim span of the answer.
"""
from __future__ import annotations

import dataclasses
import re

from .salience import ANNOUNCE_RE, ORDINAL_RE, sentences_of
from .scope import folded, named_terms
from .types import Chunk, QueryPlan, Sentence
from .wording import NUMBERS

@dataclasses.dataclass(frozen=True)
class Enumeration:
    """A complete enumeration found in one answer: items as (start, end) spans, how relevant it is, and the
    sentence that announces it ("We will focus on four aspects …"), if one does."""

    chunk: Chunk
    items: tuple[tuple[int, int], ...]
    score: float
    lead: Sentence | None = None


def _ordinal_items(chunk: Chunk, index, item_words: int) -> list[tuple[int, int, list[int]]]:
    """Each 'First, …'/'Second, …' sentence with the sentences after it in its paragraph, within `item_words`."""
    sents = sentences_of(chunk, index)
    starts = [i for i, s in enumerate(sents) if ORDINAL_RE.match(s.text)]
    if len(starts) < 2:
        return []
    items = []
    for k, i in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(sents)
        j, words = i, len(sents[i].text.split())
        while j + 1 < stop and sents[j + 1].paragraph == sents[i].paragraph \
                and words + len(sents[j + 1].text.split()) <= item_words:
            j += 1
            words += len(sents[j].text.split())
        items.append((sents[i].start, sents[j].end, list(range(i, j + 1))))
    return items


LIST_CUE_RE = re.compile(r"(?::|\b(?:including|such as|namely|like|among them|among|covering|with|between|from))\s+",
                         re.I)
# Where an inline list ends: a clause ("… and C to promote …"), not a name's own preposition ("the Guidelines on
# Strengthening the Protection of …", whose next word is capitalised).
LIST_END_RE = re.compile(r"\s+(?:to|in order to|so as to|for|which|that|who|through|by|in|on|at)\s(?![A-Z])|[;:(]|"
                         r",\s+(?!and\b|or\b)[a-z]+ing\b|"
                         r"[.?!]\s*$")


# Before a list of places: "in", "to", "across" (used only when the question asks which places).
NAMES_CUE_RE = re.compile(r"\b(?:in|to|across|from|with|at|of)\s+(?=(?:the )?[A-Z])")
# Nouns (stems, as `asked_noun` gives them) that ask for places.
PLACE_NOUNS = {"countr", "nation", "citi", "provinc", "region", "place", "location", "econom", "state"}

_NAME = r"(?:the )?[A-Z][\w'-]*(?: (?:of |for |on |and )?[A-Z][\w'-]*)*"
CLAUSE_RE = re.compile(r",\s+(?:(?:and|or)\s+)?[a-z]")  # after a list of names: ", and were selected …"
NAMED_PAIR_RE = re.compile(rf"\b({_NAME}) and ({_NAME})")


def inline_items(sentence: Sentence, count: int | None = None, names: bool = False) -> list[tuple[int, int]]:
    """'… three systems: PCT, Hague and Madrid.' -> the spans of 'PCT', 'Hague', 'Madrid'. With `names`, also a list of
    names after "in"/"to"/"across" ("… events in France, Switzerland, Saudi Arabia and Singapore").

    >>> from qa.types import Sentence
    >>> s = Sentence('We held "Invest in China" events in France, Switzerland, Saudi Arabia and Singapore.', 0, 83, "c", 0)
    >>> [s.text[a:b] for a, b in inline_items(s, names=True)], inline_items(s)
    (['France', 'Switzerland', 'Saudi Arabia', 'Singapore'], [])

    Items are the comma-separated parts after a cue (':', 'including', 'such as', 'with', …), the
    last one after 'and'/'or'; names that contain 'and' stay whole unless they are the last part.
    'and other departments' is not an item. At least three items, or exactly `count`; for a count of
    two, two names joined by "and" anywhere in the sentence.
    """
    text = sentence.text
    # "Which countries …": "… events in France, Switzerland, Saudi Arabia and Singapore" lists them after "in";
    # and a list of anything else ("… from government departments, universities and …") does not answer it.
    cues = (list(NAMES_CUE_RE.finditer(text)) if names else []) + list(LIST_CUE_RE.finditer(text))
    for cue in cues:
        start = cue.end()
        rest = text[start:]
        if rest.count("; ") >= 2:
            # "among A, B and C; D; E and F." — semicolons separate items that hold commas themselves.
            body = rest.rstrip(" .")
            pieces = body.split("; ")
        else:
            # The last item follows the Oxford ", and"/", or" when there is one, else the first "and"/"or".
            oxford = min((i for i in (rest.find(", and "), rest.find(", or ")) if i >= 0), default=-1)
            if names and oxford >= 0 and not re.match(r",\s+(?:and|or)\s+(?:the )?[A-Z]", rest[oxford:]):
                oxford = -1  # "… in Cambodia, Laos and Vietnam, and were selected …": a clause, not the last name
            first_and = oxford if oxford >= 0 else min((i for i in (rest.find(" and "), rest.find(" or "))
                                                        if i >= 0), default=-1)
            if first_and < 0:
                continue
            end_m = LIST_END_RE.search(rest, first_and + 5)
            body = rest[:end_m.start() if end_m else len(rest)].rstrip(" .,")
            clause = CLAUSE_RE.search(body, first_and) if names else None
            body = body[:clause.start()] if clause else body  # names end where a clause starts
            well = body.rfind(" as well as ")
            if well >= 0:
                head, tail = body[:well], body[well + len(" as well as "):]  # "A, B as well as C"
            elif 0 <= oxford < len(body):
                head, tail = body[:oxford], re.sub(r"^,\s+(?:and|or)\s+", "", body[oxford:])
            else:
                joiner = " and " if body.rfind(" and ") >= body.rfind(" or ") else " or "
                head, _, tail = body.rpartition(joiner)
            if names and (m := re.match(_NAME, tail)):
                tail = m.group(0)  # "… Uruguay and Argentina, Vice Foreign Minister …"
            pieces = re.split(r",\s+", head) + [tail]  # "10,000" is a figure, not two items
        parts, pos = [], 0
        for piece in pieces:
            p = re.sub(r"^(?:and|or)\s+", "", piece.strip()).rstrip(",;")
            if not p:
                continue
            i = body.find(p, pos)
            pos = i + len(p)
            if re.match(r"(other|etc|and so on)\b", p, re.I):
                continue
            parts.append((sentence.start + start + i, sentence.start + start + i + len(p), p))
        # Items are short noun phrases: no clause ("to promote …"), no leading preposition or verb form.
        ok = len(parts) >= 3 or (count is not None and len(parts) == count >= 2)
        if names:  # names only: "France", "Saudi Arabia", "the Netherlands", "Japan (22,000)"
            ok = ok and all(re.fullmatch(_NAME, re.sub(r"\s*\([^()]*\)$", "", p)) for _, _, p in parts)
        if ok and all(len(p.split()) <= 12 and ":" not in p and not re.search(r"\b(to|will|have|has|were|was|is|are)\b", p)
                      and not re.match(r"(with|by|for|in|on|at|from|as|including|such as|namely|like|among)\b", p)
                      for _, _, p in parts):
            a, b, p = parts[-1]
            paren = re.match(r"\s*\([^()]{1,40}\)", text[b - sentence.start:])
            if paren and any(q.endswith(")") for _, _, q in parts[:-1]):
                parts[-1] = (a, b + paren.end(), p)  # "…, and South Korea (10,000)" like the items before it
            return [(a, b) for a, b, _ in parts]
    if count == 2:
        # "Which two laws …": two names joined by "and" need no cue ("amendments to the Trademark Law and the Patent Law").
        for m in NAMED_PAIR_RE.finditer(text):
            if m.start() > 0:
                return [(sentence.start + m.start(1), sentence.start + m.end(1)),
                        (sentence.start + m.start(2), sentence.start + m.end(2))]
    return []


def slice_of(chunk: Chunk, a: int, b: int) -> str:
    """The text of `chunk` at source span a..b (inside one paragraph)."""
    para = next(p for p in chunk.paragraphs if p.start <= a and b <= p.end)
    return para.text[a - para.start:b - para.start]


# "which initiatives …", "list the five key characteristics …", "what 4 aspects …": the thing asked for.
ASKED_RE = re.compile(r"\b(?:which|what|list|name|enumerate)\s+(?:(?:are|were|is|was)\s+)?(?:the\s+|all\s+(?:the\s+)?)?"
                      r"(?:[\w-]+\s+){0,2}?"
                      r"([a-z]{3,}(?:ies|s))\b", re.I)
NOT_ASKED = {"does", "was", "has", "this", "is", "his", "its", "yours", "plans"}


def announced_points(chunk: Chunk, sentence: Sentence, index) -> list[Sentence]:
    """When `sentence` announces a number of points ("… which focuses on three aspects.") and that many
    "First, …"/"Second, …" sentences follow it in `chunk`, those sentences; else []."""
    m = ANNOUNCE_RE.search(sentence.text)
    if not m or not m.group(1):
        return []
    n = NUMBERS.get(m.group(1).lower()) or (int(m.group(1)) if m.group(1).isdigit() else 0)
    sents = sentences_of(chunk, index)
    at = next((i for i, s in enumerate(sents) if s.start == sentence.start), None)
    if not n or at is None:
        return []
    points = [s for s in sents[at + 1:] if ORDINAL_RE.match(s.text)]
    nxt = sents[at + 1] if at + 1 < len(sents) else None
    return points[:n] if len(points) >= n and nxt is not None and ORDINAL_RE.match(nxt.text) else []


def asked_noun(question: str) -> str | None:
    """The plural noun a list question asks for, as a stem: 'Which countries?' -> 'countr'.

    >>> asked_noun("Which countries?"), asked_noun("What are the three steps of renewal?")
    ('countr', 'step')
    """
    m = ASKED_RE.search(question)
    if not m or m.group(1).lower() in NOT_ASKED:
        return None
    w = m.group(1).lower()
    return w[:-3] if w.endswith("ies") else w[:-1]


# Nouns a list question and the transcript use for the same kind of item (stems, as `asked_noun` gives them).
NOUN_KIN = ({"area", "field", "sector", "domain", "aspect"}, {"measure", "step", "action", "initiative"},
            {"countr", "nation", "econom"}, {"bod", "institution", "organization", "organisation", "department"})


def _says_noun(text: str, noun: str) -> bool:
    """Whether `text` says the asked noun or one of its kin anywhere, as the start of a word."""
    kin = next((k for k in NOUN_KIN if noun in k), {noun})
    return any(re.search(rf"\b{re.escape(n)}", text, re.I) for n in kin)


def _names_noun(text: str, a: int, b: int, sentence: Sentence, noun: str) -> bool:
    """Whether the asked noun, or one of its kin ("fields" for "areas"), is said with the list: just before its
    first item or just after its last ("initiatives, such as A, B and C"; "A, B and other countries")."""
    before = text[max(0, a - sentence.start - 60):a - sentence.start].lower()
    after = text[b - sentence.start:b - sentence.start + 30].lower()
    kin = next((k for k in NOUN_KIN if noun in k), {noun})
    return any(n in before or n in after for n in kin)


def counted_enumeration(plan: QueryPlan, chunks, index, settings) -> Enumeration | None:
    """'The five areas in his opening remarks': when the question pins one answer (the opening, an outlet's
    question) and asks for a number of points, the ordinal list of exactly that many in it, however its words
    score."""
    if not plan.count or not (plan.scope.opening or plan.scope.outlets):
        return None
    found = []
    for c in chunks:
        items = _ordinal_items(c, index, settings.list_item_words)
        if len(items) == plan.count:
            sents = sentences_of(c, index)
            first = items[0][2][0]
            lead = sents[first - 1] if first > 0 and ANNOUNCE_RE.search(sents[first - 1].text) else None
            found.append(Enumeration(c, tuple((a, b) for a, b, _ in items), 1.0, lead))
    return found[0] if len(found) == 1 else None


def best_enumeration(plan: QueryPlan, hits, scored, index, settings) -> Enumeration | None:
    """The enumeration among the answers of `hits` that answers the list question `plan`, or None."""
    rel = {(s.chunk.id, s.sentence.start): s.relevance for s in scored}
    chunk_best: dict[str, float] = {}
    for x in scored:
        chunk_best.setdefault(x.chunk.id, x.relevance)
    best = scored[0].relevance
    noun = asked_noun(plan.standalone)
    names = named_terms(plan.standalone, index)  # "… China has PPH deals with": the list beside "PPH"
    cands: list[Enumeration] = []
    for hit in hits:
        c = hit.chunk
        sents = sentences_of(c, index)
        items = _ordinal_items(c, index, settings.list_item_words)
        if items:
            # How well the whole list speaks to the question: its answer's best sentence and its items' mean.
            per_item = [max(rel.get((c.id, sents[i].start), 0.0) for i in ids) for _, _, ids in items]
            first = items[0][2][0]
            lead = sents[first - 1] if first > 0 and ANNOUNCE_RE.search(sents[first - 1].text) else None
            # The sentence announcing the points ("The new batch has three priorities.") speaks for them too.
            said = rel.get((c.id, lead.start), 0.0) if lead is not None else 0.0
            score = 0.5 * chunk_best.get(c.id, 0.0) + 0.5 * max(per_item + [said])
            # "… showed five key characteristics": the announcement names what was asked for.
            says = bool(noun) and lead is not None and noun in lead.text.lower()
            cands.append(Enumeration(c, tuple((a, b) for a, b, _ in items), score + 0.1 * says, lead))
        for s in sents:
            parts = inline_items(s, plan.count, names=noun in PLACE_NOUNS)
            if not parts:
                continue
            # "Which bodies/countries …" ask for names: a list of named things beats a list of phrases.
            named = all(re.search(r"\b[A-Z]", slice_of(c, a, b)) for a, b in parts)
            says = bool(noun) and _names_noun(s.text, parts[0][0], parts[-1][1], s, noun)
            if noun and not says and not (named and noun in PLACE_NOUNS) and _says_noun(s.text, noun):
                # '… the "four full considerations" basic principles … and research on key issues such as A, B and
                # C': the sentence names the asked principles elsewhere, and this list is of something else. (A list
                # of names answers "which countries" whatever the sentence calls them.)
                continue
            # An inline list answers when its sentence is among the most relevant ones; a little less relevant
            # when it lists the places asked for, saying so ("… to countries including Cambodia, Laos and Tonga").
            if rel.get((c.id, s.start), 0.0) >= (0.6 if noun in PLACE_NOUNS and says else 0.75) * best:
                score = 0.5 * chunk_best.get(c.id, 0.0) + 0.5 * rel.get((c.id, s.start), 0.0)
                # The name beside the list, not inside an item ("… from over 60 Belt and Road partner countries,
                # regions …" is no list of what Belt and Road projects cover).
                a0, b1 = parts[0][0] - s.start, parts[-1][1] - s.start
                beside = any(n in folded(s.text[:a0] + " " + s.text[b1:]) for n in names)
                cands.append(Enumeration(c, tuple(parts), score + 0.03 * named + 0.1 * says + 0.1 * beside))
    # A usable enumeration is about as relevant as the best sentence; the asked count decides ties.
    good = [e for e in cands if e.score >= 0.85 * best or (plan.count and len(e.items) == plan.count
                                                          and e.score >= settings.list_counted_floor * best)]
    if plan.count:
        exact = [e for e in good if len(e.items) == plan.count]
        good = exact or good
    return max(good, key=lambda e: e.score) if good else None
