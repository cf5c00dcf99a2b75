"""Spelling correction of question words against the corpus vocabulary (symspellpy).

A word is left alone when the corpus has it or it is an ordinary English word (among the 20,000
commonest of symspellpy's 82,765-word frequency list), so only true misspellings change: "patnets"
-> "patents", "chna" -> "china"; a rarer English word one edit from a word the corpus uses often is
taken as a slip of it when it is that word with a letter dropped or two letters swapped ("abut" ->
"about", "polices" -> "policies"; "gist" stays). A non-word with no close corpus word may misspell an ordinary English word
("chaird" -> "chair", "sumarize" -> "summarize"). Short words (< 4 letters) and acronyms are never touched.
"""
from __future__ import annotations

import collections
import functools
import re
from importlib import resources

from .types import Correction

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
MIN_LEN = 4
RARE_ENGLISH = 20000  # English words rarer than this rank may be slips of a corpus word (see Speller.suggest)
RARE_SLIP_COUNT = 3   # ... when that corpus word occurs at least this often
COMMON_SLIP_RANK = 1000  # ... or is among the 1,000 commonest English words ("about")
ENGLISH_FALLBACK = 30000  # a non-word may also be a misspelling of one of these English words ("chaird")


@functools.lru_cache(maxsize=1)
def english_ranks() -> dict[str, int]:
    """{word: rank} of symspellpy's English frequency dictionary (0 = most frequent)."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    words = path.read_text(encoding="utf-8").split()[0::2]  # "word count" lines; one split is 4x faster
    return dict(zip(words, range(len(words))))


def english_words():
    """The words of symspellpy's English frequency dictionary."""
    return english_ranks().keys()


def common_word(word: str, top: int = 5000) -> bool:
    """Among the `top` most frequent English words ("cover", "firms"), as opposed to a term ("semiconductor")."""
    return english_ranks().get(word.lower(), top) < top


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def _slip(typed: str, meant: str) -> bool:
    """`typed` is `meant` with one letter dropped, or with two adjacent letters swapped.

    >>> _slip("abut", "about"), _slip("form", "from"), _slip("gist", "list")
    (True, True, False)
    """
    if len(meant) == len(typed) + 1:
        return any(meant[:i] + meant[i + 1:] == typed for i in range(len(meant)))
    if len(meant) == len(typed):
        return any(meant[:i] + meant[i + 1] + meant[i] + meant[i + 2:] == typed for i in range(len(meant) - 1))
    return False


@functools.lru_cache(maxsize=1)
def english_speller():
    """A SymSpell over the ENGLISH_FALLBACK commonest English words, built on first use (a question with a
    word that is neither in the corpus nor English)."""
    from symspellpy import SymSpell

    # One edit is all it is asked for (13 MiB and 0.3 s for 30,000 words; two edits and prefix 7: 57 MiB, 1.4 s).
    sym = SymSpell(max_dictionary_edit_distance=1, prefix_length=5)
    for w, rank in english_ranks().items():
        if rank < ENGLISH_FALLBACK and len(w) >= 3:
            sym.create_dictionary_entry(w, ENGLISH_FALLBACK - rank)
    return sym


class Speller:
    """Corrects words against a vocabulary built from corpus texts.

    >>> sp = Speller(["China had 4.425 million valid invention patents."])
    >>> sp.correct("how many valid invension patnets does chna have nowadays")
    ('how many valid invention patents does china have nowadays', (Correction(wrong='invension', right='invention'), Correction(wrong='patnets', right='patents'), Correction(wrong='chna', right='china')))
    """

    def __init__(self, texts):
        self.counts = collections.Counter(w.lower() for t in texts for w in words(t))

    @functools.cached_property
    def sym(self):
        """The SymSpell over the corpus words, built when a question first has a word to look up (most
        questions have none, and building it is most of a cold `ask`'s planning time)."""
        from symspellpy import SymSpell

        sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for w, n in self.counts.items():
            if len(w) >= 3:
                sym.create_dictionary_entry(w, n)
        return sym

    def suggest(self, word: str) -> str | None:
        """The corpus word `word` most likely misspells, or None when it is fine or nothing is close."""
        from symspellpy import Verbosity

        w = word.lower()
        if len(word) < MIN_LEN or word.isupper() or w in self.counts:
            return None
        other = next((v for v in spelling_variants(w) if v in self.counts), None)
        if other is not None:
            return other  # "centres" where the transcript writes "centers" (or the other way round)
        if "-" in w.strip("-"):
            # A compound is corrected part by part: "chip-related" is two words, not a slip of "ip-related".
            parts = w.split("-")
            fixed = [self.suggest(p) or p for p in parts]
            return "-".join(fixed) if fixed != parts else None
        rank = english_ranks().get(w)
        if rank is not None and rank < RARE_ENGLISH:
            return None
        # A rare English word one edit from a word the corpus uses often is most likely a slip of that
        # word ("abut" -> "about", "polices" -> "policies"); other English words stay as they are.
        distance = 1 if rank is not None or len(word) <= 6 else 2
        found = self.sym.lookup(w, Verbosity.CLOSEST, max_edit_distance=distance)
        if rank is None:
            # Not a word at all: the question's own words ("chaird", "sumarize") may be English words the
            # corpus never uses; a corpus word wins at equal distance.
            english = english_speller().lookup(w, Verbosity.CLOSEST, max_edit_distance=1)  # "onerror" stays
            if english and (not found or english[0].distance < found[0].distance):
                found = english
        else:
            # A real (rare) word is only taken for a slip of the commonest kinds, a dropped letter or two
            # swapped ones: "gist" is not "list" mistyped.
            found = [f for f in found if _slip(w, f.term)
                     and (f.count >= RARE_SLIP_COUNT or common_word(f.term, COMMON_SLIP_RANK))]
        return found[0].term if found else None

    def correct(self, text: str) -> tuple[str, tuple[Correction, ...]]:
        """(`text` with misspelled words replaced, the corrections made)."""
        fixes: list[Correction] = []

        def fix(m: re.Match) -> str:
            w = m.group(0)
            stem, own = re.subn(r"['’]s$", "", w)  # "comissioner's": correct the name, keep the possessive
            right = self.suggest(stem)
            if right is None:
                return w
            if own:
                right += w[len(stem):]
            if w[0].isupper():
                right = right[0].upper() + right[1:]
            fixes.append(Correction(w, right))
            return right

        text = WORD_RE.sub(fix, text)

        def expand(m: re.Match) -> str:
            w = m.group(0)
            if w.lower() in self.counts:
                return w  # the corpus itself uses the abbreviation
            fixes.append(Correction(w, ABBREVIATIONS[w.lower()]))
            return ABBREVIATIONS[w.lower()]

        return ABBREVIATION_RE.sub(expand, text), tuple(fixes)


# British and American spellings of the same word, as (British, American) endings.
VARIANT_ENDINGS = (("tres", "ters"), ("tre", "ter"), ("ise", "ize"), ("ised", "ized"), ("ises", "izes"),
                   ("ising", "izing"), ("isation", "ization"), ("isations", "izations"), ("our", "or"),
                   ("ours", "ors"), ("ence", "ense"), ("ences", "enses"), ("ogue", "og"), ("lled", "led"),
                   ("lling", "ling"), ("mme", "m"), ("mmes", "ms"))


def spelling_variants(word: str) -> list[str]:
    """The word in the other spelling (British <-> American), by its ending.

    >>> spelling_variants("centres"), spelling_variants("organize")
    (['centers'], ['organise'])
    """
    out = []
    for uk, us in VARIANT_ENDINGS:
        if word.endswith(uk) and len(word) > len(uk) + 2:
            out.append(word[: -len(uk)] + us)
        if word.endswith(us) and len(word) > len(us) + 2:
            out.append(word[: -len(us)] + uk)
    return [v for v in dict.fromkeys(out) if v != word]


# Reporters' shorthand for periods and rates, spelled out as transcripts say them ("H1" -> "first half").
ABBREVIATIONS = {"h1": "first half", "h2": "second half", "1h": "first half", "2h": "second half",
                 "q1": "first quarter", "q2": "second quarter", "q3": "third quarter", "q4": "fourth quarter",
                 "yoy": "year on year", "y/y": "year on year", "ytd": "so far this year",
                 "q": "question", "qs": "questions"}
ABBREVIATION_RE = re.compile(r"(?<![\w/&])(?:" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len,
                                                                                     reverse=True))
                             + r")(?![\w/&])", re.I)


def speller_for(index) -> Speller:
    """The index's Speller, built once per loaded index from its answers, questions and header."""
    sp = getattr(index, "_speller", None)
    if sp is None:
        texts = [c.text for c in index.chunks] + [c.question or "" for c in index.chunks]
        texts += [t.text[: (t.turns[0].start if t.turns else 0)] for t in index.transcripts]
        texts += [t.title for t in index.transcripts]
        texts += [f"{turn.speaker} {turn.label}" for t in index.transcripts for turn in t.turns]  # outlets, names
        sp = Speller(texts)
        index._speller = sp
    return sp


def warm_in_background(index) -> None:
    """Build the index's speller in a daemon thread, so a long-running chat or server does not spend the first
    misspelled question's time building it. The English fallback (13 MiB, 0.3 s) is left to the first
    question that needs it: serving RSS stays under its 400 MiB goal."""
    import threading

    threading.Thread(target=lambda: (english_ranks(), speller_for(index).sym), name="warm-spelling",
                     daemon=True).start()
