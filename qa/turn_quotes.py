"""Structure answers' quotes of the briefing's own turns: the moderator's welcome and closing words, the words that
introduce a guest, hand a question on or take it, and an answer's lead point, each sentence cited to its span."""
from __future__ import annotations

import re

from .answer import Composer
from .briefing import Briefing, Exchange
from .salience import lead_sentences


def closing_words(out: Composer, b: Briefing) -> None:
    """Who closed the briefing and their words, or what the transcript ends with instead."""
    if b.closing is None:
        out.add("notice", "The transcript has no closing turn by the moderator.")
        return
    out.add("attribution", f"{b.closing_speaker}, closing the briefing:", group=b.closing_speaker)
    quote_turn(out, b, b.closing, b.closing_speaker)


def about_briefing(out: Composer, b: Briefing) -> None:
    """What the briefing is: its title (quoted from the text when it is there) and the moderator's welcome."""
    if b.title_line is not None:
        out.add("attribution", "Title, from the transcript:")
        out.add("quote", b.title_line.text, (out.cite_source(b, b.title_line, "header"),))
    else:
        out.add("notice", f"Title (from the file's metadata, not the transcript): {b.title}")
    if b.welcome is not None:
        first = b.moderators[0].name if b.moderators else ""
        out.add("attribution", f"{first or 'The moderator'}, opening the briefing:", group=first)
        quote_turn(out, b, b.welcome, first, sentences=3)


def introductions(b: Briefing, names, index) -> dict:
    """{guest: (the official who introduced them, that turn as a Quoted)} for each of `names` whose first words
    are a statement that another official's turn, just before, brings up by name ("I am pleased to welcome
    Rachel Dunmore, …")."""
    from .briefing import Quoted

    chunks = sorted((c for c in index.chunks if c.doc_id == b.doc_id), key=lambda c: c.start)
    out = {}
    for name in names:
        at = next((i for i, c in enumerate(chunks) if c.speaker == name), None)
        if not at or chunks[at].asked_by is not None:
            continue
        prev = chunks[at - 1]
        if prev.speaker != name and re.search(rf"\b{re.escape(name.split()[-1])}\b|\b{re.escape(name)}\b", prev.text):
            out[name] = (prev.speaker, Quoted(b.text[prev.start:prev.end], prev.start, prev.end, prev.first_line))
    return out


def welcome_naming(out: Composer, b: Briefing, names: list[str]) -> None:
    """The sentences of the moderator's welcome that name one of `names` (by surname), quoted."""
    mods = b.moderators
    if not names or b.welcome is None or not mods:
        return
    surnames = {n.split()[0] for n in names}
    out.add("attribution", f"{mods[0].name}, opening the briefing:", group=mods[0].name)
    quote_turn(out, b, b.welcome, mods[0].name, keep=lambda t: any(re.search(rf"\b{re.escape(x)}\b", t)
                                                                     for x in surnames))


def quote_turn(out: Composer, b: Briefing, turn, who: str, sentences: int | None = None, keep=None) -> None:
    """A moderator's turn (a `Quoted`) as quotes, a sentence each (those `keep` accepts), each cited to its span
    (kind "turn")."""
    from .briefing import Quoted
    from .passages import split_sentences

    for text, s, e in [x for x in split_sentences(turn.text, turn.start) if keep is None or keep(x[0])][:sentences]:
        out.add("quote", text, (out.cite_source(b, Quoted(text, s, e, turn.line), "turn", who),), group=who)


# "I'll answer this one.", "I will answer these questions.": an official taking a question himself.
TAKES_IT_RE = re.compile(r"\bI(?:'ll| will| shall| would like to)? (?:answer|take|respond to|address)\b", re.I)


def handoff_words(out: Composer, b: Briefing, e: Exchange, index) -> None:
    """Under a few exchanges: the words with which an official passed the question on, or took it himself, quoted."""
    for (by, to), words in zip(e.handoffs, e.handoff_turns):
        out.add("attribution", f"{by} passed {e.outlet}'s question to {to}:", group=by)
        quote_turn(out, b, words, by)
    if not e.handoffs and e.answers:
        from .scope import women_of

        c = e.answers[0]
        took = [x for x in index.sentences.get(c.id, [])[:3] if TAKES_IT_RE.search(x.text)][:1]
        if took:
            self_ = "herself" if c.speaker in women_of(index) else "himself"
            out.add("attribution", f"{c.speaker} took {e.outlet}'s question {self_}:", group=c.speaker)
            out.quote_sentences(c, took, group=c.speaker)


def answer_lead(out: Composer, b: Briefing, e: Exchange, lookup) -> None:
    """The answer's lead point under a single exchange: what the official said first of substance."""
    for c in e.answers:
        sents = lead_sentences(c, lookup.index, 1)
        if sents:
            out.add("attribution", f"{c.speaker}'s answer, its lead point:", group=c.speaker)
            out.quote_sentences(c, sents, group=c.speaker)
