"""Who and what a question refers to, matched against the corpus: officials, the moderator, outlets, briefings.

Names, role words ("the commissioner") and outlet labels come from the rosters and exchanges of the
indexed briefings, compiled once per loaded index; names and terms the corpus never has are found
too, so the answer can say so. `plan()` in qa/understand.py builds a question's Scope from these.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .bm25 import unaccent
from .briefing import GENERIC_ASKERS, Briefing, briefing_of, title_head
from .constraints import FIGURE_RE, place_aliases
from .spelling import english_words

HONORIFIC = r"(?:(?:mr|mrs|ms|miss|madam|dr|prof)\.?\s+)?"
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
bullet bullets few couple nutshell sentence sentences paragraph paragraphs
session did does let know want like get go mr ms mrs madam dr prof touch touched touches bring brings brought
up discuss discussed discussing talks talking mentioning""".split())
ROLE_WORDS = ("commissioner", "deputy commissioner", "director general", "deputy director general", "spokesperson",
              "spokesman", "spokeswoman", "minister", "vice minister", "director", "deputy director", "secretary",
              "chairman", "president", "vice president", "administrator", "head", "chief", "governor", "mayor",
              "ambassador", "press secretary")
MODERATOR_WORDS = re.compile(r"\b(the )?(moderator|chair(person|man|woman)?|(?<!-)host|presenter|emcee)\b", re.I)


@dataclass(frozen=True)
class Mention:
    """A piece of the question that refers to someone: where, who, and how (name, role, pronoun)."""

    start: int
    end: int
    who: str
    kind: str  # official | moderator | outlet


def per_index(build):
    """Derived data of a loaded index, built on first use and kept on the index (a new generation is a new
    index object, so nothing goes stale): `@per_index def corpus_lower(index): …`."""
    attr = "_" + build.__name__

    @functools.wraps(build)
    def get(index):
        value = getattr(index, attr, None)
        if value is None:
            value = build(index)
            setattr(index, attr, value)
        return value

    return get


@per_index
def briefings(index) -> list[Briefing]:
    """The structure of every briefing in the index, built once per loaded index."""
    return [briefing_of(t, index.chunks) for t in index.transcripts]


@dataclass(frozen=True)
class _Matchers:
    """Everything find_mentions matches against, compiled once per loaded index (hundreds of briefings
    mean thousands of names: compiling their patterns per question cost most of a second)."""

    people: dict  # name -> role
    names: tuple  # (compiled pattern, name, kind), longest names first
    roles: tuple  # (compiled role-word pattern, the one person whose title begins with it, kind)
    moderator: str | None  # the only moderator, if exactly one
    outlets: tuple  # (compiled pattern, outlet label), longest labels first


@per_index
def _matchers(index) -> _Matchers:
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
    # Each title's own head ("Deputy Assistant Secretary for Visa Services" -> "deputy assistant secretary") is a
    # role word too, when no one else's title has that head.
    heads_of = collections.Counter(title_head(t) for t in titles.values())
    own = {title_head(t) for t in titles.values() if heads_of[title_head(t)] == 1 and title_head(t)}
    for role in sorted(set(ROLE_WORDS) | own, key=len, reverse=True):
        heads = [n for n, t in titles.items() if t.lower().startswith(role + " ") or t.lower() == role]
        if not heads:  # "the spokesperson": a role no title begins with, but exactly one title holds
            # as a rank of its own, after a comma or "and" ("deputy director general …, and spokesperson of the
            # SCIO"): a "Deputy Assistant Secretary" or the "Spokesperson for the Secretary-General" is not "the
            # Secretary"
            heads = [n for n, t in titles.items()
                     if re.search(rf"(?:^|,\s*|\band\s+)(?:the\s+)?{re.escape(role)}\b(?!-)", t, re.I)]
        if len(heads) == 1:  # "the commissioner" names whoever's title begins with it, if exactly one does
            roles.append((re.compile(rf"\b(the )?{role}(?:'s)?\b", re.I), heads[0], kind[heads[0]]))
    # "the guest": an official whose remarks of their own come after another official's (brought to the podium).
    guests = {c.speaker for b in briefings(index) for c in b.opening[1:] if c.speaker != b.opening[0].speaker}
    if len(guests) == 1:
        roles.append((re.compile(r"\b(the |our |today's )?guest( official| speaker| briefer)?(?:'s)?\b", re.I),
                      next(iter(guests)), "official"))
    mods = [n for n, r in people.items() if r == "moderator"]
    outlets = []
    # Not a label that names no one ("QUESTION:" read as "Reporter"): "the AFP reporter" is AFP's.
    for outlet in sorted({e.outlet for b in briefings(index) for e in b.exchanges
                          if e.outlet.lower() not in GENERIC_ASKERS}, key=len, reverse=True):
        for pat, exact in _outlet_patterns(outlet, index):
            outlets.append((re.compile(rf"(?<!\w){pat}(?:'s|’s|')?(?!\w)(?:\s+(?:reporter|journalist|correspondent))?",
                                       0 if exact else re.I), outlet))
    # A reporter who named themself in asking ("Laura Kessler, AP"): their name stands for their outlet's questions.
    for name, outlet in sorted({(e.reporter.text, e.outlet) for b in briefings(index) for e in b.exchanges
                                if e.reporter is not None}, key=lambda x: -len(x[0])):
        outlets += [(re.compile(rf"(?<!\w){re.escape(p)}(?:'s|’s)?(?!\w)"), outlet)
                    for p in (name, name.split()[-1]) if len(p) > 3]
    return _Matchers(people, tuple(names), tuple(roles), mods[0] if len(mods) == 1 else None, tuple(outlets))


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


def _outlet_patterns(outlet: str, index) -> list[tuple[str, bool]]:
    """The outlet's label, and each of its distinctive words ("Xinhua", "Bauhinia", "CCTV"), as (pattern, whether
    it must match with its capitals). An ordinary English word the answers never use ("Jinan", "Times") is
    distinctive only capitalised, so "the daily figure" is not China Daily."""
    pats = [(re.escape(outlet), False)]
    words = re.findall(r"[A-Za-z][\w.-]*[A-Za-z]", outlet)
    # "Bjnews.com.cn" is also "Bjnews": a web address without its domain.
    words += [w.split(".")[0] for w in words if re.search(r"\.(com|cn|org|net|gov|edu)\b", w, re.I)]
    answers = folded_answers(index)
    for w in words:
        lw = w.lower()
        if lw in GENERIC_OUTLET_WORDS or len(lw) < 3:
            continue
        if lw in english_words() and not w.isupper():
            if w[0].isupper() and not any(re.search(rf"\b{re.escape(lw)}\b", a) for a in answers):
                pats.append((re.escape(w), True))
            continue
        pats.append((re.escape(w), False))
    return pats


def answering_official(query: str, index) -> tuple[str, ...]:
    """The official whose answer lexical search ranks first for `query` (no model needed), or ()."""
    top = index.bm25.search(query, 1)
    if not top:
        return ()
    chunk = index.chunk_by_id.get(index.passages[top[0][0]].chunk_id)
    return (chunk.speaker,) if chunk else ()


@per_index
def women_of(index) -> tuple[str, ...]:
    """The people the header names as women ("Ms. Xing Huina"), for 'she' and 'her'."""
    return tuple(dict.fromkeys(
        m.name for b in briefings(index) for m in list(b.officials) + list(b.moderators)
        if any(re.match(r"\s*(Ms|Mrs|Madam|Miss)\b", q.text) for q in [m.line, *(ln for _, ln in m.also)] if q)))


def unknown_speakers(question: str, mentions: list[Mention], corpus: str) -> tuple[str, ...]:
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


@per_index
def roster_words(index) -> set[str]:
    """Lower-case words of the roster's titles ("intellectual", "administration", "bureau"): words that
    speak of the briefing's people, not of a topic. Built once per loaded index."""
    return {w.lower() for b in briefings(index) for m in b.members for w in re.findall(r"[A-Za-z]+", m.title)}


@per_index
def corpus_unaccented(index) -> str:
    """`corpus_lower` without accents (built once per loaded index, only for a corpus that has any)."""
    return unaccent(corpus_lower(index))


@per_index
def corpus_lower(index) -> str:
    """All source text of the index, lower case (built once per loaded index)."""
    return "\n".join(t.text for t in index.transcripts).lower() or "\n".join(c.text for c in index.chunks).lower()


def absent_terms(question: str, index, skip: list[tuple[int, int]]) -> tuple[str, ...]:
    """Proper names and acronyms of the question (outside `skip` spans) that occur nowhere in the corpus.

    A run of capitalised words is one name ("European Patent Office"); the question's first word,
    words the corpus has in any case, and title-cased questions are not taken as names.
    """
    corpus = corpus_lower(index)
    tokens = list(re.finditer(r"[A-Za-z][\w'’.&-]*[A-Za-z0-9]|[A-Z]", question))  # "R&D" is one term
    caps = [t for t in tokens if t.group(0)[0].isupper()]
    lower = [t.group(0) for t in tokens if not t.group(0)[0].isupper()]
    if len(tokens) >= 4 and len(caps) > 0.6 * len(tokens) and all(w in TITLE_LOWER for w in lower):
        return ()  # A Title-Cased Question: capitals say nothing about names
    out, run = [], []

    def there(name: str) -> bool:
        # Without its short acronyms ("Belt and Road IP" -> "Belt and Road") a phrase may be there after all.
        core = " ".join(w for w in name.split() if not (w.isupper() and len(w) <= 3)) or name
        if name.lower() in corpus or core.lower() in corpus:
            return True
        if not corpus.isascii():  # "Bogota" for the transcript's "Bogotá"
            plain = corpus_unaccented(index)
            if unaccent(name.lower()) in plain or unaccent(core.lower()) in plain:
                return True
        if "-" in name and " " not in name:
            return all(there(p) for p in name.split("-") if p)  # "SME-focused": SMEs are there
        two = name.lower().split()  # "the Energy Secretary", "the Labor Department": "Secretary of Energy"
        if len(two) == 2 and re.search(rf"\b{re.escape(two[1])}s? (?:of|for) (?:the )?{re.escape(two[0])}\b", corpus):
            return True
        if re.fullmatch(r"[A-Z]{3,6}s?", name):  # "FDI": the words it stands for, "foreign direct investment"
            letters = name.rstrip("s").lower()
            word = r"(?!(?:the|and|for|with|from|that|this|our|its|has|are|was|were|will|all|any)\b){}[a-z]{{2,}}"
            return bool(re.search(r"\b" + r"(?:\s+(?:and|of|for|on)\s+|[\s-]+)".join(word.format(c) for c in letters)
                                  + r"\b", corpus))
        others = place_aliases(name.lower()) - {name.lower()} if not located else set()
        if any(re.search(rf"(?<![a-z]){re.escape(a)}(?![a-z])", corpus) for a in others):
            return True  # "Washington" for the transcript's "United States", "Moscow" for its "Russia"
        linked = re.fullmatch(r"(.+?) (?:for|of|on) (?:the )?(.+)", name)
        if linked and there(linked.group(1)) and there(linked.group(2)):
            return True  # "the Personal Envoy for Sudan": the transcript's "Personal Envoy", on Sudan
        words = name.split()
        # A run of acronyms ("BRI IP"), or an acronym beside a name ("WIPO China" in a keyword query), is
        # there when each of its words is.
        return len(words) > 1 and any(w.isupper() for w in words) and all(
            re.search(rf"\b{re.escape(w.lower())}\b", corpus) for w in words)

    located = False  # the name follows "in", "at", "to" …: a place ("the weather in Paris"), no capital for its country

    def flush():
        nonlocal located
        located = bool(run) and bool(LOCATED_RE.search(question[:run[0].start()]))
        if run and not any(s <= run[0].start() < e for s, e in skip):
            name = re.sub(r"(?:'s|’s)$", "", question[run[0].start():run[-1].end()])
            owned = re.match(r"(.+?)(?:'s|’s)\s+(.+)", name)
            if owned and there(owned.group(1)):
                name = owned.group(2)  # "Europe's Unified Patent Court": Europe is there, the court is not
            if not there(name):
                # "Madrid and Hague", "Cambodia and Laos": two names, each judged on its own.
                parts = [re.sub(r"(?:'s|’s)$", "", p) for p in re.split(r"\s+and\s+", name)]
                out.extend([p for p in parts if not there(p)] if len(parts) > 1 else [name])
        run.clear()

    for i, t in enumerate(tokens):
        w = t.group(0)
        if re.search(r"['’](m|re|ve|ll|d|t)$", w, re.I):  # "I'm", "don't": a contraction, never a name
            flush()
            continue
        if any(ch.isdigit() for ch in w):  # "H1", "G20": figures are the near-miss check's business
            flush()
            continue
        # A sentence's first word, also after a colon or dash ("Fact-check: who …"), is capitalised anyway.
        first = i == 0 or question[tokens[i - 1].end():t.start()].strip() in (".", "?", "!", ":", "—", "–", "-")
        if w[0].isupper() and not (first and all(p.lower() in english_words()  # "Translator's query: …"
                                                 for p in re.sub(r"['’]s$", "", w).split("-") if p)) \
                and w.lower() not in STOP \
                and w.lower() not in MONTHS + WEEKDAYS:  # "the September conference": a date, not a name
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


LOCATED_RE = re.compile(r"\b(?:in|at|to|from|near|around|outside|inside)\s+(?:the\s+)?$", re.I)
TITLE_LOWER = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "with", "from", "about"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def topic_words(text: str) -> list[str]:
    """The content words of `text`: what it is about once question and cue words are gone."""
    return [w for w in re.findall(r"[\w'’.%&-]+", text) if w.lower().strip(".'’") not in STOP and len(w) > 1
            or FIGURE_RE.fullmatch(w)]


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


def briefing_scope(q: str, index) -> tuple[str, ...]:
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


QUOTED_RE = re.compile(r"[\"“”]([^\"“”]+)[\"“”]|(?<!\w)['‘]([^'‘’]+)['’](?!\w)")


def folded(text: str) -> str:
    """Lower case, quotes dropped, whitespace folded: how phrases of a question are matched in sentences."""
    return " ".join(re.sub(r"[\"“”‘’']", " ", text).lower().split())


def quoted_phrases(question: str) -> list[str]:
    """Phrases of two or more words the question quotes: 'the "four full considerations"' -> ['four full considerations']."""
    found = [folded(a or b) for a, b in QUOTED_RE.findall(question)]
    return [q for q in found if len(q.split()) >= 2]


@per_index
def folded_answers(index) -> list[str]:
    """Every answer's text folded (lower case, no quotes, single spaces), built once per loaded index."""
    return [folded(c.text) for c in index.chunks]


NAME_RUN_RE = re.compile(r"(?<![\w'’])[A-Z][\w&-]*(?:\s+(?:of|and|the|for)?\s*[A-Z][\w&-]*)*")


def named_terms(question: str, index) -> list[str]:
    """Names the question uses that a few answers have ("Thailand", "Helan Mountain"): a sentence naming one
    speaks to the question however its words score. Names in more than a third of the answers ("China",
    "CNIPA") tell nothing apart; a question's first word is a name only when it is not an ordinary word."""
    chunks = folded_answers(index)
    out = []
    for m in NAME_RUN_RE.finditer(question):
        name = folded(m.group(0))
        if m.start() == 0 and name.split()[0] in english_words():
            name = " ".join(name.split()[1:])
        if len(name) < 3 or name in out:
            continue
        n = sum(name in c for c in chunks)
        if 0 < n <= max(1, len(chunks) // 3):
            out.append(name)
    return out
