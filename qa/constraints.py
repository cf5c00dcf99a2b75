"""Near-miss detection: years, places and figures a question names that the evidence does not contain."""
from __future__ import annotations

import re

YEAR_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
FIGURE_RE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:%| percent)?")
SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen", "twenty"]
# Countries, regions and Chinese provinces/cities a question may name (lower case).
PLACES = set("""afghanistan albania algeria argentina armenia australia austria azerbaijan bangladesh belarus
belgium brazil brunei bulgaria cambodia canada chile colombia croatia cuba cyprus czechia denmark egypt
estonia ethiopia finland france georgia germany greece hungary iceland india indonesia iran iraq ireland
israel italy japan jordan kazakhstan kenya korea kuwait kyrgyzstan laos latvia lithuania luxembourg
malaysia malta mexico mongolia morocco myanmar nepal netherlands zealand nigeria norway oman pakistan peru
philippines poland portugal qatar romania russia rwanda saudi serbia singapore slovakia slovenia africa
spain lanka sweden switzerland syria tajikistan tanzania thailand tunisia turkey turkiye uganda ukraine
emirates britain uk usa america uruguay uzbekistan venezuela vietnam yemen zambia zimbabwe europe eu asean
anhui beijing chongqing fujian gansu guangdong guangxi guizhou hainan hebei heilongjiang henan hubei hunan
jiangsu jiangxi jilin liaoning ningxia qinghai shaanxi shandong shanghai shanxi sichuan tianjin tibet
xinjiang yunnan zhejiang hong kong macao macau taiwan shenzhen guangzhou hangzhou nanjing wuhan chengdu
xi'an suzhou jinan qingdao xiamen dalian harbin""".split())
# Demonyms a question may use instead of the country ("German companies").
DEMONYMS = {"german": "germany", "american": "united states", "japanese": "japan", "korean": "korea",
            "french": "france", "british": "united kingdom", "indian": "india", "russian": "russia",
            "thai": "thailand", "italian": "italy", "spanish": "spain", "brazilian": "brazil",
            "canadian": "canada", "australian": "australia", "swiss": "switzerland", "dutch": "netherlands",
            "swedish": "sweden", "singaporean": "singapore", "vietnamese": "vietnam", "egyptian": "egypt",
            "polish": "poland", "hungarian": "hungary", "mexican": "mexico", "european": "europe"}
TWO_WORD = {"south korea", "north korea", "new zealand", "south africa", "saudi arabia", "sri lanka",
            "united states", "united kingdom", "hong kong", "inner mongolia", "czech republic"}


# "the US", "U.S." and "USA" are told from the pronoun "us" by their capitals.
US_RE = re.compile(r"(?<![\w.])U\.?S\.?A?(?![\w])")


def _places(question: str) -> list[str]:
    q = question.lower()
    found = [p for p in TWO_WORD if re.search(rf"\b{p}\b", q)]
    if US_RE.search(question) and "united states" not in found:
        found.append("united states")
    covered = " ".join(found)
    for w in re.findall(r"[a-z][a-z']+", q):
        if w in PLACES and w not in covered:
            found.append(w)
        elif w in DEMONYMS:
            found.append(w)
    return found


def _place_in(place: str, ev: str) -> bool:
    names = {place, DEMONYMS.get(place, place)}
    names |= {d for d, c in DEMONYMS.items() if c == place}
    if place in ("uk", "britain", "united kingdom", "british"):
        names |= {"united kingdom", "britain", "uk"}
    if place in ("usa", "america", "united states", "american"):
        names |= {"united states", "u.s.", "america"}
    return any(re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", ev) for n in names)


def _figure_in(fig: str, evidence: str) -> bool:
    f = fig.replace(" percent", "%").replace(",", "")
    bare = f.rstrip("%")
    ev = evidence.replace(",", "")
    if re.search(rf"(?<![\d.]){re.escape(bare)}(?![\d]|\.\d)", ev):
        return True
    if bare.isdigit() and int(bare) < len(SMALL) and re.search(rf"\b{SMALL[int(bare)]}\b", ev, re.I):
        return True
    return False


def unmatched(question: str, evidence: str, doc_year: int | None) -> list[str]:
    """Constraints of `question` (years, places, figures) that `evidence` does not contain.

    The briefing's own year counts as matched when the evidence speaks of "this year"/"this <month>";
    the year before as "last year".

    >>> unmatched("What was the examination period in 2019?", "It fell to 15.7 months this year.", 2024)
    ['2019']
    >>> unmatched("How many patents as of June 2024?", "As of this June, 4.425 million", 2024)
    []
    >>> unmatched("How many applications came from the US?", "Applicants from the United States led.", 2024)
    []
    >>> unmatched("How many applications came from the U.S.?", "7 million applications.", 2024)
    ['United States']
    >>> unmatched("Tell us how many applications came in", "7 million applications.", 2024)
    []
    """
    ev = evidence.lower()
    out = []
    years = set(YEAR_RE.findall(question))
    for y in sorted(years):
        # A year counts when the evidence states it, not when it only bounds a range ("2021-2035").
        if re.search(rf"(?<![\d–-]){y}(?![\d]|\s*[–-]\s*\d)", evidence):
            continue
        yi = int(y)
        if doc_year and yi == doc_year and re.search(r"\bthis (year|january|february|march|april|may|june|july|"
                                                     r"august|september|october|november|december|first half)\b|\bso far\b", ev):
            continue
        if doc_year and yi == doc_year - 1 and re.search(r"\blast year\b|\bprevious year\b", ev):
            continue
        out.append(y)
    for p in _places(question):
        if not _place_in(p, ev):
            out.append(p.title())
    for fig in FIGURE_RE.findall(question):
        if fig in years or re.fullmatch(r"\d", fig.rstrip("%")):
            continue  # years handled above; a lone digit is usually a count ("top 3"), not a figure
        if not _figure_in(fig, evidence):
            out.append(fig)
    return out
