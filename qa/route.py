"""Route a question's plan to the answerer for its intent, and keep the better-supported answer.

`answer(plan, lookup, settings)` picks the answerer (qa/answerers.py, or qa/structure.py for questions
about the briefing itself), answers a follow-up alone too when history may have hurt, and words an
abstention as "never mentions" when the question's key terms occur nowhere in the corpus.
"""
from __future__ import annotations

import dataclasses
import re

from .answer import NOT_FOUND, Composer, best_relevance, never_mentions, related
from .answerers import ANSWERERS, searched_prefix
from .condense import is_elliptical
from .lookup import Lookup
from .scope import per_index
from .types import Answer, Block, QueryPlan


def answer(plan: QueryPlan, lookup: Lookup, settings) -> Answer:
    """Route `plan` to its answerer; questions about names or terms the corpus never has are answered so."""
    from .structure import answer_structure, answer_unknown
    from .understand import fallback_structure

    if plan.scope.unknown and not plan.scope.officials and not plan.scope.outlets:
        return answer_unknown(plan, lookup, settings)
    if plan.absent:
        out = Composer()
        out.blocks.extend(searched_prefix(plan))
        out.add("notice", never_mentions(plan.absent))
        hits = lookup.search(plan.query, lookup.plan_filters(plan))
        return out.answer(plan.question, plan.intent, True, "absent: " + ", ".join(plan.absent),
                          related(hits, lookup.index), plan.query)
    # A plan keeps a structure kind only for structure questions and for personal details of a person ("bio"),
    # which the header's title rows answer.
    fn = answer_structure if plan.structure else ANSWERERS[plan.intent]
    result = fn(plan, lookup, settings)
    if result.abstained and result.reason == "empty-scope" and plan.intent != "structure" \
            and plan.scope.outlets and plan.scope.officials and not lookup.filters.speakers:
        # "When Xinhua asked about X, did Shen respond?": he did not answer that outlet; say so, and who did.
        alt = _as_structure(plan, "answered_by", lookup, settings, dataclasses.replace(plan.scope, officials=()))
        if alt is not None:
            note = Block("notice", f"{' and '.join(plan.scope.officials)} did not answer "
                                   f"{' or '.join(plan.scope.outlets)}'s question. Who did:")
            return _reworded(alt, (note,) + alt.blocks)
    if plan.follow_up and plan.query != plan.standalone and plan.intent != "structure" \
            and not is_elliptical(plan.standalone):
        # History must never hurt: the question alone is answered too, and the better-supported answer kept.
        alone = fn(dataclasses.replace(plan, query=plan.standalone), lookup, settings)
        if _better(alone, result, plan.topic):
            result = alone
    checked = settings.unseen_word_check and not result.abstained and plan.intent != "structure" \
        and result.citations and not _counted(result, plan)
    weak = checked and best_relevance(result) < settings.abstain_threshold
    unseen = _unseen_words(plan, lookup) if weak or checked and plan.intent == "overview" else []
    subject = _unseen_subject(plan, unseen) if plan.intent == "overview" else []
    if subject:
        # "What did she say about landmines in Sudan?": the passages found speak of Sudan; the subject asked
        # about occurs nowhere in the corpus, however well the rest of the question matches. Name it.
        notices = tuple(b for b in result.blocks if b.kind == "notice")
        result = _reworded(result, notices + (Block("notice", never_mentions(subject)),), abstained=True,
                           reason="absent: " + ", ".join(subject), citations=())
    elif weak and unseen:
        # Answered only because the bar is lower for named people or "what did they say about": but a
        # word of the topic occurs nowhere in the corpus, so these passages are about something else.
        notices = tuple(b for b in result.blocks if b.kind == "notice")
        result = _reworded(result, notices + (Block("notice", NOT_FOUND),), abstained=True, reason="weak-evidence",
                           citations=())
    if plan.intent in ("fact", "list", "overview") and (
            result.abstained and (result.reason or "").startswith(("weak-evidence", "unmatched-constraint"))
            or plan.intent == "fact" and not result.abstained):
        # "Has the ministry confirmed whether Liang will meet the presidents?": a reporter asked it, and the reply
        # declined ("I have nothing further to share."); that reply is the briefing's answer when the question
        # matches better than any sentence that answered.
        from .declines import answer_declined, declined

        d = declined(plan, lookup, settings)
        if d is not None and (result.abstained or d[2] > best_relevance(result)):
            return answer_declined(plan, lookup, *d, plan.intent)
    if result.abstained and result.reason == "weak-evidence" and plan.intent in ("fact", "list"):
        # No passage answers it: a question about the briefing itself in words no structure rule has ("who was
        # like chairing it, the host person") is answered from the transcript's structure.
        kind = fallback_structure(plan, lookup.index)
        alt = _as_structure(plan, kind, lookup, settings) if kind is not None else None
        if alt is not None:
            return alt
    if result.abstained and result.reason == "weak-evidence":
        missing = _absent_words(plan, lookup)
        if missing:
            blocks = tuple(b for b in result.blocks if not (b.kind == "notice" and b.text == NOT_FOUND))
            result = _reworded(result, blocks + (Block("notice", never_mentions(missing)),),
                               reason="absent: " + ", ".join(missing))
    if result.abstained and result.reason == "weak-evidence" and plan.scope.officials \
            and not plan.scope.from_history and plan.intent in ("fact", "overview", "list", "summary"):
        # "What did Hu Wenhui say about the Madrid system?": he did not, but another official did. Say so and
        # show their words (still an abstention: it does not answer the question as asked).
        wider = fn(dataclasses.replace(plan, scope=dataclasses.replace(plan.scope, officials=())), lookup, settings)
        if not wider.abstained and {c.speaker for c in wider.citations} - set(plan.scope.officials):
            who = " or ".join(plan.scope.officials)
            note = Block("notice", f"I could not find a passage where {who} speaks to this. Others spoke to it:")
            kept = tuple(b for b in wider.blocks if b.kind != "notice")
            result = _reworded(wider, tuple(searched_prefix(plan)) + (note,) + kept, abstained=True,
                               reason="other-speaker: " + ", ".join(plan.scope.officials))
    return result


def _as_structure(plan: QueryPlan, kind: str, lookup: Lookup, settings, scope=None) -> Answer | None:
    """`plan` answered as the structure question `kind` (in `scope`, if given), or None when that finds nothing."""
    from .structure import answer_structure

    alt = answer_structure(dataclasses.replace(plan, intent="structure", structure=kind, scope=scope or plan.scope),
                           lookup, settings)
    return alt if not alt.abstained and alt.citations else None


def _counted(a: Answer, plan: QueryPlan) -> bool:
    """A list of exactly the asked number of items ("the five headings"): the count itself is evidence."""
    return bool(plan.count) and a.intent == "list" and sum(b.kind == "item" for b in a.blocks) == plan.count


def _coverage(a: Answer, words: set[str]) -> float:
    from .bm25 import tokenize

    return len(words & set(tokenize(a.answer))) / len(words) if words else 0.0


def _better(a: Answer, b: Answer, topic: str) -> bool:
    """Whether the question-alone answer `a` beats the condensed `b`: it answers where `b` abstains, or
    quotes more of the question's own topic words (a follow-up that changed topic)."""
    from .bm25 import tokenize

    if a.abstained != b.abstained:
        return not a.abstained
    words = set(tokenize(topic))
    return _coverage(a, words) > _coverage(b, words)


def _unseen_words(plan: QueryPlan, lookup: Lookup) -> list[str]:
    """Terms of the question's topic whose stem occurs nowhere in the corpus ("blockchain", "generative").

    Common English words ("cover", "firms") are paraphrase more often than subject, so they do not count.
    """
    from .bm25 import tokenize
    from .spelling import common_word, spelling_variants

    stems = _corpus_stems(lookup.index)
    return [w for w in plan.topic.split() if len(w) >= 4 and w.isalpha() and not common_word(w)
            and not set(tokenize(" ".join([w] + spelling_variants(w.lower())))) & stems]  # "licences": "licenses"


def _unseen_subject(plan: QueryPlan, unseen: list[str]) -> list[str]:
    """The `unseen` words (see `_unseen_words`) that are nouns of what an overview asks about ("what did she say
    about landmines in Sudan?"): a subject the corpus never has, however well the rest ("Sudan") matches."""
    about = re.search(r"\babout\s+([^?.!]+)", plan.standalone, re.I)
    if not about:
        return []
    words = set(re.findall(r"[a-z]+", about.group(1).lower()))
    nouns = [w for w in unseen if w.lower() in words and not w.lower().endswith(("ing", "ed"))]
    # Named as the reader wrote the term: "generative AI", "semiconductor patents", but "landmines" of "landmines
    # in Sudan".
    return [m.group(0) if (m := re.search(rf"\b{re.escape(w)}(?:\s+(?!{SUBJECT_END}\b)[A-Za-z][\w-]*){{0,2}}",
                                           about.group(1), re.I)) else w for w in nouns]


# Words that end the term an overview asks about: prepositions, conjunctions and "at all"-like fillers.
SUBJECT_END = (r"(?:in|on|at|of|for|and|or|to|with|by|from|the|a|an|as|than|during|among|between|anywhere|all|"
               r"today|there|here|then|specifically|please|at|if|whether|when|where|which|that|who|what|how|did|does|was|"
               r"were|is|are|has|have|had)")


@per_index
def _corpus_stems(index) -> set[str]:
    """The stems of every word of the corpus vocabulary."""
    from .bm25 import tokenize
    from .spelling import speller_for

    return set(tokenize(" ".join(speller_for(index).counts)))


def _absent_words(plan: QueryPlan, lookup: Lookup) -> list[str]:
    """Topic words of the question that neither the corpus nor ordinary English has ("blockchain"): key terms
    it lacks. Used only to word an abstention already decided on weak evidence: a misspelling that nothing
    corrected would also pass this test, so it never decides to abstain by itself."""
    from .scope import STOP
    from .spelling import english_words, speller_for

    counts = speller_for(lookup.index).counts
    out = []
    for w in re.findall(r"(?<![\w-])[A-Za-z][a-z]{3,}(?![\w'’-])", plan.topic):  # not "wasn" of "wasn't"
        lw = w.lower()
        forms = {lw, lw.rstrip("s"), lw[:-2] if lw.endswith("es") else lw, lw + "s"}
        if lw not in STOP and not any(f in counts for f in forms) and not forms & english_words():
            out.append(w)
    return out


def _reworded(result: Answer, blocks: tuple[Block, ...], **changes) -> Answer:
    """`result` with new blocks, its text rendered from them again (text and blocks never disagree)."""
    from .present import blocks_text

    return dataclasses.replace(result, blocks=blocks, answer=blocks_text(blocks), **changes)
