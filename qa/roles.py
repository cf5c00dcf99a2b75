"""Who is who in a transcript: each speaker's role (moderator, official, reporter) and the evidence.

Decided in this order, the first rule that applies winning:
1. a known person: the header roster (chairperson = moderator, speakers = officials, an
   interviewer = reporter), a name the title gives with a title ('Press Secretary Karine
   Jean-Pierre'), or a label carrying an official's title ('ADMIRAL KIRBY');
2. the label's own word: `Q`/`Question` asks, `A` answers, `Moderator`/`Host` moderates;
3. the first speaker, when nobody moderates yet and they speak more than once: the moderator,
   unless they answer questions themselves (a spokesperson who moderates and answers is an official);
4. with known people: anyone else is a reporter, unless their first turn directly follows a
   reporter's and asks nothing, or they answer questions and never ask (then they answer: an official);
5. without: a speaker whose turns end in a question and never run past 120 words is a reporter,
   everyone else is an official.
"""
from __future__ import annotations

HEADER_ROLE_WORDS = {"moderator", "host", "chairperson", "chairpersons", "chair", "presider"}
REPORTER_MAX_WORDS = 120


def asks(paras) -> bool:
    """A turn reads as a question: its last paragraph contains a question mark."""
    return bool(paras) and ("?" in paras[-1].text or "？" in paras[-1].text)


def _words(paras) -> int:
    return sum(len(p.text.split()) for p in paras)


def infer_roles(turns, roster: dict, known_why: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """({speaker: role}, {speaker: why}) for turns given as (speaker, label, paragraphs) triples.

    `roster` maps known names to Person; `known_why` says how each became known.
    """
    names = list(dict.fromkeys(n for n, _, _ in turns))
    first_label = {}
    for n, lab, _ in turns:
        first_label.setdefault(n, lab)
    roles: dict[str, str] = {}
    why: dict[str, str] = {}
    for n in names:
        lab = first_label[n]
        if n in roster:
            roles[n], why[n] = roster[n].role, known_why.get(n, "in the roster")
        elif lab is not None and lab.kind == "question":
            roles[n], why[n] = "reporter", f"label '{lab.raw}' marks questions"
        elif lab is not None and lab.kind == "answer":
            roles[n], why[n] = "official", f"label '{lab.raw}' marks answers"
        elif (lab is not None and lab.kind == "moderator") or n.lower() in HEADER_ROLE_WORDS:
            roles[n], why[n] = "moderator", f"label '{n}' is a role word"
    own = {n: [p for m, _, p in turns if m == n and p] for n in names}
    longest = {n: max((_words(ps) for ps in own[n]), default=0) for n in names}
    asker = {n: any(asks(ps) for ps in own[n]) for n in names}

    def reporter_like(n):
        return roles.get(n) == "reporter" or (n not in roles and asker[n] and longest[n] <= REPORTER_MAX_WORDS)

    answered = {n: 0 for n in names}  # turns right after a question that ask nothing themselves
    for (prev, _, _), (n, _, paras) in zip(turns, turns[1:]):
        if prev != n and reporter_like(prev) and paras and not asks(paras):
            answered[n] += 1

    first = turns[0][0]
    has_moderator = any(r == "moderator" for r in roles.values()) or any(p.role == "moderator" for p in roster.values())
    times = sum(1 for n, _, _ in turns if n == first)
    if not has_moderator and first not in roles and times > 1:
        if answered[first] and answered[first] >= max((answered[n] for n in names if n != first), default=0):
            roles[first] = "official"
            why[first] = f"speaks first and {times} times, answers {answered[first]} question(s): moderates and answers"
        else:
            roles[first] = "moderator"
            why[first] = f"speaks first and {times} times, answers no question"
    if roster:
        prev = None
        for n, _, paras in turns:
            if n not in roles:
                if prev is not None and roles.get(prev) == "reporter" and paras and not asks(paras):
                    roles[n], why[n] = "official", "not in the roster; answers the question before it"
                elif answered[n] and not asker[n]:
                    # A guest the host introduces speaks first after the host, then answers and never asks.
                    roles[n], why[n] = "official", f"not in the roster; answers {answered[n]} question(s), asks none"
                else:
                    roles[n], why[n] = "reporter", "not in the roster" + ("; asks" if asker[n] else "")
            prev = n
        return roles, why
    for n in names:
        if n in roles:
            continue
        if asker[n] and longest[n] <= REPORTER_MAX_WORDS:
            roles[n], why[n] = "reporter", f"asks (a turn ends in '?'), longest turn {longest[n]} words"
        else:
            roles[n] = "official"
            why[n] = (f"answers {answered[n]} question(s), longest turn {longest[n]} words" if answered[n]
                      else f"longest turn {longest[n]} words" + (", asks nothing" if not asker[n] else ""))
    return roles, why
