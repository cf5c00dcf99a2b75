"""Answers about the briefing itself, built from its structure and cited to header lines, labels and questions.

Who chaired, who spoke (with titles), the date, which outlets asked, how many questions, what an
outlet asked, who answered it (and who handed it off), which questions an official took, and the
whole table of exchanges. Every cell quotes the transcript: a header line, a speaker label or a
question, with its exact span.
"""
from __future__ import annotations

import re

from .answer import Composer, never_mentions
from .briefing import GENERIC_ASKERS, Briefing, Exchange, question_sentences
from .salience import lead_sentences
from .types import Answer, Cell, QueryPlan
from .turn_quotes import (about_briefing, answer_lead, closing_words, handoff_words, introductions,
                          quote_turn, welcome_naming)
from .wording import ORD, REPORTER_NAME_RE


def _briefings(plan: QueryPlan, lookup) -> list[Briefing]:
    from .scope import briefings

    bs = briefings(lookup.index)
    wanted = set(plan.scope.doc_ids) | set(lookup.filters.doc_ids if lookup.filters else ())
    if lookup.filters and lookup.filters.doc_id:
        wanted.add(lookup.filters.doc_id)
    return [b for b in bs if not wanted or b.doc_id in wanted]


def _heading(out: Composer, b: Briefing, many: bool) -> None:
    if many:
        out.add("attribution", f"{b.title} ({b.date or 'undated'}):", group=b.doc_id)


def member_cite(out: Composer, b: Briefing, m) -> int:
    """Cite the line naming roster person `m`: a header line, or the host's words introducing a guest."""
    return out.cite_source(b, m.line, "turn", m.said_by) if m.said_by else out.cite_source(b, m.line, "header", m.name)


def member_row(out: Composer, b: Briefing, name: str) -> None:
    """A row naming a roster person, cited to their header line (or to a label of theirs)."""
    m = b.member(name)
    if m is not None and m.line is not None:
        n = member_cite(out, b, m)
        out.add("row", cells=(Cell(m.name, n), Cell(m.title or m.role, n if m.title else None)), group=b.doc_id)
        for title, line in m.also:  # the header lists them again, with their title worded otherwise
            k = out.cite_source(b, line, "header", m.name)
            out.add("row", cells=(Cell(m.name, k), Cell(title.text, k)), group=b.doc_id)
        return
    label = next((q for cid, q in b.labels.items() if lookup_speaker(b, cid) == name), None)
    if label is not None:
        out.add("row", cells=(speaker_cell(out, b, name, label),), group=b.doc_id)


def lookup_speaker(b: Briefing, chunk_id: str) -> str | None:
    for c in b.opening:
        if c.id == chunk_id:
            return c.speaker
    for e in b.exchanges:
        for c in e.answers:
            if c.id == chunk_id:
                return c.speaker
    return None


def _line_quote(out: Composer, b: Briefing, line, said: str) -> None:
    """A header or trailer line (date, time, place) quoted under `said`, cited to its span."""
    n = out.cite_source(b, line, "header")
    out.add("attribution", said)
    out.add("quote", line.text, (n,))


def asker_cell(out: Composer, b: Briefing, e: Exchange) -> Cell:
    """Who asked, cited to the label; a reporter who named themself as they did ("Laura Kessler, AP"), a label that
    names no one as written ("QUESTION")."""
    shown = e.outlet if e.outlet.lower() in e.label.text.lower() and not e.reporter else e.label.text
    return Cell(shown, out.cite_source(b, e.label, "label", e.outlet))


def speaker_cell(out: Composer, b: Briefing, name: str, label, chunk=None) -> Cell:
    """An official by name, cited to the speaker label when it holds the name ("Shen Changyu:"), else to the
    header line that does ("MR WHITFORD:" is "Daniel Whitford, Spokesperson"), else shown as the label reads."""
    m = b.member(name)
    if label is not None and name.lower() in label.text.lower():
        return Cell(name, out.cite_source(b, label, "label", name, chunk))
    if m is not None and m.line is not None and name in m.line.text:
        return Cell(name, member_cite(out, b, m))
    if label is not None:
        return Cell(label.text, out.cite_source(b, label, "label", name, chunk))
    return Cell(name)


def exchange_row(out: Composer, b: Briefing, e: Exchange, with_question: bool = True) -> None:
    """Outlet → official(s) → the question's asking sentence, each cell cited."""
    cells = [asker_cell(out, b, e)]
    for c in e.answers:
        label = b.labels.get(c.id)
        cells.append(speaker_cell(out, b, c.speaker, label, c))
    if not e.answers:
        cells.append(Cell("(no answer in the transcript)"))
    if with_question:
        cells += _question_cell(out, b, e)
    out.add("row", cells=tuple(cells), group=b.doc_id)


def _question_cell(out: Composer, b: Briefing, e: Exchange) -> list[Cell]:
    """The exchange's asking sentence as a cell, cited to its span (none when the question has no text)."""
    from .briefing import Quoted

    asks = question_sentences(e)
    if not asks:
        return []
    q = asks[0]
    return [Cell(q.text, out.cite_source(b, Quoted(q.text, q.start, q.end, q.line), "question", e.outlet,
                                         e.answers[0] if e.answers else None))]


def _exchanges_for(plan: QueryPlan, b: Briefing) -> list[Exchange]:
    ex = list(b.exchanges)
    if plan.scope.outlets:
        ex = [e for e in ex if e.outlet in plan.scope.outlets]
    officials = [o for o in plan.scope.officials if b.member(o) is None or b.member(o).role == "official"]
    if officials and plan.structure in ("answered", "answered_by", "handoffs", "count", "asked", "asked_about",
                                        "exchanges", "outlets"):
        # A count, or "which questions did X answer", is of the answers given; the other kinds also list the
        # questions an official handed on.
        ex = [e for e in ex if set(e.officials) & set(officials)
              or (plan.structure not in ("count", "answered") and any(h[0] in officials for h in e.handoffs))]
    return ex


def answer_structure(plan: QueryPlan, lookup, settings) -> Answer:
    """The structure answer for `plan.structure` (see module doc)."""
    out = Composer()
    bs = _briefings(plan, lookup)
    kind = plan.structure or "exchanges"
    many = len(bs) > 1
    if not bs:
        out.add("notice", "No briefing matches the filters, so there was nothing to search.")
        return out.answer(plan.question, "structure", True, "empty-scope")
    # "What was the name of the CCTV reporter?": labels that are outlets name no reporter; say so, and show what
    # the transcript does give (an abstention: the name is not there).
    no_names = bool(REPORTER_NAME_RE.search(plan.question)) and kind in REPORTER_KINDS and all(
        e.outlet.lower() not in GENERIC_ASKERS and e.reporter is None for b in bs for e in b.exchanges)
    if no_names:
        out.add("notice", "The transcript does not give reporters' names, only the news organization each "
                          "reporter named. What it gives:")
    missing = False  # the transcript has no time or place to give
    for b in bs:
        _heading(out, b, many)
        guests = introductions(b, plan.scope.officials, lookup.index) if kind == "introduced" else {}
        if guests:
            # "How did the spokesperson introduce the guest?": the words of the official who brought her up.
            for name, (by, turn) in guests.items():
                out.add("attribution", f"{by}, introducing {name}:", group=by)
                first, last = name.split()[0], name.split()[-1]
                quote_turn(out, b, turn, by, keep=lambda t: bool(re.search(rf"\b({first}|{last})\b", t)))
        elif kind in ("chair", "introduced"):
            mods = b.moderators or ()
            if not mods:
                out.add("notice", "The transcript names no moderator or chairperson.")
            out.add("table", cells=(Cell("Chairperson"), Cell("Title")))
            for m in mods:
                member_row(out, b, m.name)
            # "Who introduced the commissioner?": the moderator's words that name him.
            welcome_naming(out, b, [o for o in plan.scope.officials if o not in {m.name for m in mods}])
        elif kind == "speakers" or (kind == "title" and not plan.scope.officials):
            out.add("table", cells=(Cell("Speaker"), Cell("Title")))
            for m in _titled(plan, list(b.officials) + list(b.moderators)):
                member_row(out, b, m.name)
        elif kind == "most":
            counts = {m.name: sum(m.name in e.officials for e in b.exchanges) for m in b.officials}
            out.add("notice", "Questions answered, by official (counted from the speaker labels), most first:")
            out.add("table", cells=(Cell("Official"), Cell("Questions answered")))
            for name in sorted(counts, key=lambda n: -counts[n]):
                m = b.member(name)
                cite = member_cite(out, b, m) if m is not None and m.line is not None else None
                out.add("row", cells=(Cell(name, cite), Cell(str(counts[name]))), group=b.doc_id)
        elif kind == "title":
            out.add("table", cells=(Cell("Name"), Cell("Title")))
            for name in plan.scope.officials:
                member_row(out, b, name)
        elif kind == "opening_speaker":
            out.add("table", cells=(Cell("Opening statement by"), Cell("Title")))
            for c in b.opening:
                label = b.labels.get(c.id)
                m = b.member(c.speaker)
                cells = [speaker_cell(out, b, c.speaker, label, c)]
                if m is not None and m.line is not None and m.title:
                    cells.append(Cell(m.title, member_cite(out, b, m)))
                out.add("row", cells=tuple(cells), group=b.doc_id)
            welcome_naming(out, b, [c.speaker for c in b.opening])  # "… give the floor to Mr. Shen"
            for c in b.opening:
                out.add("attribution", f"{c.speaker}'s opening statement, its lead point:", group=c.speaker)
                out.quote_sentences(c, lead_sentences(c, lookup.index, 1), group=c.speaker)
        elif kind == "about":
            about_briefing(out, b)
        elif kind == "closing":
            closing_words(out, b)
        elif kind == "bio":
            # "What is Shen Changyu's educational background?": a transcript lists names and titles, no more.
            names = " or ".join(plan.scope.officials) or "the speakers"
            out.add("notice", f"The transcript gives no personal details of {names}; only the title it lists:")
            out.add("table", cells=(Cell("Name"), Cell("Title")))
            for name in plan.scope.officials:
                member_row(out, b, name)
            missing = True
        elif kind == "time":
            lines = [(what, q) for what, q in (("Began", b.time_line), ("Ended", b.end_line)) if q is not None]
            if not lines:
                out.add("notice", "The transcript gives no time of day for this briefing.")
                missing = True
            for what, q in lines:
                _line_quote(out, b, q, f"{what}, as the transcript records it:")
        elif kind == "place":
            if b.place_line is None:
                out.add("notice", "The transcript does not say where this briefing was held.")
                missing = True
            else:
                _line_quote(out, b, b.place_line, "Where it was held, from its header:")
        elif kind == "date":
            if b.date_line is not None:
                _line_quote(out, b, b.date_line, "Date of the briefing, from its header:")
            elif b.date:
                out.add("notice", f"The transcript states no date; its metadata gives {b.date}.")
            else:
                out.add("notice", "The transcript states no date.")
        elif kind in ("outlets", "count", "first_last"):
            ex = list(b.exchanges)
            if kind == "first_last":
                ex = _in_sequence(plan, b)
                if not ex:
                    n = len(b.exchanges)
                    out.add("notice", f"The briefing had {n} question{'s' if n != 1 else ''}, so none is number "
                                      f"{plan.nth}." if plan.nth else
                            f"No question came {'after' if _step(plan) > 0 else 'before'} "
                            f"{', '.join(plan.scope.outlets)}'s.")
                    continue
            elif kind == "count" and re.search(r"\b(officials|speakers|people)\b", plan.question, re.I):
                n = len(b.officials)
                out.add("notice", f"{n} official{'s' if n != 1 else ''} answered questions, with "
                                  f"{len(b.moderators)} moderator{'s' if len(b.moderators) != 1 else ''}:")
                out.add("table", cells=(Cell("Speaker"), Cell("Title")))
                for m in b.officials + b.moderators:
                    member_row(out, b, m.name)
                continue
            elif kind == "count" and (plan.scope.officials or plan.scope.outlets):
                # "How many questions did Hu Wenhui answer?" / "… did CCTV ask?": the exchanges in scope.
                ex = _exchanges_for(plan, b)
                who = " and ".join(plan.scope.officials or plan.scope.outlets)
                verb = "answered" if plan.scope.officials else "asked"
                out.add("notice", f"{who} {verb} {len(ex)} of the {len(b.exchanges)} question"
                                  f"{'s' if len(b.exchanges) != 1 else ''}, in the order asked:")
            else:
                outlets = b.outlets
                out.add("notice", f"{len(ex)} question{'s' if len(ex) != 1 else ''} from {len(outlets)} "
                                  f"outlet{'s' if len(outlets) != 1 else ''}, in the order asked:")
            out.add("table", cells=(Cell("Asked by"), Cell("Answered by"), Cell("Question")))
            for e in ex:
                exchange_row(out, b, e)
        elif kind == "handoffs":
            asked = _exchanges_for(plan, b)
            if plan.nth is not None or (_step(plan) and plan.scope.outlets):
                asked = [e for e in _in_sequence(plan, b) if e in asked]  # "… the final question: handed on?"
            ex = [e for e in asked if e.handoffs]
            if not ex and (plan.scope.outlets or plan.nth is not None) and asked:
                # "Did Shen pass the Zhinews question to Wang, or did Wang answer directly?": it was not handed on.
                out.add("notice", f"{', '.join(e.outlet for e in asked)}'s question was not handed from one official "
                                  "to another; it was answered directly:")
                out.add("table", cells=(Cell("Asked by"), Cell("Answered by"), Cell("Question")))
                for e in asked:
                    exchange_row(out, b, e)
                for e in asked[:3]:
                    handoff_words(out, b, e, lookup.index)  # "I'll answer this one."
                continue
            if not ex:
                out.add("notice", "No question was handed from one official to another.")
            out.add("table", cells=(Cell("Asked by"), Cell("Handed off by"), Cell("Answered by"), Cell("Question")))
            for e in ex:
                for (by, to), words in zip(e.handoffs, e.handoff_turns or ((None,) * len(e.handoffs))):
                    cells = [asker_cell(out, b, e)]
                    # A hand-off inside an answer ("… I will let Dan speak to …") shows who, as the header names her.
                    by_answer = next((a for a in e.answers if a.speaker == by), None)
                    if words is not None and by_answer is not None and by_answer.start <= words.start < by_answer.end:
                        cells.append(speaker_cell(out, b, by, b.labels.get(by_answer.id), by_answer))
                    else:
                        cells.append(Cell(words.text if words else by,
                                          out.cite_source(b, words, "answer", by) if words else None))
                    ans = next((c for c in e.answers if c.speaker == to), None)
                    label = b.labels.get(ans.id) if ans else None
                    cells.append(speaker_cell(out, b, to, label, ans))
                    cells += _question_cell(out, b, e)  # which question it was
                    out.add("row", cells=tuple(cells), group=b.doc_id)
        else:  # asked, asked_about, answered_by, answered, exchanges
            ex = _exchanges_for(plan, b)
            if kind in ("asked", "asked_about", "answered_by") and not plan.scope.outlets and plan.topic:
                ex = _exchanges_on_topic(plan, b, lookup)
            if not ex and (plan.scope.outlets or plan.scope.officials):
                who = ", ".join(plan.scope.outlets + plan.scope.officials)
                out.add("notice", f"No question in this briefing matches {who}.")
                continue
            out.add("table", cells=(Cell("Asked by"), Cell("Answered by"), Cell("Question")))
            for e in ex:
                exchange_row(out, b, e)
            if len(ex) <= 3:
                for e in ex:
                    handoff_words(out, b, e, lookup.index)
            if kind in ("asked", "asked_about", "answered_by") and len(ex) == 1 and ex[0].answers:
                answer_lead(out, b, ex[0], lookup)
    if no_names:
        return out.answer(plan.question, "structure", True, "unmatched-constraint: the reporter's name", (), plan.query)
    if missing and len(bs) == 1:
        what = "personal details" if kind == "bio" else f"the {kind}"
        return out.answer(plan.question, plan.intent, True, f"unmatched-constraint: {what}", (), plan.query)
    return out.answer(plan.question, "structure", False, None, (), plan.query)


REPORTER_KINDS = ("first_last", "asked", "asked_about", "answered_by", "outlets", "exchanges", "answered")


def _step(plan: QueryPlan) -> int:
    """+1 for 'the question after X's', -1 for 'before', 0 when the question names no neighbour."""
    rel = re.search(r"\b(after|following|followed|next|before|preceding|preceded|previous)\b", plan.question, re.I)
    return 0 if rel is None else 1 if rel.group(1).lower() in ("after", "following", "followed", "next") else -1


def pointed_to(plan: QueryPlan, index) -> list[Exchange]:
    """The exchanges a 'first/last/next question' plan points to, in every briefing it covers."""
    from .scope import briefings

    return [e for b in briefings(index) if not plan.scope.doc_ids or b.doc_id in plan.scope.doc_ids
            for e in _in_sequence(plan, b)]


# Several neighbours asked for: "the outlets (that asked) before X", "all the questions after X".
ALL_BEFORE_RE = re.compile(r"\b(outlets|reporters|journalists|questions|ones|all|every|each)\b.{0,60}\b(before|after|"
                           r"preceding|following)\b", re.I)


# "Reuters' first question", "her last one": the place among that asker's own questions.
OWN_NTH_RE = re.compile(rf"(['’]s?|\b(his|her|their))\s+(very )?({ORD}|last|final|next)\b", re.I)


def _in_sequence(plan: QueryPlan, b: Briefing) -> list[Exchange]:
    """The exchange a question points to by its place: 'the third question', 'the last question', or the one
    'after'/'before' a named outlet's."""
    ex = list(b.exchanges)
    step = _step(plan)
    if step and plan.scope.outlets:
        at = [i for i, e in enumerate(ex) if e.outlet in plan.scope.outlets]
        if at and ALL_BEFORE_RE.search(plan.question):
            # "List the outlets that got their questions in before Xinhua, in order": all of them.
            return ex[:at[0]] if step < 0 else ex[at[-1] + 1:]
        return [ex[i + step] for i in at if 0 <= i + step < len(ex)]
    n = plan.nth if plan.nth is not None else (-1 if re.search(r"\b(last|final|closing)\b", plan.question, re.I)
                                                  else 1)
    if plan.scope.outlets and OWN_NTH_RE.search(plan.question):
        ex = [e for e in ex if e.outlet in plan.scope.outlets]  # "the Reuters correspondent's first question"
    if n == -1:
        return ex[-1:]
    return ex[n - 1:n] if 1 <= n <= len(ex) else []


def _titled(plan: QueryPlan, members: list) -> list:
    """The members whose titles hold a word the question names ("on behalf of the SCIO", "from the CNIPA"), when
    that narrows the roster; else all of them."""
    from .scope import STOP
    from .wording import asking_part

    # Only the part that asks: "… an engineer at a power bureau. Who was on the stage?" is not about bureaus.
    asks = asking_part(plan.question)
    # Names of bodies, as written with capitals ("the SCIO", "the Patent Office"): "the intellectual property
    # administration" in lower case is everyone's employer, not one title's.
    words = [m.group(0) for m in re.finditer(r"[A-Za-z][\w-]{2,}", asks)
             if m.group(0).lower() not in STOP and m.group(0)[0].isupper() and m.start() > 0]
    named = [m for m in members if m.title and any(re.search(rf"\b{re.escape(w)}\b", m.title, re.I) for w in words)]
    return named if named and len(named) < len(members) else members


def _exchanges_on_topic(plan: QueryPlan, b: Briefing, lookup) -> list[Exchange]:
    """'Who asked about trademarks?': of the exchanges whose answers retrieval ranks in the top three for
    the topic, the one whose question shares most of the topic's words (the question is what was asked
    about; an answer may touch a topic in passing); ties go to the higher-ranked answer."""
    from .bm25 import tokenize

    # "Who answered the question on X, and was it passed on by the commissioner?": the official named may be
    # the one who handed it on, so who answered is searched among everyone's answers.
    officials = () if plan.structure == "answered_by" else plan.scope.officials
    hits = lookup.search(plan.query, lookup.scoped(officials, (), (b.doc_id,)), k=3)
    topic = set(tokenize(plan.topic or plan.query))
    found = []
    for h in hits:
        e = b.exchange_of(h.chunk.id)
        if e is not None and e not in found:
            found.append(e)
    if not found:
        return []
    shared = {id(e): len(topic & set(tokenize(e.question.text if e.question else ""))) for e in found}
    if re.search(r"\b(reporters|journalists|outlets|media outlets|news outlets|who all)\b", plan.question, re.I):
        # "Name the reporters who asked about patents": every one of them whose question names the topic.
        return [e for e in b.exchanges if e in found and shared[id(e)]] or found[:1]
    return [max(found, key=lambda e: (shared[id(e)], -found.index(e)))]


def answer_unknown(plan: QueryPlan, lookup, settings) -> Answer:
    """A name the question gives for a speaker matches nobody: say so, and who did speak."""
    out = Composer()
    out.add("notice", never_mentions(plan.scope.unknown) + " These people spoke at the briefing:")
    for b in _briefings(plan, lookup):
        out.add("table", cells=(Cell("Speaker"), Cell("Title")))
        for m in b.officials + b.moderators:
            member_row(out, b, m.name)
    return out.answer(plan.question, plan.intent, True, "unknown-speaker: " + ", ".join(plan.scope.unknown),
                      (), plan.query)
