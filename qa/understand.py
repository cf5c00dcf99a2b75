"""Understand a question: its intent, its scope (officials, outlets, briefings), the words to search for.

`plan(question, history, index)` returns a QueryPlan. The rules read the question's own words and
the corpus's structure (roster names and titles, outlet labels, briefing titles and dates); none is
written for one question. Intent accuracy is measured on the labelled gold set (`briefqa eval`).
"""
from __future__ import annotations

import re

from .condense import is_elliptical, is_follow_up
from .scope import (absent_terms, answering_official, briefing_scope, briefings, corpus_lower, find_mentions,
                    roster_words, topic_words, unknown_speakers, women_of)
from .spelling import speller_for
from .types import QueryPlan, Scope
from .wording import (AGREE_RE, ANSWER_WORDS_RE, ASKS_ON_ITS_OWN_RE, ASKS_RE, ASK_WORDS, BRIEFING_RE, CARRIED,
                      COMPARE_RE, COUNT_WORDS, FALLBACK_CUES, FEMININE_RE, FIGURES_RE, FOCUS_BREAK_RE, LIST_RE,
                      NAMED_EVENT_RE, NOT_PLURAL, NTH_RE, NUMBERS, OBJECT_STARTS, OPENING_RE, ORDINALS,
                      OUTLET_ANSWER_RE, OVERVIEW_RE, PLURAL_ASK_RE, POINTS_BACK_RE, PRONOUN_RE, SPOKE_OF_RE, STEP_RE,
                      STEP_WORDS, STRUCTURE_RULES, SUBJECT_RE, SUMMARY_RE, TOPIC_CHANGE_RE, VIEW_WORDS, VIEWS_OF_MANY_RE,
                      WHO_RE)


def _asks_for_many(q: str) -> bool:
    """'Which countries …', 'What policy documents …': the question asks for several things (not 'How did they
    find out what patents they hold?', which asks how)."""
    if re.match(r"\W*(how|why)\b(?! many\b)", q, re.I):
        return False
    m = PLURAL_ASK_RE.search(q)
    aux = {"did", "do", "does", "was", "were", "is", "are", "has", "have", "had", "will", "would", "can", "could",
           "should", "might", "may"}
    subjects = {"it", "he", "she", "they", "we", "you", "i", "this", "that", "china", "cnipa"}
    if not m or m.group(2).lower() in NOT_PLURAL or (aux | subjects) & set(m.group(1).lower().split()):
        return False  # "what it pays out": a subject before the word in -s makes it a verb
    if re.match(r"(share|proportion|percentage|percent|number|amount|value|rate|total|portion|fraction|volume|level|"
                r"growth|increase|rise)\s+of\b", m.group(1), re.I):
        return False  # "What share of invention patents …" asks for one figure
    # "Which agency co-hosts the conference": a word in -s followed by an object is a verb, not a plural.
    after = re.match(r"\s+([\w'’]+)", q[m.end():])
    return not (m.group(1).strip() and after and after.group(1).lower() in OBJECT_STARTS)


def _focus(bare: str, index) -> str:
    """The question without the words of a framing lead that the corpus lacks ("Quick bullets for my board: key
    takeaways from the Belt and Road answer" -> "key takeaways from the Belt and Road answer"). Only when the last
    part asks on its own, with its own topic and nothing pointing back into the lead: there the lead is framing,
    and its words the corpus has stay as context."""
    n = framing_lead(bare)
    if not n:
        return bare
    corpus = corpus_lower(index)
    lead = [w for w in topic_words(bare[:n]) if re.search(rf"\b{re.escape(w.lower())}\b", corpus)]
    return " ".join(lead + [bare[n:].strip()])


def framing_lead(text: str) -> int:
    """The length of `text`'s framing lead ("Here's one from a caller named Priya: …"), 0 when there is none: the
    last part after a break asks on its own, with its own topic and nothing pointing back into the lead."""
    breaks = list(FOCUS_BREAK_RE.finditer(text))
    if not breaks:
        return 0
    last = text[breaks[-1].end():]
    if not ASKS_ON_ITS_OWN_RE.search(last) or POINTS_BACK_RE.search(last) or not topic_words(last):
        return 0
    return breaks[-1].end()


# A question word inside a follow-up's new topic: it asks a question of its own.
OWN_ASK_RE = re.compile(r"\b(how|what|which|who|whom|when|where|why)\b", re.I)


def _intent(q: str, officials: set[str], structure: str | None, count: int | None) -> str:
    if structure == "bio":
        return "fact"  # a fact about a person, which only the header's title can speak to
    if structure:
        return "structure"
    if (COMPARE_RE.search(q) or AGREE_RE.search(q)) and len(officials) >= 2:
        return "compare"
    if FIGURES_RE.search(q) and not count:
        return "overview"  # "What numbers did they give on geographical indications?": every answer's figures
    if SUMMARY_RE.search(q):
        return "summary"
    if LIST_RE.search(q) or count or _asks_for_many(q):
        return "list"
    if OVERVIEW_RE.search(q) and not WHO_RE.search(q):
        return "overview"  # but "Which speaker talked about X?" asks for a person
    if COMPARE_RE.search(q) and VIEWS_OF_MANY_RE.search(q):
        return "overview"  # "how do the officials' views differ on X" without two names: everyone's words on X
    return "fact"


def _structure(q: str, kinds: set[str]) -> str | None:
    """Which structure question this is, if any (an outlet or official in scope makes some kinds possible)."""
    for kind, rx in STRUCTURE_RULES:
        if not rx.search(q):
            continue
        if kind == "asked" and ("outlet" not in kinds and "official" not in kinds
                                or re.search(r"\banswer(s|ed)?\b", q, re.I)):
            continue  # "what was the answer to CCTV's question on X" asks for the answer, not the question
        if kind == "asked" and "outlet" not in kinds and not re.search(r"\bwas \w+( \w+)? asked\b", q, re.I):
            continue  # "what did Hu Wenhui ask for" is not about a question he was asked
        if kind == "title" and not ({"official", "moderator"} & kinds):
            continue
        if kind == "bio" and not ({"official", "moderator"} & kinds):
            continue  # "his background" of someone the question does not name is no roster person's
        if kind == "introduced" and ("official" not in kinds or "outlet" in kinds):
            continue  # with an outlet it is about that exchange: who answered, introduced in the hand-off
        if kind == "outlets" and "outlet" in kinds:
            continue  # "What did the China Daily reporter ask?" is about that outlet's question
        if kind == "outlets" and "official" in kinds:
            kind = "answered"  # "Which reporters' questions did Wang respond to?": the ones he answered
        if kind == "answered" and "official" not in kinds:
            continue
        if kind == "answered_by" and not ("outlet" in kinds or re.search(r"\bquestions?\b", q, re.I)):
            continue
        if kind == "answered_by" and "official" in kinds and "outlet" not in kinds \
                and not re.match(r"\W*(who|which officials?)\b", q, re.I):
            kind = "answered"  # "Which outlets had their questions handled by Hu?": the ones he answered
        if kind == "asked_about" and "outlet" in kinds:
            continue  # "who asked the Xinhua question" is the outlet's own question: see "asked"
        if kind == "date" and not BRIEFING_RE.search(q) and re.search(r"\b(held|hosted|took place|signed|"
                                                                   r"launched|issued|announced)\b", q, re.I):
            continue  # "Which day was the forum held?" asks about something the briefing reported, not its date
        if kind == "date" and (re.search(r"\bwill\b", q, re.I) or NAMED_EVENT_RE.search(q)):
            continue  # "Which day will the Third … Conference open?": an event the briefing spoke of, still to come
        return kind
    return None


def fallback_structure(plan: QueryPlan, index) -> str | None:
    """The structure question a question that retrieval could not answer may be, by its words about the briefing:
    an outlet named with answer words -> who answered it, else what it asked; a count of questions or officials,
    the chair, the series, the panel. None when it has no such words or names an official ("the host" names the
    moderator, which does not count)."""
    q = plan.question
    moderators = {m.name for b in briefings(index) for m in b.moderators}
    officials = [o for o in plan.scope.officials if o not in moderators]
    if plan.scope.outlets and not officials:
        return "answered_by" if OUTLET_ANSWER_RE.search(q) else "asked" if ASKS_RE.search(q) else None
    if plan.scope.outlets or officials:
        return None
    if SPOKE_OF_RE.search(q):
        return None  # "Did anyone on the panel address whether an AI can be an inventor?" asks what was said
    return next((kind for kind, rx in FALLBACK_CUES if rx.search(q)), None)


def _outlet_question(q: str, topic: list[str]) -> bool:
    """An outlet is named and the question asks what it asked, with at most two words of topic of its own."""
    rest = [w for w in topic if w.lower() not in ASK_WORDS]
    return bool(ASKS_RE.search(q)) and not ANSWER_WORDS_RE.search(q) and len(rest) <= 2


def _carried(q: str, topic: list[str], prev: QueryPlan, named: bool, nth: int | None) -> str | None:
    """The structure kind a terse follow-up of a structure question keeps: 'And the one from X?', 'the last one?';
    after a count of one official's or outlet's questions, 'Which ones?' is answered by that count's list."""
    topic = [w for w in topic if w.lower() not in STEP_WORDS]
    if prev.intent != "structure" or prev.structure not in CARRIED or len(topic) > 2 \
            or any(rx.search(q) for rx in (SUMMARY_RE, LIST_RE, OVERVIEW_RE, COMPARE_RE)):
        return None  # "Can you sum up what he said?" asks for a summary
    if nth is not None or STEP_RE.search(q):
        return "first_last"
    if not named and is_elliptical(q) and prev.structure == "count" and (prev.scope.officials or prev.scope.outlets):
        return "count"  # the count's answer lists them, in the order asked
    return prev.structure if named else None


def _nth(q: str) -> int | None:
    """'the third question' -> 3, 'the 5th question' -> 5, 'the last question' -> -1."""
    m = NTH_RE.search(q)
    if not m:
        return None
    w = (m.group(1) or m.group(3)).lower()
    if w in ("last", "final", "closing"):
        return -1
    if w == "opening":
        return 1
    return ORDINALS.get(w) or int(re.match(r"\d+", w).group(0))


def _count(q: str) -> int | None:
    m = re.search(r"\b(?:the|all the|all|these|those|which|what|top)\s+(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
                  r"(?!percent|per|times|years?|months?|days?|million|billion)", q, re.I)
    if not m:
        return None
    w = m.group(1).lower()
    return int(w) if w.isdigit() else NUMBERS.get(w)


def _without(q: str, spans) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        out.append(q[pos:s])
        pos = max(pos, e)
    out.append(q[pos:])
    return re.sub(r"\s+", " ", "".join(out)).strip(" ,;:")


def plan(question: str, history: list[str] | None, index, _depth: int = 0) -> QueryPlan:
    """How to answer `question` (already cleaned) given earlier user questions `history` (oldest first).

    >>> p = plan("Who chaired the press conference?", [], index)        # doctest: +SKIP
    >>> p.intent, p.structure                                         # doctest: +SKIP
    ('structure', 'chair')
    """
    history = [h for h in (history or []) if h and h.strip()]
    corrected, fixes = speller_for(index).correct(question)
    mentions = find_mentions(corrected, index)
    notes: list[str] = []
    officials = tuple(dict.fromkeys(m.who for m in mentions if m.kind in ("official", "moderator")))
    outlets = tuple(dict.fromkeys(m.who for m in mentions if m.kind == "outlet"))
    follow = is_follow_up(corrected, history)
    from_history = False
    prev: QueryPlan | None = None
    if history and _depth < 3:
        prev = plan(history[-1], history[:-1], index, _depth + 1)
    speaker = SUBJECT_RE.search(corrected)
    if prev is not None and follow and speaker and officials and not outlets:
        # "Did he also say the commissioner sat in?": "he" speaks; the official named is what he spoke of.
        referent = prev.scope.officials or answering_official(prev.query, index)
        if referent and set(referent) != set(officials):
            officials, from_history = referent, True
            notes.append(f"'{speaker.group('who') or speaker.group('who2')}' taken as {', '.join(officials)} "
                         "from the previous question")
    elif prev is not None and not officials and not outlets and follow and PRONOUN_RE.search(corrected):
        if prev.scope.outlets and prev.intent == "structure" and (not prev.scope.officials or prev.structure in (
                "answered_by", "handoffs")):
            # "Did Shen take the Xinhua question or pass it on?" then "What did he say …": the one who answered.
            # "Who fielded the Xinhua question?" then "What's his title?": he answered that question.
            officials = tuple(dict.fromkeys(o for b in briefings(index) for e in b.exchanges
                                            if e.outlet in prev.scope.outlets for o in e.officials))
            from_history = bool(officials)
            # "… the gist of that official's rundown": his answer to that question.
            outlets = () if officials and not SUMMARY_RE.search(corrected) else prev.scope.outlets
        elif prev.scope.outlets and not prev.scope.officials:
            outlets = prev.scope.outlets
        else:
            # "he" is the official the previous question named, else the one whose answer it finds first; "she"
            # or "her" is a woman, by the honorific the header gives ("Ms. Xing Huina").
            officials = prev.scope.officials or answering_official(prev.query, index)
            if FEMININE_RE.search(corrected):
                women = women_of(index)
                officials = tuple(o for o in officials if o in women) or (
                    women if len(women) == 1 or prev.structure == "chair" else ())
            from_history = bool(officials)
            if officials:
                notes.append(f"'{PRONOUN_RE.search(corrected).group(0)}' taken as {', '.join(officials)} "
                             "from the previous question")
    if prev is not None and follow and not officials and not outlets and (prev.scope.outlets or prev.intent ==
                                                                          "structure"):
        outlets = prev.scope.outlets  # "And who answered it?" after "What did the China Daily reporter ask?"
        if prev.structure == "first_last":
            # "… who took the next one?" then "What was that reporter asking about?": the question it pointed to.
            from .structure import pointed_to

            outlets = tuple(dict.fromkeys(e.outlet for e in pointed_to(prev, index))) or outlets
        elif not officials and prev.intent == "structure":
            officials = prev.scope.officials
    kinds = {m.kind for m in mentions} | ({"outlet"} if outlets else set()) | ({"official"} if officials else set())
    structure = _structure(corrected, kinds)
    spans = [(m.start, m.end) for m in mentions]
    bare = _without(corrected, spans)  # the question without the names it mentions
    own_topic = topic_words(_focus(bare, index))  # without a framing lead's words
    nth = _nth(corrected)
    if structure == "count" and not re.search(r"\bhow many (of the )?((reporter|journalist|media|press)'?s?'? )?"
                                              r"(questions|exchanges)\b", corrected, re.I) \
            and len([w for w in own_topic if w.lower() not in COUNT_WORDS | roster_words(index)]) > 1:
        # "how many officials and practitioners were trained?", "how many reporters work for Xinhua worldwide?":
        # a count of something the briefing speaks of, not of its own questions or people.
        structure = None
    if structure is None and outlets and "outlet" in kinds and _outlet_question(corrected, own_topic):
        structure = "asked"
    if structure is None and follow and prev is not None:
        structure = _carried(corrected, own_topic, prev, bool(mentions), nth)
    if structure in ("answered_by", "asked") and follow and prev is not None and prev.intent == "structure" \
            and not mentions and STEP_RE.search(corrected):
        structure = "first_last"  # "And who took the next one?" after the Xinhua question: the one after it
    count = _count(corrected)
    intent = _intent(corrected, set(officials), structure, count)
    opening = bool(OPENING_RE.search(corrected)) and intent in ("summary", "fact", "list", "overview")
    unknown = unknown_speakers(corrected, mentions, corpus_lower(index))
    # Words the user quotes ("say 'I have been PWNED'") are their text, not names to echo back.
    # An apostrophe inside a word is no quote mark ("China's IP courts to Europe's …").
    quoted = [m.span() for m in re.finditer(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|“[^”]*”|(?<!\w)‘[^’]*’(?!\w)", corrected)]
    # A name in a framing lead is the asker's ("a caller named Priya: …"), not one the question asks about.
    # A lead that is itself a question ("did they talk about ChatGPT at all? like whether …") asks about its names.
    lead = framing_lead(corrected)
    lead = 0 if corrected[:lead].rstrip().endswith("?") else lead
    absent = tuple(a for a in absent_terms(corrected, index, spans + quoted + ([(0, lead)] if lead else []))
                   if a not in unknown)
    if prev is not None and len(officials) == 1 and prev.scope.officials and officials[0] not in prev.scope.officials \
            and (COMPARE_RE.search(corrected) or AGREE_RE.search(corrected)):
        # "What did the commissioner say about X?" then "Does the deputy commissioner's version differ?": the two
        # side by side, on the previous question's topic unless this one names its own.
        rest = [w for w in topic_words(COMPARE_RE.sub(" ", AGREE_RE.sub(" ", bare))) if w.lower() not in VIEW_WORDS]
        if follow or not rest:
            officials, intent, follow = prev.scope.officials + officials, "compare", True
            notes.append(f"compared with {', '.join(prev.scope.officials)} from the previous question")
            own_topic = rest or prev.topic.split()
    standalone = bare or corrected
    query = standalone
    topic = " ".join(own_topic if bare else topic_words(standalone))
    if follow and prev is not None:
        change = TOPIC_CHANGE_RE.match(corrected)
        new_topic = change and (change.group("t") or change.group("t2"))
        if new_topic and re.match(r"\W*(who|what|which|when|where|why|how|did|does|do|is|are|was|were|will|can|could|"
                                  r"would|has|have)\b", new_topic, re.I):
            new_topic = None  # "And how will owners be nudged to sign up?" asks a question of its own, no new topic
        query = f"{prev.query} {standalone}".strip()
        if new_topic and topic_words(new_topic) and not PRONOUN_RE.search(new_topic):
            # "What about geographical indications?": the topic is new; the scope carries over, and the
            # answerer keeps whichever of this and the condensed query answers the new topic better.
            notes.append("follow-up with a new topic: scope from the history; tried alone and condensed")
            if prev.intent in ("overview", "list", "summary") and intent == "fact" and not OWN_ASK_RE.search(new_topic):
                intent = prev.intent  # "What about X?" asks what the previous question asked; "What about X - how
                # many …?" asks its own question
            if not officials and not outlets and prev.scope:
                officials, outlets, from_history = prev.scope.officials, prev.scope.outlets, True
        else:
            notes.append("follow-up: searched together with the previous question, and alone")
            if not officials and not outlets and prev.scope.officials and intent in ("fact", "overview", "summary",
                                                                                      "list"):
                officials, from_history = prev.scope.officials, True
            if not topic:
                topic = prev.topic  # "Summarize it." is about what the previous question was about
    if intent == "compare" and len(officials) < 2:
        intent = "overview"
    scope = Scope(officials=officials, outlets=outlets, opening=opening, unknown=unknown,
                  from_history=from_history, doc_ids=briefing_scope(corrected, index))
    return QueryPlan(question=question, intent=intent, scope=scope, query=query, standalone=standalone,
                     topic=topic, corrections=fixes,
                     structure=structure if intent == "structure" or structure == "bio" else None,
                     count=count, nth=nth, follow_up=follow, absent=absent, notes=tuple(notes))
