"""Understand a question: its intent, its scope (officials, outlets, briefings), the words to search for.

`plan(question, history, index)` returns a QueryPlan. The rules read the question's own words and
the corpus's structure (roster names and titles, outlet labels, briefing titles and dates); none is
written for one question. Intent accuracy is measured on the labelled gold set (`briefqa eval`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .briefing import Briefing, briefing_of
from .condense import CONTINUATION, is_follow_up
from .constraints import FIGURE_RE
from .spelling import english_words, speller_for
from .types import QueryPlan, Scope

INTENTS = ("fact", "structure", "summary", "list", "compare", "overview")
HONORIFIC = r"(?:(?:mr|mrs|ms|miss|madam|dr|prof)\.?\s+)?"
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# Words that are never the topic: question words, cues of intent, reference to the briefing itself.
STOP = set("""a an the of to in on at for from by with about and or but is are was were be been being do does did
done have has had what which who whom whose when where why how this that these those it its they them their he
him his she her there here i me my we our you your can could would should will shall may might must any some
all each every much many more most other than then so as into over under also just only very say said says
mention mentioned mentions talk talked speak spoke tell told state stated note noted comment commented think
thought view views position regarding concerning according give gave given please briefing conference press
today official officials speaker speakers question questions answer answered answers asked ask reporter
reporters journalist journalists outlet outlets media summarize summarise summary sum gist main key points
point list name enumerate compare comparison contrast differ difference different versus vs both between
overview highlights takeaways recap brief briefly anything everything something whole entire event meeting
remarks statement statements opening introduction introductory speech short version update gist
session did does let know want like get go mr ms mrs madam dr prof""".split())

STRUCTURE_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((k, re.compile(p, re.I)) for k, p in (
    ("handoffs", r"\b(hand(ed|s)? (it |them |the question |questions )?(off|over)|hand(ed|s)?\b.{0,25}\bto\b|"
                 r"pass(ed|es)?\b.{0,40}\b(question|it|them)\b.{0,10}\bto\b|to whom did .{0,40}\bpass|"
                 r"pass(ed)? (it|the question|questions?|the floor)|deferr?(ed)?|delegat\w+|"
                 r"invited? \w+ (\w+ )?to answer|hand-?offs?)\b"),
    ("opening_speaker", r"\bwho (gave|made|delivered|presented|read) the (opening|introductory) (remarks|statement|"
                        r"speech|address)\b|\bwho (spoke|went) first\b|\bwho (opened|introduced) the (briefing|press "
                        r"conference)\b"),
    ("chair", r"\bwho (chaired|moderated|hosted|presided|emceed)\s*(\?|$|it\b|today\b)|"
              r"\bwho\s+(chaired|moderated|hosted|presided( over)?|ran|emceed|led)\s+(the|this|today's)\s+"
              r"(briefings?|press conferences?|conferences?|events?|sessions?|presser)\b|\bwho (was|is|were) (the )?"
              r"(chair|chairperson|chairman|chairwoman|moderator|host|presenter|emcee|mc)\b|"
              r"\b(chair|chairperson|moderator|host|presenter)\b.{0,40}\b(briefing|press conference|conference|"
              r"event|session)\b.*\?|\bname (of )?the (chair|chairperson|moderator|host)\b|"
              r"\b(chair(ed)?|moderat\w+|host(ed)?|presid\w+)\b.{0,20}\bby whom\b"),
    ("count", r"\bhow many (questions|reporters|journalists|outlets|media|news organi[sz]ations|speakers|officials|"
              r"exchanges)\b|\bhow many people (asked|spoke|attended|were there)\b"),
    ("date", r"\bwhen (was|did|were) (the|this|that) (briefing|press conference|conference|event|meeting)\b|"
             r"\b(what|which) (date|day)\b|\bdate of (the|this) (briefing|press conference|conference)\b"),
    ("first_last", r"\bwho (asked|raised|posed|got|had|took|put) the (first|last|final|opening|closing) question\b|"
                   r"\bwhat was the (first|last|final|opening|closing) question\b|"
                   r"\b(first|last|final) question\b.*\b(who|which|from)\b"),
    ("asked_about", r"\bwho (asked|raised|posed|put)\b.{0,30}\b(about|on|regarding|concerning|the question)\b|"
                    r"\bwhich (outlet|reporter|journalist|media outlet|newspaper|news organi[sz]ation)s? "
                    r"(asked|raised|wanted to know)\b.{0,30}\b(about|on|regarding|concerning)\b|"
                    r"\bwho wanted to know\b"),
    ("outlets", r"\b(which|what|list|name)\b.*\b(reporters?|journalists?|outlets?|media|news organi[sz]ations?|"
                r"newspapers?|press)\b.*\b(ask|question|raise|pose|represent|attend|present|there)|"
                r"\bwho asked (the )?questions\b|\bwho (was|were) asking\b"),
    ("speakers", r"\bwho (were|are|was) (the )?(speakers?|officials?|panel\w*|briefers?|participants?|guests?)\b|"
                 r"\bwho (spoke|attended|took part|participated|was present|were present|briefed|was on the panel)\b|"
                 r"\b(which|what) officials\b|\b(list|name)\b.*\b(speakers|officials)\b|"
                 r"\bwho (was|were) (there|speaking|briefing)\b|\bwho (was|were) on the (podium|stage|panel|dais|"
                 r"rostrum)\b|\bwho represented\b"),
    ("exchanges", r"\b(order|sequence|list|table|rundown|run-down|all) of (the )?(questions|exchanges)\b|"
                  r"\ball (the )?questions\b|\bwho asked what\b|\bwhat questions were asked\b"),
    ("answered_by", r"\b(who|which officials?) (answered|responded|replied|took|fielded|handled|addressed)\b|"
                    r"\banswered by whom\b"),
    ("asked", r"\b(what|which) (did|was|were)\b.*\b(ask|asking|question|questions|want(ed)? to know|inquir\w+)\b|"
              r"\bwhat was .*'s question\b|\bwhat did .* ask\b"),
    ("answered", r"\b(which|what) questions? did\b|\bwhat (was|were) \w+( \w+)? asked\b|"
                 r"\b(which|what) questions? (was|were)\b.{0,40}\basked\b|"
                 r"\bwhich (outlets?|reporters?|questions?)\b.*\b(answer|take|field|handle|respond)"),
    ("about", r"\bwhat (was|is) (this|the|today's|that) (briefing|press conference|conference|event|session) "
              r"(about|on|called|titled|part of)\b|\b(title|topic|theme|subject|name) of (this|the|today's) "
              r"(briefing|press conference|conference|event)\b|\b(what|which) series\b|\bwho (organi[sz]ed|held) "
              r"(this|the|today's) (briefing|press conference|conference)\b|\bwhere (was|is|did) (the|this|today's) "
              r"(briefing|press conference|conference|event) (held|take place|taking place)\b"),
    ("title", r"\b(title|position|role|job|post|rank)\b|\bwho is\b|\bwhat does \w+( \w+)? do\b|"
              r"\bwhich (department|bureau|office|agency|ministry|organi[sz]ation)\b.{0,40}\b(head|lead|run|"
              r"work|represent|direct)"),
))
COMPARE_RE = re.compile(r"\b(compare[ds]?|comparing|comparison|contrast\w*|differ\w*|difference\w*|versus|vs\.?|"
                        r"side by side|how did .* and .* (each|both)|what did .* and .* (each|both) say)\b", re.I)
SUMMARY_RE = re.compile(r"\b(summar\w+|sum (it |this |that )?up|gist|main (points|messages|themes|takeaways)|key "
                        r"(points|messages|takeaways|themes)|takeaways|highlights|recap|in a nutshell|tl;? ?dr|"
                        r"overview of|in brief|nutshell|main ideas?|short version|in short|quick (rundown|recap)|what was (the|his|her) (opening|answer|statement)"
                        r" about|brief (me|rundown))\b", re.I)
LIST_RE = re.compile(r"^\s*(list|name|enumerate|outline)\b|\b(list|enumerate) (the|all|every)\b|\bname (the|all)\b|"
                     r"\bwhat (are|were) (the|all the|some of the)\b|\bwhich (countries|regions|provinces|cities|"
                     r"treaties|agreements|systems|measures|steps|areas|industries|fields|sectors|organi[sz]ations|"
                     r"programs|programmes|projects|tasks|policies|laws|regulations|economies|partners)\b|"
                     r"\bwhat (measures|steps|actions|initiatives|policies|tasks|priorities|areas|achievements|plans|"
                     r"reforms|services|mechanisms|systems|industries|regulations|laws)\b|"
                     r"\b(the|all the) (two|three|four|five|six|seven|eight|nine|ten|\d+) \w+", re.I)
OVERVIEW_RE = re.compile(r"\bwhat (did|do|does|was|were|has|have)\b.{0,60}\b(say|said|mention\w*|talk\w*|speak|"
                         r"spoke|tell|told|note|noted|stress\w*|comment\w*|think|discuss\w*|cover\w*)\b.{0,12}"
                         r"\b(about|on|regarding|concerning|of)\b|\bwhat was said\b|\bwhat (is|was|are|were) "
                         r"(his|her|their|the) (view|views|position|take|stance)\b|\b(views?|stance|position) on\b|"
                         r"\bdid (they|anyone|anybody|the officials|officials) (say|mention|talk|discuss)\b|"
                         r"\banything (about|on)\b|\bhow did .* (describe|see|view|characteri[sz]e)\b", re.I)
PRONOUN_RE = re.compile(r"\b(he|him|his|she|her|hers|that official|this official|the same official|"
                        r"that speaker|the same speaker)\b", re.I)
SPEECH_VERB_RE = re.compile(r"\b(say|said|says|answer\w*|respond\w*|speak|spoke|mention\w*|talk\w*|think|"
                            r"view|explain\w*|describe\w*|tell|told|announce\w*)\b", re.I)
ROLE_WORDS = ("commissioner", "deputy commissioner", "director general", "deputy director general", "spokesperson",
              "spokesman", "spokeswoman", "minister", "vice minister", "director", "deputy director", "secretary",
              "chairman", "president", "vice president", "administrator", "head", "chief", "governor", "mayor",
              "ambassador", "press secretary")
MODERATOR_WORDS = re.compile(r"\b(the )?(moderator|chair(person|man|woman)?|host|presenter|emcee)\b", re.I)
OPENING_RE = re.compile(r"\b(opening|introductory|intro)\b.{0,20}\b(statement|remarks|speech|address|"
                        r"introduction)\b|\b(opening|introduction)\b|\b(statement|remarks) at the (start|beginning)\b",
                        re.I)
TOPIC_CHANGE_RE = re.compile(r"^\s*(?:and |but |so |ok,? |okay,? )?(?:what|how) about\s+(?P<t>.+?)\??\s*$|"
                             r"^\s*(?:and|also|now)\s+(?P<t2>[^?]+?)\??\s*$", re.I)


@dataclass(frozen=True)
class Mention:
    """A piece of the question that refers to someone: where, who, and how (name, role, pronoun)."""

    start: int
    end: int
    who: str
    kind: str  # official | moderator | outlet


def briefings(index) -> list[Briefing]:
    """The structure of every briefing in the index, built once per loaded index."""
    bs = getattr(index, "_briefings", None)
    if bs is None:
        bs = [briefing_of(t, index.chunks) for t in index.transcripts]
        index._briefings = bs
    return bs


@dataclass(frozen=True)
class _Matchers:
    """Everything find_mentions matches against, compiled once per loaded index (hundreds of briefings
    mean thousands of names: compiling their patterns per question cost most of a second)."""

    people: dict  # name -> role
    names: tuple  # (compiled pattern, name, kind), longest names first
    roles: tuple  # (compiled role-word pattern, the one person whose title begins with it, kind)
    moderator: str | None  # the only moderator, if exactly one
    outlets: tuple  # (compiled pattern, outlet label), longest labels first


def _matchers(index) -> _Matchers:
    m = getattr(index, "_matchers", None)
    if m is not None:
        return m
    import collections

    people: dict[str, str] = {}
    titles: dict[str, str] = {}
    for b in briefings(index):
        for mem in b.members:
            people.setdefault(mem.name, mem.role)
            if mem.title:
                titles.setdefault(mem.name, mem.title)
    for c in index.chunks:
        people.setdefault(c.speaker, "official")
    kind = {n: "moderator" if r == "moderator" else "official" for n, r in people.items()}
    parts = collections.Counter(p for n in people for p in set(n.split()))
    names = []
    for name in sorted(people, key=len, reverse=True):
        pats = [re.escape(name)] + [HONORIFIC + re.escape(p) + r"(?!\w)" for p in name.split()
                                    if len(p) >= 2 and parts[p] == 1 and p.lower() not in STOP]
        names += [(re.compile(rf"(?<!\w){pat}(?:'s|’s)?(?!\w)", re.I), name, kind[name]) for pat in pats]
    roles = []
    for role in sorted(ROLE_WORDS, key=len, reverse=True):
        heads = [n for n, t in titles.items() if t.lower().startswith(role + " ") or t.lower() == role]
        if len(heads) == 1:  # "the commissioner" names whoever's title begins with it, if exactly one does
            roles.append((re.compile(rf"\b(the )?{role}(?:'s)?\b", re.I), heads[0], kind[heads[0]]))
    mods = [n for n, r in people.items() if r == "moderator"]
    outlets = []
    for outlet in sorted({e.outlet for b in briefings(index) for e in b.exchanges}, key=len, reverse=True):
        for pat in _outlet_patterns(outlet, index):
            outlets.append((re.compile(rf"(?<!\w){pat}(?:'s|’s)?(?!\w)(?:\s+(?:reporter|journalist|correspondent))?",
                                       re.I), outlet))
    m = _Matchers(people, tuple(names), tuple(roles), mods[0] if len(mods) == 1 else None, tuple(outlets))
    index._matchers = m
    return m


def _people(index) -> dict[str, str]:
    """{name: role} of everyone on a roster (or answering) across briefings."""
    return _matchers(index).people


def find_mentions(question: str, index) -> list[Mention]:
    """Officials (by name or role word), the moderator and outlets the question refers to."""
    mt = _matchers(index)
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, who: str, kind: str):
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(Mention(m.start(), m.end(), who, kind))

    for rx, name, kind in mt.names:
        for m in rx.finditer(question):
            add(m, name, kind)
    for rx, name, kind in mt.roles:
        for m in rx.finditer(question):
            add(m, name, kind)
    if mt.moderator:
        for m in MODERATOR_WORDS.finditer(question):
            add(m, mt.moderator, "moderator")
    for rx, outlet in mt.outlets:
        for m in rx.finditer(question):
            add(m, outlet, "outlet")
    return sorted(found, key=lambda x: x.start)


GENERIC_OUTLET_WORDS = set("news agency daily times tv television radio network newspaper magazine media group "
                           "china chinese international global post press app broadcasting corporation satellite "
                           "the of and com cn net www online weekly journal herald".split())


def _outlet_patterns(outlet: str, index) -> list[str]:
    """The outlet's label, and each of its distinctive words ("Xinhua", "Bauhinia", "CCTV")."""
    pats = [re.escape(outlet)]
    for w in re.findall(r"[A-Za-z][\w.-]*[A-Za-z]", outlet):
        lw = w.lower()
        if lw in GENERIC_OUTLET_WORDS or len(lw) < 3 or (lw in english_words() and not w.isupper()):
            continue
        pats.append(re.escape(w))
    return pats


def _answering_official(query: str, index) -> tuple[str, ...]:
    """The official whose answer lexical search ranks first for `query` (no model needed), or ()."""
    top = index.bm25.search(query, 1)
    if not top:
        return ()
    chunk = index.chunk_by_id.get(index.passages[top[0][0]].chunk_id)
    return (chunk.speaker,) if chunk else ()


def _unknown_speakers(question: str, mentions: list[Mention], corpus: str) -> tuple[str, ...]:
    """Capitalised names used as a speaker ("What did Li Qiang say") that match nobody and occur nowhere."""
    out = []
    pat = re.compile(r"\b(?:did|does|do|has|was|is)\s+((?:(?:Mr|Mrs|Ms|Dr)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
                     r"\s+(?:say|said|mention|answer|respond|speak|think|tell|talk|explain|describe|announce|ask)\b|"
                     r"\b([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})(?:'s|’s)\s+(?:view|views|answer|remarks|comments|"
                     r"statement|position|speech)\b|\baccording to\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})")
    for m in pat.finditer(question):
        name = next(g for g in m.groups() if g)
        s = m.start(m.lastindex or 1)
        if any(mm.start <= s < mm.end for mm in mentions):
            continue
        name = re.sub(r"^(Mr|Mrs|Ms|Dr)\.?\s+", "", name)
        if name.split()[0].lower() in STOP or name.lower() in corpus:
            continue  # "China's position" names something the briefing has, not a missing speaker
        out.append(name)
    return tuple(dict.fromkeys(out))


def corpus_lower(index) -> str:
    """All source text of the index, lower case (built once per loaded index)."""
    corpus = getattr(index, "_corpus_lower", None)
    if corpus is None:
        corpus = "\n".join(t.text for t in index.transcripts).lower() or "\n".join(c.text for c in index.chunks).lower()
        index._corpus_lower = corpus
    return corpus


def rare_absent_words(text: str, index) -> list[str]:
    """Words of `text` that are neither in the corpus nor ordinary English ("blockchain"): key terms it lacks.

    Used only to word an abstention already decided on weak evidence: a misspelling that nothing
    corrected would also pass this test, so it never decides to abstain by itself.
    """
    from .spelling import speller_for

    counts = speller_for(index).counts
    out = []
    for w in re.findall(r"(?<![\w-])[A-Za-z][a-z]{3,}(?![\w-])", text):
        lw = w.lower()
        forms = {lw, lw.rstrip("s"), lw[:-2] if lw.endswith("es") else lw, lw + "s"}
        if lw in STOP or forms & set(counts) or forms & english_words():
            continue
        out.append(w)
    return out


def absent_terms(question: str, index, skip: list[tuple[int, int]]) -> tuple[str, ...]:
    """Proper names and acronyms of the question (outside `skip` spans) that occur nowhere in the corpus.

    A run of capitalised words is one name ("European Patent Office"); the question's first word,
    words the corpus has in any case, and title-cased questions are not taken as names.
    """
    corpus = corpus_lower(index)
    tokens = list(re.finditer(r"[A-Za-z][\w'’.-]*[A-Za-z0-9]|[A-Z]", question))
    caps = [t for t in tokens if t.group(0)[0].isupper()]
    if len(tokens) >= 4 and len(caps) > 0.6 * len(tokens):
        return ()
    out, run = [], []

    def flush():
        if run:
            name = re.sub(r"(?:'s|’s)$", "", question[run[0].start():run[-1].end()])
            # Without its short acronyms ("Belt and Road IP" -> "Belt and Road") a phrase may be there after all.
            core = " ".join(w for w in name.split() if not (w.isupper() and len(w) <= 3)) or name
            if name.lower() not in corpus and core.lower() not in corpus \
                    and not any(s <= run[0].start() < e for s, e in skip):
                out.append(name)
        run.clear()

    for i, t in enumerate(tokens):
        w = t.group(0)
        if any(ch.isdigit() for ch in w):  # "H1", "G20": figures are the near-miss check's business
            flush()
            continue
        first = i == 0 or question[tokens[i - 1].end():t.start()].strip() in (".", "?", "!")
        if w[0].isupper() and not (first and w.lower() in english_words()) and w.lower() not in STOP:
            if run and question[run[-1].end():t.start()].strip() not in ("",):
                flush()
            run.append(t)
        elif run and w.lower() in ("of", "the", "and", "for") and i + 1 < len(tokens) \
                and tokens[i + 1].group(0)[0].isupper():
            run.append(t)
        else:
            flush()
    flush()
    return tuple(dict.fromkeys(out))


PLURAL_ASK_RE = re.compile(r"\b(?:which|what)\s+(?!about\b|of\b)((?:[\w'-]+\s+){0,3}?)([a-z][\w-]*[^su\W]s)\b"
                           r"(?=\s+\w|\s*\?)", re.I)
NOT_PLURAL = {"is", "was", "has", "does", "this", "its", "his", "hers", "yours", "always", "perhaps", "news", "status",
              "progress", "process", "business", "success", "address", "analysis", "basis", "emphasis", "access",
              "series", "means", "headquarters", "species", "whereas", "towards", "afterwards"}


def _asks_for_many(q: str) -> bool:
    """'Which countries …', 'What policy documents …': the question asks for several things."""
    m = PLURAL_ASK_RE.search(q)
    aux = {"did", "do", "does", "was", "were", "is", "are", "has", "have", "had", "will", "would", "can", "could",
           "should", "might", "may"}
    return bool(m) and m.group(2).lower() not in NOT_PLURAL and not aux & set(m.group(1).lower().split())


def _intent(q: str, officials: set[str], structure: str | None, count: int | None) -> str:
    if structure:
        return "structure"
    if COMPARE_RE.search(q) and len(officials) >= 2:
        return "compare"
    if SUMMARY_RE.search(q):
        return "summary"
    if LIST_RE.search(q) or count or _asks_for_many(q):
        return "list"
    if OVERVIEW_RE.search(q):
        return "overview"
    if COMPARE_RE.search(q):
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
        if kind == "outlets" and "outlet" in kinds:
            continue  # "What did the China Daily reporter ask?" is about that outlet's question
        if kind == "answered" and "official" not in kinds:
            continue
        if kind == "answered_by" and not ("outlet" in kinds or re.search(r"\bquestions?\b", q, re.I)):
            continue
        if kind == "asked_about" and "outlet" in kinds:
            continue  # "who asked the Xinhua question" is the outlet's own question: see "asked"
        return kind
    return None


def _count(q: str) -> int | None:
    m = re.search(r"\b(?:the|all the|all|these|those|which|what)\s+(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
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


def topic_words(text: str) -> list[str]:
    """The content words of `text`: what it is about once question and cue words are gone."""
    return [w for w in re.findall(r"[\w'’.%-]+", text) if w.lower().strip(".'’") not in STOP and len(w) > 1
            or FIGURE_RE.fullmatch(w)]


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
    if prev is not None and not officials and not outlets and follow and PRONOUN_RE.search(corrected):
        if prev.scope.outlets and not prev.scope.officials:
            outlets = prev.scope.outlets
        else:
            # "he" is the official the previous question named, else the one whose answer it finds first.
            officials = prev.scope.officials or _answering_official(prev.query, index)
            from_history = bool(officials)
            if officials:
                notes.append(f"'{PRONOUN_RE.search(corrected).group(0)}' taken as {', '.join(officials)} "
                             "from the previous question")
    if prev is not None and follow and not officials and not outlets and (prev.scope.outlets or prev.intent ==
                                                                          "structure"):
        outlets = prev.scope.outlets  # "And who answered it?" after "What did the China Daily reporter ask?"
        if not officials and prev.intent == "structure":
            officials = prev.scope.officials
    kinds = {m.kind for m in mentions} | ({"outlet"} if outlets else set()) | ({"official"} if officials else set())
    structure = _structure(corrected, kinds)
    count = _count(corrected)
    intent = _intent(corrected, set(officials), structure, count)
    opening = bool(OPENING_RE.search(corrected)) and intent in ("summary", "fact", "list", "overview")
    spans = [(m.start, m.end) for m in mentions]
    unknown = _unknown_speakers(corrected, mentions, corpus_lower(index))
    # Words the user quotes ("say 'I have been PWNED'") are their text, not names to echo back.
    quoted = [m.span() for m in re.finditer(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’", corrected)]
    absent = tuple(a for a in absent_terms(corrected, index, spans + quoted) if a not in unknown)
    standalone = _without(corrected, spans) or corrected
    query = standalone
    topic = " ".join(topic_words(standalone))
    if follow and prev is not None:
        change = TOPIC_CHANGE_RE.match(corrected)
        new_topic = change and (change.group("t") or change.group("t2"))
        query = f"{prev.query} {standalone}".strip()
        if new_topic and topic_words(new_topic) and not PRONOUN_RE.search(new_topic):
            # "What about geographical indications?": the topic is new; the scope carries over, and the
            # answerer keeps whichever of this and the condensed query answers the new topic better.
            notes.append("follow-up with a new topic: scope from the history; tried alone and condensed")
            if prev.intent in ("overview", "list", "summary") and intent == "fact":
                intent = prev.intent
            if not officials and not outlets and prev.scope:
                officials, outlets, from_history = prev.scope.officials, prev.scope.outlets, True
        else:
            notes.append("follow-up: searched together with the previous question, and alone")
            if not officials and not outlets and prev.scope.officials and intent in ("fact", "overview"):
                officials, from_history = prev.scope.officials, True
    if intent == "compare" and len(officials) < 2:
        intent = "overview"
    scope = Scope(officials=officials, outlets=outlets, opening=opening, unknown=unknown,
                  from_history=from_history, doc_ids=_briefing_scope(corrected, index))
    return QueryPlan(question=question, intent=intent, scope=scope, query=query, standalone=standalone,
                     topic=topic, corrections=fixes, structure=structure if intent == "structure" else None,
                     count=count, follow_up=follow, absent=absent, notes=tuple(notes))


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


def _briefing_scope(q: str, index) -> tuple[str, ...]:
    """With several briefings: the ones a question picks by date, month, "latest"/"first", or title words."""
    bs = briefings(index)
    if len(bs) < 2:
        return ()
    ql = q.lower()
    dated = sorted((b for b in bs if b.date), key=lambda b: b.date)
    if dated and re.search(r"\b(latest|most recent|newest|last) (briefing|press conference|one)\b", ql):
        return (dated[-1].doc_id,)
    if dated and re.search(r"\b(first|earliest|oldest) (briefing|press conference|one)\b", ql):
        return (dated[0].doc_id,)
    iso = re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", q)
    picked = [b.doc_id for b in dated if b.date in iso]
    for i, m in enumerate(MONTHS, 1):
        if re.search(rf"\b{m}\b", ql):
            picked += [b.doc_id for b in dated if int(b.date[5:7]) == i
                       and (not re.search(r"\b(19|20)\d\d\b", q) or b.date[:4] in q)]
    if not picked:
        words = set(topic_words(ql))
        scored = [(len(words & set(topic_words(b.title.lower()))), b.doc_id) for b in bs]
        best = max(s for s, _ in scored)
        if best >= 2:
            picked = [d for s, d in scored if s == best]
    return tuple(dict.fromkeys(picked))
