"""Follow-up questions: decide whether a question stands alone, else fold in the previous user turn.

Rule (simple, measured in the eval's follow-up items): a question is a follow-up when it has
history and either starts like a continuation ("And …", "What about …", "How about …", "Why?")
or leans on a pronoun with nothing to refer to ("that", "it", "they", "he", …) while being short, or
is elliptical (two words at most: "Which countries?").
Its retrieval query is then the previous user question followed by this one.
"""
from __future__ import annotations

import re

CONTINUATION = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|what of|how does that|why( is that| so)?\??$|"
    r"same for|compared|plus|or)\b", re.I)
PRONOUN = re.compile(r"\b(that|this|these|those|it|its|they|them|their|he|she|his|her|him|one|ones|there|the same)\b", re.I)
PERSON = re.compile(r"\b(he|she|him|his|hers)\b", re.I)
STANDALONE_WORDS = 14
ELLIPTICAL_WORDS = 2  # a question of at most this many words leans on the one before it
WORD = re.compile(r"[\w'-]+")


def is_elliptical(question: str) -> bool:
    """Too short to name a subject of its own ("Which countries?", "Since when?"): it can only be read
    with the question before it.

    >>> is_elliptical("Which countries?"), is_elliptical("Who chaired the briefing?")
    (True, False)
    """
    return len(WORD.findall(question)) <= ELLIPTICAL_WORDS


def is_follow_up(question: str, history: list[str] | None) -> bool:
    """True when `question` needs `history` to be understood.

    >>> is_follow_up("And what about trademarks?", ["How many patents?"])
    True
    >>> is_follow_up("How many PPH agreements does China have?", ["How many patents?"])
    False
    """
    if not history:
        return False
    q = question.strip()
    if CONTINUATION.search(q):
        return True
    if is_elliptical(q) or is_fragment(q) or HE_SAID.search(q) or re.match(r"\W*(his|her|their|he|she)\b", q, re.I):
        return True
    if PERSON.search(q):
        return True  # "What growth rate did he attach to that number, …?": "he" is someone named before

    return len(q.split()) <= STANDALONE_WORDS and bool(PRONOUN.search(q))


# "Did he also say …", "What else did she mention …": a question about what someone said, however long.
HE_SAID = re.compile(r"^\W*(?:and |so |but |also )?(?:did|does|has|had|what did|what else did|how did|why did|where did)"
                     r"\s+(?:he|she)\b", re.I)
FRAGMENT_WORDS = 6
VERB = re.compile(r"\b(is|are|was|were|be|did|does|do|has|have|had|can|could|will|would|should|may|might|say|said|"
                  r"tell|told|give|gave|list|name|summar\w+|compare|explain|describe|show|spoke|took|made|went|got|"
                  r"came|met|held|won|saw|began|rose|fell|grew|reached)\b|\w(ed|ing)\b", re.I)
WH_START = re.compile(r"^\W*(who|whom|whose|what|which|when|where|why|how)\b", re.I)


def is_fragment(question: str) -> bool:
    """A few words with no verb ("top 3 source countries?", "service centres - how many, where"): a phrase
    that continues the conversation.

    >>> is_fragment("top 3 source countries?"), is_fragment("Who chaired it?")
    (True, False)
    """
    return len(WORD.findall(question)) <= FRAGMENT_WORDS and not VERB.search(question) \
        and not WH_START.search(question)  # "How many PPH agreements?" is a question of its own


def condense(question: str, history: list[str] | None) -> str:
    """The retrieval query for `question` given earlier user questions (most recent last)."""
    history = [h for h in (history or []) if h and h.strip()]
    if not is_follow_up(question, history):
        return question.strip()
    # The nearest earlier question that itself stands alone carries the topic.
    for i in range(len(history) - 1, -1, -1):
        if not is_follow_up(history[i], history[:i]):
            base = history[i].strip()
            break
    else:
        base = history[-1].strip()
    return f"{base} {question.strip()}"


# Where a second question starts: after a question mark, or at ", and how many/what/who …".
PART_RE = re.compile(r"(?<=\?)\s+(?=\S)|,?\s+\band\s+(?=(?:how (?:many|much|long|fast|far)|what|who|whom|which|when|"
                     r"where|why)\b)", re.I)


def question_parts(question: str) -> list[str]:
    """The questions a question asks, in order: itself alone, or its parts when it asks two or more things.

    >>> question_parts("How many students enrolled, and how many experts were sent abroad?")
    ['How many students enrolled', 'how many experts were sent abroad?']
    >>> question_parts("Why is it useful? What does it do?")
    ['Why is it useful?', 'What does it do?']
    >>> question_parts("Which countries and which regions signed?")
    ['Which countries and which regions signed?']
    """
    parts = [p.strip(" ,;") for p in PART_RE.split(question) if p and p.strip(" ,;")]
    parts = [p for p in parts if len(WORD.findall(p)) >= 3]
    return parts if len(parts) > 1 else [question]

