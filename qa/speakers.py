"""Speaker labels: what a label looks like in any layout, and which person it names.

A label is a line's leading `Name:` (alone on the line or followed by the turn's first words),
or a bare `Q` before a question. Its words may carry an honorific (`MS.`, `Mr`) and a title
(`Spokesperson`, `ADMIRAL`, `Secretary`), which are split off the name; capitals are undone for
people (`MS. JEAN-PIERRE` -> `Jean-Pierre`) but kept for outlets (`AFP`). Whether a candidate is
really a label is decided with the whole document's evidence (see `transcript._accept_labels`):
this module only says what each line could be.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ARTIFACT = "_ueditor_page_break_tag_"
# Web copies carry invisible characters (BOM, zero-width spaces) that str.strip() keeps.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
HONORIFICS = {"mr", "mrs", "ms", "miss", "madam", "mme", "dr", "prof", "sir", "dame", "hon", "m", "mx"}
HONORIFIC_RE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Madam|Mme|Dr|Prof)\.?\s+", re.I)
# Titles that mark an official when they lead a label ("Spokesperson Mao Ning", "ADMIRAL KIRBY").
OFFICIAL_TITLES = {
    "spokesperson", "spokesman", "spokeswoman", "secretary", "minister", "admiral", "general", "ambassador",
    "commissioner", "director", "governor", "senator", "president", "vice", "deputy", "assistant",
    "chairman", "chairwoman", "premier", "chancellor", "mayor", "coordinator", "advisor", "adviser",
    "counselor", "administrator", "colonel", "captain", "lieutenant", "major", "judge", "justice",
    "undersecretary", "under", "press", "principal", "special", "envoy", "representative", "head",
    "chief", "commander", "sheriff", "attorney", "surgeon", "the",
}
MODERATOR_WORDS = {"moderator", "host", "chairperson", "chair", "presenter", "emcee", "mc", "presider",
                   "facilitator", "operator"}
QUESTION_WORDS = {"q", "question", "questions", "reporter", "journalist", "audience", "interviewer",
                  "correspondent", "press"}
ANSWER_WORDS = {"a", "answer", "interviewee"}
# Words allowed to be lowercase inside a speaker label ("Zhinews of Shenzhen Satellite TV").
CONNECTORS = {"of", "the", "and", "for", "de", "on", "in", "&", "at", "du", "la", "le", "van", "von", "der"}
# An outlet keeps its words: 'Press TV' is not a press officer called TV.
OUTLET_WORDS = {"news", "tv", "television", "times", "daily", "post", "press", "radio", "agency", "media",
                "network", "magazine", "journal", "broadcasting", "channel", "online", "app", "herald",
                "tribune", "observer", "weekly", "gazette", "wire", "group", "corporation", "service",
                "reuters", "bloomberg", "afp", "ap", "cctv", "cgtn", "xinhua", "bbc", "cnn", "nhk"}
# Capitalised words that often start a sentence with a colon ("Second: we will ..."); never
# labels on their own unless the document says so strongly (an honorific, a roster name).
LEAD_WORDS = {"first", "second", "third", "fourth", "fifth", "sixth", "finally", "lastly", "next", "note",
              "notes", "result", "results", "example", "update", "correction", "background", "summary",
              "conclusion", "yes", "no", "well", "again", "also", "today", "now", "here", "so", "but",
              "and", "one", "two", "three", "four", "five", "then", "in", "on", "for", "this", "that", "these",
              "those", "what", "why", "how", "who", "when", "where", "meanwhile", "however", "importantly",
              "specifically", "overall", "moreover", "furthermore", "besides", "remember", "warning",
              "caution", "source", "sources", "photo", "video", "end", "transcript", "editor", "editors",
              "attention", "please", "topic", "subject", "re", "fact", "facts", "goal", "goals", "plan",
              "question", "answer", "it", "we", "i", "they", "there", "as", "if", "our", "my", "your"}
MAX_LABEL_WORDS = 10
INLINE_RE = re.compile(r"^(?P<prefix>[^:：\n]{1,100}?)\s*(?P<colon>[:：])(?P<space>[ \t\u3000\u00a0]*)(?P<rest>\S.*)?$")
# "Q    Thank you, Karine." (the White House form) or a bare "Q" line.
BARE_Q_RE = re.compile(r"^(?P<q>Q|A)(?P<dot>\.?)(?P<space>\s+)(?P<rest>\S.*)?$")


@dataclass(frozen=True)
class Label:
    """What a line's leading label says: the name as written and as a name, and its markers."""

    raw: str  # as written, without artifacts: 'MS. JEAN-PIERRE'
    name: str  # honorific and titles removed, capitals undone for people: 'Jean-Pierre'
    titles: tuple[str, ...] = ()  # leading official titles: ('Admiral',)
    kind: str = "person"  # "person" | "question" | "answer" | "moderator"
    honorific: bool = False
    inline: bool = False  # the turn's text follows on the same line
    rest: int | None = None  # offset in the line where that text starts
    weak_q: bool = False  # 'Q text' with a single space: a label only if the document repeats it

    @property
    def key(self) -> str:
        return self.name.casefold()

    @property
    def strong(self) -> bool:
        """Marked as a label by its own form: honorific, title, Q/A, a role word or capitals."""
        return (self.kind != "person" and not self.weak_q) or self.honorific or bool(self.titles) \
            or (_caps(self.raw) and len(self.raw.split()) > 1 and not _is_outlet(self.raw))


def clean(s: str) -> str:
    """A line without artifacts, surrounding whitespace or invisible characters."""
    while ARTIFACT in s:  # removing one may join the halves of another
        s = s.replace(ARTIFACT, "")
    return s.strip().strip(INVISIBLE).strip()


def clean_name(label: str) -> str:
    """'Mr. Shen Changyu' -> 'Shen Changyu'."""
    name = clean(clean(label).rstrip(":："))
    return re.sub(r"\s+", " ", HONORIFIC_RE.sub("", name))


def _caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters if c.isascii())


def _is_outlet(s: str) -> bool:
    return any(w.strip(".,'’").lower() in OUTLET_WORDS for w in s.split()) or bool(re.search(r"\.\w{2,}$", s))


def _shape_ok(name: str, inline: bool) -> bool:
    """A name-like prefix: short, no sentence punctuation, every word capitalised or a connector."""
    words = name.split()
    if not words or len(words) > MAX_LABEL_WORDS or len(name) > 100:
        return False
    if any(ch in name for ch in "?!;\"“”") or name.endswith("."):
        return False
    if inline and (not name[0].isalpha() or len(words) > 7 or any(ch in name for ch in ",()[]")):
        return False
    for w in words:
        if w.lower() in CONNECTORS:
            continue
        if not (w[0].isupper() or w[0].isdigit() or not w[0].isalpha()):
            return False
    return True


def make_label(prefix: str, inline: bool = False, rest: int | None = None) -> Label | None:
    """The label a prefix (the text before the colon) would be, or None if it cannot be one.

    >>> make_label("MS. JEAN-PIERRE").name, make_label("Spokesperson Mao Ning").titles
    ('Jean-Pierre', ('Spokesperson',))
    """
    raw = re.sub(r"\s+", " ", clean(prefix))
    if not _shape_ok(raw, inline):
        return None
    words = raw.split()
    low = [w.strip(".").lower() for w in words]
    if len(words) == 1 and low[0] in QUESTION_WORDS:
        return Label(raw, raw, (), "question", inline=inline, rest=rest)
    if len(words) == 1 and low[0] in ANSWER_WORDS:
        return Label(raw, raw, (), "answer", inline=inline, rest=rest)
    if all(w in MODERATOR_WORDS or w in CONNECTORS for w in low):
        return Label(raw, raw, (), "moderator", inline=inline, rest=rest)
    honorific = False
    k = 0
    while k < len(words) - 1 and low[k] in HONORIFICS and (words[k].endswith(".") or low[k] != "m"):
        honorific, k = True, k + 1
    titles: list[str] = []
    if not _is_outlet(" ".join(words[k:])):
        while k < len(words) - 1 and low[k] in OFFICIAL_TITLES and not (low[k] == "the" and not titles and k + 2 < len(words)):
            titles.append(words[k])
            k += 1
        # 'THE PRESIDENT', 'SECRETARY' alone: the title is the name.
        if k == len(words) - 1 and low[k] in OFFICIAL_TITLES | MODERATOR_WORDS and not honorific:
            titles, k = [], 0
    if titles and titles[0].lower() == "the":
        titles = titles[1:]
    name_words = words[k:]
    name = " ".join(name_words)
    if (honorific or titles or len(words) > 1) and _caps(raw) and not _is_outlet(name):
        name = _title_case(name)
    titles_out = tuple(_title_case(t) if _caps(t) else t for t in titles)
    if not honorific and not titles and len(words) == 1 and low[0] in OFFICIAL_TITLES:
        titles_out = (_title_case(raw) if _caps(raw) else raw,)  # 'Spokesperson:' names a role
    return Label(raw, name, titles_out, "person", honorific, inline, rest)


def _title_case(s: str) -> str:
    return "-".join("'".join(p[:1].upper() + p[1:].lower() for p in part.split("'"))
                    for part in s.split("-")) if " " not in s else " ".join(_title_case(w) for w in s.split())


def line_label(line: str) -> Label | None:
    """The label a raw line starts with, if its form allows one (alone, inline or a bare Q)."""
    s = clean(line)
    if not s:
        return None
    lead = len(line) - len(line.lstrip())  # offsets below are relative to the raw line
    if s[-1] in ":：":
        return make_label(s[:-1])  # alone on its line: the seed's form
    m = BARE_Q_RE.match(s)
    if m and (m["rest"] is None or not m["rest"].startswith((":", "："))):
        if m["rest"] is None:
            return Label(m["q"], m["q"], (), "question" if m["q"] == "Q" else "answer")
        wide = len(m["space"]) >= 2 or "\t" in m["space"]
        if m["q"] == "A" and not m["dot"] and not wide:
            return None  # 'A new plan ...' is a sentence
        # 'Q    Thank you' and 'Q. Why?' are labels; 'Q Why?' and 'A. Yes.' only if the document repeats them.
        weak = not wide and not (m["q"] == "Q" and m["dot"])
        return Label(m["q"], m["q"], (), "question" if m["q"] == "Q" else "answer", inline=True,
                     rest=_offset(line, s, m.start("rest"), lead), weak_q=weak)
    m = INLINE_RE.match(s)
    if not m or m["rest"] is None:
        return None
    rest = m["rest"]
    if not m["space"] and m["colon"] == ":" and not (rest[0].isupper() or not rest[0].isascii() or rest[0] in "\"“‘'("):
        return None  # 'ratio:3', 'http://'
    return make_label(m["prefix"], inline=True, rest=_offset(line, s, m.start("rest"), lead))


def _offset(line: str, s: str, i: int, lead: int) -> int:
    """Offset in the raw line of position i of its cleaned form `s` (cleaning may drop artifacts)."""
    j = line.find(s[i:i + 24] or s[i:], lead)
    return j if j >= 0 else lead + i


# ---- names the preamble gives ----------------------------------------------------------------

NAME_STOP = {"by", "and", "with", "on", "at", "of", "for", "to", "from", "in", "the", "a", "an", "&", "–", "-", "—"}
WORD_RE = re.compile(r"[^\s,;:()]+")
TITLE_LINKS = {"of", "for", "on"}  # inside a title: "Secretary of Energy", "Minister for Trade"


def find_person(label: Label, preamble: list[str]) -> tuple[str, str] | None:
    """(full name, title) of the person a label names, from the title and header lines.

    'JEAN-PIERRE' in 'Press Briefing by Press Secretary Karine Jean-Pierre' gives
    ('Karine Jean-Pierre', 'Press Secretary'); a role label 'Spokesperson' with
    'Matthew Miller, Spokesperson' gives ('Matthew Miller', 'Spokesperson').
    """
    core = label.name.split()
    if not core:
        return None
    role_only = len(core) == 1 and not label.honorific and core[0].lower() in OFFICIAL_TITLES
    for line in preamble:
        words = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(line)]
        bare = [w.rstrip(".").removesuffix("'s").removesuffix("’s").casefold() for w, _, _ in words]
        if role_only:
            hit = _person_by_role(core[0], line, words, bare)
            if hit:
                return hit
            continue
        n = len(core)
        for i in range(len(words) - n + 1):
            if bare[i:i + n] != [c.casefold() for c in core]:
                continue
            # Given names just before the surname: capitalised, not a title or a stop word.
            j = i
            while j > 0 and i - j < 2 and _given(words[j - 1][0]) \
                    and not (j > 1 and words[j - 2][0].casefold() in TITLE_LINKS):
                j -= 1  # but "Energy" of "Secretary of Energy Thomas Okafor" ends a title
            if j == i and n == 1 and not label.titles and not label.honorific:
                continue  # a lone word with nothing before it is not evidence of a person
            full = " ".join(_nice(w) for w, _, _ in words[j:i + n]).removesuffix("'s").removesuffix("’s")
            t = j
            while t > 0 and (words[t - 1][0].casefold() not in NAME_STOP and words[t - 1][0][:1].isupper()
                             or t > 1 and words[t - 1][0].casefold() in TITLE_LINKS
                             and words[t - 2][0][:1].isupper()) \
                    and line[words[t - 1][2]:words[t][1]].strip() == "":
                t -= 1  # "Secretary of Energy": a title may link its words with "of", "for" or "on"
            title = " ".join(_nice(w) for w, _, _ in words[t:j])
            if not title:
                after = line[words[i + n - 1][2]:].lstrip()
                if after.startswith(","):
                    title = after[1:].strip().split(";")[0].strip().rstrip(".").strip()
            return full, title
    return None


def _person_by_role(role: str, line: str, words, bare) -> tuple[str, str] | None:
    """The person a role-only label ('Spokesperson:') means: named next to that role in `line`."""
    r = role.casefold()
    for i, b in enumerate(bare):
        if b != r:
            continue
        # 'Stéphane Dujarric, Spokesperson for ...'
        before = line[:words[i][1]].rstrip()
        if before.endswith(","):
            name = []
            for w in reversed([w for w, _, _ in words[:i]]):
                if not _given(w):
                    break
                name.insert(0, w)
                if len(name) == 3:
                    break
            if 2 <= len(name) <= 3:
                return " ".join(_nice(w) for w in name), line[words[i][1]:].strip().rstrip(".").strip()
        # 'Spokesperson Mao Ning'
        name = []
        for w, _, _ in words[i + 1:i + 4]:
            if not _given(w):
                break
            name.append(w.removesuffix("'s").removesuffix("’s"))
        if len(name) >= 2:
            return " ".join(_nice(w) for w in name), _nice(words[i][0])
    return None


def _given(w: str) -> bool:
    base = w.rstrip(".").removesuffix("'s").removesuffix("’s")
    return bool(base) and base[0].isupper() and base.casefold() not in OFFICIAL_TITLES \
        and base.casefold() not in NAME_STOP and base.casefold() not in HONORIFICS \
        and not any(ch.isdigit() for ch in base)


def _nice(w: str) -> str:
    return _title_case(w) if _caps(w) else w


def introduced_title(text: str, name: str) -> re.Match | None:
    """The host's words introducing a guest by name and title in `text` ("our guest will be Amara Okafor, the
    Humanitarian Coordinator for Sudan, who …"): a match whose `title` group is the title as written.

    >>> introduced_title("Our guest is Amara Okafor, the Humanitarian Coordinator for Sudan, who will brief you.",
    ...                  "Amara Okafor").group("title")
    'Humanitarian Coordinator for Sudan'
    >>> introduced_title("Thank you, Amara Okafor, for your time.", "Amara Okafor") is None
    True
    """
    words = r"(?:[A-Z][\w'’&-]*|of|for|on|the|and|to|in)"
    return re.search(rf"\b{re.escape(name)},\s+(?:the\s+|our\s+)?(?P<title>[A-Z][\w'’&-]*(?:\s+{words}){{0,9}}?)"
                     rf"(?=,|\.|;|\s+(?:who|will|is|has)\b)", text)
