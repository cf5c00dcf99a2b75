"""Parsing: the seed transcript's metadata, roster and spans; small hand-made formats; bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.errors import CorpusError
from qa.transcript import ARTIFACT, parse_file, parse_text, read_source

SEED = Path(__file__).resolve().parent.parent / "corpus" / "2024-07-29-scio-cnipa-ip.txt"

HEADER = """Speakers:
Mr. Li Wei, minister of ecology
Ms. Zhao Min, vice minister of ecology
Chairperson:
Mr. Chen Bo, spokesperson of the SCIO
Date:
March 3, 2024
"""
BODY = """Chen Bo:
Good morning. The floor is open for questions.
CCTV:
What progress has been made on clean air? Thank you.
Li Wei:
Thank you. Fine particles fell by 3.5% last year.
Chen Bo:
That is all for today.
"""


def roles(t):
    return [(x.speaker, x.role) for x in t.turns]


def check_spans(t):
    """Every paragraph and turn span slices the transcript text back exactly, artifact-free."""
    for turn in t.turns:
        assert (turn.start, turn.end) == (turn.paragraphs[0].start, turn.paragraphs[-1].end)
        for p in turn.paragraphs:
            assert t.text[p.start:p.end] == p.text
            assert p.text == p.text.strip() and p.text
            assert ARTIFACT not in p.text
            assert p.line == t.text.count("\n", 0, p.start) + 1


# ---- the seed --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed():
    return parse_file(SEED)


def test_seed_title_date_and_id(seed):
    assert seed.doc_id == "2024-07-29-scio-cnipa-ip"
    assert seed.title == ("SCIO briefing on promoting high-quality development: "
                          "China National Intellectual Property Administration")
    assert seed.date == "2024-07-29"
    assert seed.has_header and seed.warnings == ()


def test_seed_date_comes_from_the_header_without_the_sidecar(seed_text):
    t = parse_text(seed_text, "elsewhere/briefing.txt")
    assert t.date == "2024-07-29"
    assert t.doc_id == "briefing"


def test_seed_roster_merges_both_headers_keeping_fuller_titles(seed):
    assert {p.name: (p.role, p.title) for p in seed.roster} == {
        "Shen Changyu": ("official",
                         "commissioner of the China National Intellectual Property Administration (CNIPA)"),
        "Hu Wenhui": ("official", "deputy commissioner of the CNIPA"),
        "Ge Shu": ("official", "deputy director general of the Patent Bureau of the CNIPA, and director "
                               "general of the Strategic Planning Department of the CNIPA"),
        "Wang Peizhang": ("official", "director general of the Intellectual Property Utilization "
                                      "Promotion Department of the CNIPA"),
        "Xing Huina": ("moderator", "deputy director general of the Press Bureau of the State Council "
                                    "Information Office (SCIO) and spokesperson of the SCIO"),
    }


def test_seed_roles(seed):
    by_role = {}
    for name, role in roles(seed):
        by_role.setdefault(role, set()).add(name)
    assert by_role["moderator"] == {"Xing Huina"}
    assert by_role["official"] == {"Shen Changyu", "Hu Wenhui", "Ge Shu", "Wang Peizhang"}
    assert len(by_role["reporter"]) == 11 and "Zhinews of Shenzhen Satellite TV" in by_role["reporter"]


def test_seed_spans_slice_the_file_read_as_bytes(seed):
    source = SEED.read_bytes().decode("utf-8")
    assert seed.text == source
    for turn in seed.turns:
        for p in turn.paragraphs:
            assert source[p.start:p.end] == p.text
    check_spans(seed)


def test_seed_text_has_no_artifact_credits_or_links(seed):
    for turn in seed.turns:
        for bad in (ARTIFACT, "Translated and edited by", "SCIO briefing on"):
            assert bad not in turn.text
            assert bad not in turn.speaker
    assert seed.text[seed.trailer_start:].startswith("Translated and edited by")
    assert seed.turns[-1].speaker == "Xing Huina"
    assert seed.turns[-1].text.startswith("That's all for today's briefing.")


# ---- small transcripts -----------------------------------------------------------------------

def test_with_header():
    t = parse_text(HEADER + BODY, "a.txt")
    assert t.has_header and t.date == "2024-03-03" and t.warnings == ()
    assert roles(t) == [("Chen Bo", "moderator"), ("CCTV", "reporter"), ("Li Wei", "official"),
                        ("Chen Bo", "moderator")]
    assert t.person("Li Wei").title == "minister of ecology"
    check_spans(t)


def test_without_header_roles_are_inferred_and_reported():
    t = parse_text(BODY, "a.txt")
    assert not t.has_header and t.roster == ()
    assert roles(t)[:3] == [("Chen Bo", "moderator"), ("CCTV", "reporter"), ("Li Wei", "official")]
    assert any(w.startswith("a.txt:1: no header roster") for w in t.warnings)
    assert t.title == "a" and t.date is None


GUEST_BRIEFING = (
    "Daily Press Briefing by the Office of the Spokesperson for the Secretary-General\n18 September 2024\n"
    "The following is a near-verbatim transcript of today's noon briefing by Henrik Castell, Spokesperson for the "
    "Secretary-General.\n\n"
    "Spokesperson: Good afternoon. Our guest today is Mara Lind-Obi, the Humanitarian Coordinator for Sudan, who "
    "will brief you by video.\n\n"
    "Mara Lind-Obi: Thank you, Henrik. The situation in Darfur is dire, and 10 million people are displaced.\n\n"
    "Spokesperson: Thank you, Mara. Questions for our guest.\n\n"
    "Question: How many trucks crossed at Adre last week?\n\n"
    "Mara Lind-Obi: Some 48 trucks crossed last week.\n\n"
    "Question: And is the crossing open?\n\n"
    "Mara Lind-Obi: It is open until November.\n")


def test_a_guest_the_header_does_not_list_is_an_official_with_the_title_the_host_gives():
    # She speaks first after the host, not after a question, then answers twice and never asks.
    t = parse_text(GUEST_BRIEFING, "un.txt")
    assert dict(roles(t))["Mara Lind-Obi"] == "official"
    assert t.person("Mara Lind-Obi").title == "Humanitarian Coordinator for Sudan"
    check_spans(t)
    # The speakers table cites her title to the host's words, as a turn of the host's.
    from qa.briefing import briefing_of
    from qa.chunking import chunk_transcript

    m = briefing_of(t, chunk_transcript(t, [])).member("Mara Lind-Obi")
    assert m.said_by == "Henrik Castell" and m.line.text == "Mara Lind-Obi, the Humanitarian Coordinator for Sudan"
    assert t.text[m.line.start:m.line.end] == m.line.text


def test_a_title_linked_by_of_stays_out_of_the_name():
    t = parse_text("Press Briefing by Press Secretary Alana Mercer and Secretary of Energy Thomas Okafor\n"
                   "November 19, 2024\n\nMS. MERCER:  Good afternoon.\n\nSECRETARY OKAFOR:  Thank you, Alana.\n\n"
                   "Q    Mr. Secretary, how many states?\n\nSECRETARY OKAFOR:  Twenty-three.\n")
    assert t.person("Thomas Okafor").title == "Secretary of Energy"
    assert t.person("Alana Mercer").title == "Press Secretary"
    check_spans(t)


def test_a_reporter_called_on_by_name_asks_as_that_name():
    from qa.chunking import chunk_transcript

    t = parse_text("MS. LEE:  Good afternoon.  Go ahead, Priya.\n\nQ    Why?\n\nMS. LEE:  Because.\n\n"
                   "Q    And when?\n\nMS. LEE:  Soon, because it is late.  Admiral.\n\nQ    Who?\n\n"
                   "MS. LEE:  Me.  (Laughter.)  Tobias.\n\nQ    Where?\n\nMS. LEE:  Here.\n")
    chunks = chunk_transcript(t, [])
    # "Because." and "Admiral." call on no one: the questions straight after Priya's answers are still hers.
    assert [c.asked_by for c in chunks] == [None, "Priya", "Priya", "Priya", "Tobias"]


def test_title_line_before_the_header():
    t = parse_text("Briefing on clean air\n" + HEADER + BODY)
    assert t.title == "Briefing on clean air"
    assert t.has_header


def test_header_given_twice_in_different_wordings_keeps_fuller_titles():
    text = ("Speakers\nLi Wei, minister\nZhao Min, vice minister of ecology and environment\n"
            "Chairperson\n"
            "Speakers:\nMr. Li Wei, minister of ecology and environment\nMs. Zhao Min, vice minister\n"
            "Chairperson:\nMr. Chen Bo, spokesperson\nDate:\nMarch 3, 2024\n" + BODY)
    t = parse_text(text)
    assert {p.name: p.title for p in t.roster} == {
        "Li Wei": "minister of ecology and environment",
        "Zhao Min": "vice minister of ecology and environment",
        "Chen Bo": "spokesperson",
    }
    assert t.person("Chen Bo").role == "moderator"


def test_page_break_artifacts_before_labels_and_inside_lines():
    text = (HEADER + "Chen Bo:\nWelcome.\n"
            f"{ARTIFACT}CCTV:\nWhat about water?\n"
            f"Li Wei:\nWater improved.{ARTIFACT} Rivers are cleaner.\n"
            f"{ARTIFACT}\n"
            f"Soil also improved.{ARTIFACT}\n"
            f"  {ARTIFACT}  Chen Bo:\nThanks.\n")
    t = parse_text(text)
    assert roles(t) == [("Chen Bo", "moderator"), ("CCTV", "reporter"), ("Li Wei", "official"),
                        ("Chen Bo", "moderator")]
    answer = t.turns[2]
    assert [p.text for p in answer.paragraphs] == ["Water improved.", "Rivers are cleaner.",
                                                   "Soil also improved."]
    assert answer.paragraphs[0].line == answer.paragraphs[1].line
    check_spans(t)


def test_artifact_halves_joined_by_removal_stay_out_of_names():
    half = ARTIFACT[:7]
    t = parse_text(f"{half}{ARTIFACT}{ARTIFACT[7:]}CCTV:\nWhy?\nLi:\nBecause.\n")
    assert all(ARTIFACT not in x.speaker for x in t.turns)
    check_spans(t)


@pytest.mark.parametrize("body, expected", [
    # the first speaker speaks twice: moderator
    ("Host A:\nWelcome.\nCCTV:\nWhy?\nLi Hua:\nBecause.\nHost A:\nBye.\n",
     {"Host A": "moderator", "CCTV": "reporter", "Li Hua": "official"}),
    # ... once: not a moderator; a question mark anywhere in the last paragraph makes a reporter
    ("Li Hua:\nWe did well.\nCCTV:\nHow well? Thank you.\nWang Bo:\nVery.\n",
     {"Li Hua": "official", "CCTV": "reporter", "Wang Bo": "official"}),
    # a long turn with a question mark is an official's rhetorical question
    ("CCTV:\nWhy?\nLi Hua:\n" + "word " * 121 + "why? Because.\n",
     {"CCTV": "reporter", "Li Hua": "official"}),
    # a role word as label is the moderator even when speaking once
    ("Moderator:\nWelcome.\nCCTV:\nWhy？\nLi Hua:\nBecause.\n",
     {"Moderator": "moderator", "CCTV": "reporter", "Li Hua": "official"}),
])
def test_fallback_roles_without_roster(body, expected):
    t = parse_text(body)
    assert dict(roles(t)) == expected
    assert not t.has_header


@pytest.mark.parametrize("last", [
    "Chen Bo:\nThat is all for today. Goodbye.\n",
    "Li Wei:\nOne more point: soil is cleaner too. Thank you.\n",
])
@pytest.mark.parametrize("trailer", [
    "Translated and edited by Wang Qian and Jay Birbeck. In case of any discrepancy between the "
    "English and Chinese texts, the Chinese version is deemed to prevail.\n"
    "SCIO briefing on promoting high-quality development: Ministry of Agriculture\n"
    "July 24, 2024SCIO briefing on the National Data Administration\nJuly 11, 2024\n",
    "SCIO briefing on the National Data Administration\nJuly 22, 2024\n",
    # link titles that look like labels after the credits
    "Translated by Liu Caiyi.\nRelated Briefings:\nNational Data Administration:\nJuly 2, 2024\n",
])
def test_trailer_after_the_last_turn_is_excluded(last, trailer):
    t = parse_text(HEADER + BODY + last + trailer)
    assert t.turns[-1].text == last.split("\n", 1)[1].strip()
    assert t.text[t.trailer_start:].strip() == trailer.strip()
    assert len(t.turns) == 5
    check_spans(t)


def test_a_roster_speaker_after_the_credits_is_warned():
    t = parse_text(HEADER + BODY + "Translated by Liu Caiyi.\nLi Wei:\nOne more thing.\n", "x.txt")
    assert len(t.turns) == 4
    assert "x.txt:17: 'Li Wei' speaks after the credits at line 16; ignored" in t.warnings


def test_answer_starting_with_a_date_is_not_trailer():
    t = parse_text(HEADER + "CCTV:\nWhat changed?\nLi Wei:\nJuly 1, 2024 marks a new start. Rules apply.\n")
    assert t.turns[-1].text == "July 1, 2024 marks a new start. Rules apply."
    assert t.trailer_start is None


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_other_line_endings(newline):
    text = (HEADER + BODY).replace("\n", newline)
    t = parse_text(text)
    assert roles(t) == roles(parse_text(HEADER + BODY))
    for turn in t.turns:
        for p in turn.paragraphs:
            assert "\r" not in p.text and text[p.start:p.end] == p.text
    assert t.turns[2].paragraphs[0].line == 13


def test_form_feed_and_line_separator_do_not_end_lines():
    t = parse_text(HEADER + "CCTV:\nWhy?\nLi Wei:\nPart one.\x0cPart two.\u2028Part three.\nChen Bo:\nBye.\n")
    answer = t.turns[1]
    assert answer.paragraphs[0].text == "Part one.\x0cPart two.\u2028Part three."
    assert answer.paragraphs[0].line == 11
    assert t.turns[2].label_line == 12


def test_bom_and_zero_width_spaces_are_ignored():
    t = parse_text("\ufeff" + HEADER + BODY.replace("CCTV:", "CCTV:\u200b"))
    assert t.has_header and t.title == "<text>"
    assert "Li Wei" in [p.name for p in t.roster]
    assert roles(t)[1] == ("CCTV", "reporter")
    t = parse_text("\ufeffCCTV:\nWhy?\nLi:\nBecause.\n")
    assert t.turns[0].speaker == "CCTV"


@pytest.mark.parametrize("label", ["Mr. Li:", "Li:", "Minister Li Wei:", "Mr. Li Wei："])
def test_labels_naming_a_roster_person_in_part(label):
    t = parse_text(HEADER + BODY.replace("Li Wei:", label))
    assert t.turns[2].speaker == "Li Wei" and t.turns[2].role == "official"


def test_moderator_label_first_is_not_a_header_section():
    t = parse_text("Moderator:\nWelcome, everyone.\nCCTV:\nWhy?\nLi Hua:\nBecause.\n")
    assert roles(t) == [("Moderator", "moderator"), ("CCTV", "reporter"), ("Li Hua", "official")]
    assert t.roster == ()


def test_unknown_name_answering_a_question_is_an_official():
    t = parse_text(HEADER + BODY.replace("Li Wei:", "Sun Tao:"))
    assert dict(roles(t))["Sun Tao"] == "official"
    assert dict(roles(t))["CCTV"] == "reporter"


def test_unknown_first_speaker_moderates_when_roster_has_no_chair():
    header = "Speakers:\nLi Wei, minister\nDate:\nMarch 3, 2024\n"
    t = parse_text(header + BODY)
    assert dict(roles(t)) == {"Chen Bo": "moderator", "CCTV": "reporter", "Li Wei": "official"}


@pytest.mark.parametrize("line, iso", [
    ("March 3, 2024", "2024-03-03"), ("3 March 2024", "2024-03-03"), ("2024-03-03", "2024-03-03"),
    ("February 30, 2024", None), ("2024-13-01", None), ("soon", None),
])
def test_header_dates(line, iso):
    t = parse_text(f"Speakers:\nLi Wei, minister\nDate:\n{line}\n" + BODY)
    assert t.date == iso


def test_sidecar_gives_title_and_date(tmp_path):
    f = tmp_path / "b.txt"
    f.write_text(HEADER + BODY, encoding="utf-8")
    (tmp_path / "b.meta.json").write_text(json.dumps({"title": "Clean air", "date": "2024-03-04"}))
    t = parse_file(f)
    assert (t.title, t.date, t.doc_id, t.path) == ("Clean air", "2024-03-04", "b", str(f))


# ---- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("data, line, words", [
    (b"", 1, "empty"),
    (b"  \n\t\r\n \n", 1, "empty"),
    (b"CCTV:\nWhy?\nLi:\nBe\x00cause.\n", 4, "binary"),
    ("CCTV:\nWhy?".encode("utf-16-le"), 1, "UTF-16 text without a byte-order mark; convert it to UTF-8, "
                                            "e.g. iconv -f UTF-16LE -t UTF-8"),
    ("CCTV:\nWhy?".encode("utf-16-be"), 1, "iconv -f UTF-16BE"),
    (b"\xff\xfe" + "CCTV:\n\ud800".encode("utf-16-le", "surrogatepass"), 1, "not valid UTF-16"),
    (b"CCTV:\nWhy?\nLi:\nCaf\xe9 au lait.\n", 4, "not UTF-8"),
])
def test_unreadable_files_raise_corpus_error_naming_file_and_line(tmp_path, data, line, words):
    f = tmp_path / "bad.txt"
    f.write_bytes(data)
    for read in (read_source, parse_file):
        with pytest.raises(CorpusError) as e:
            read(f)
        assert str(e.value).startswith(f"{f}:{line}: ")
        assert words in str(e.value)
        assert (e.value.path, e.value.line) == (str(f), line)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path, codec):
    f = tmp_path / "wide.txt"
    data = (HEADER + BODY).encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    f.write_bytes(data)
    t = parse_file(f)
    assert t.text == HEADER + BODY  # the decoded text, without the mark
    assert roles(t) == roles(parse_text(HEADER + BODY))
    assert any("(byte-order mark)" in w for w in t.warnings)
    check_spans(t)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(CorpusError, match="cannot read"):
        read_source(tmp_path / "nope.txt")


@pytest.mark.parametrize("text", [
    "Just some prose.\nAnd more prose without any speaker.\n",
    HEADER,
    "This ends with a colon but is a sentence:\nmore text\n",
])
def test_no_speaker_labels(tmp_path, text):
    f = tmp_path / "prose.txt"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match="no speaker labels") as e:
        parse_file(f)
    assert str(e.value).startswith(f"{f}:1: ")


@pytest.mark.parametrize("sidecar", ["{not json", "[1, 2]"])
def test_bad_sidecar_names_the_sidecar(tmp_path, sidecar):
    f = tmp_path / "b.txt"
    f.write_text(BODY, encoding="utf-8")
    (tmp_path / "b.meta.json").write_text(sidecar)
    with pytest.raises(CorpusError) as e:
        parse_file(f)
    assert str(e.value).startswith(str(tmp_path / "b.meta.json"))


def test_text_before_the_first_label_is_warned():
    t = parse_text("Clean air briefing\nGood morning, everyone.\nWe start now.\nCCTV:\nWhy?\nLi:\nBecause.\n", "x.txt")
    assert t.title == "Clean air briefing"
    assert [w for w in t.warnings if "before the first" in w] == [
        "x.txt:2: text before the first speaker label ignored",
        "x.txt:3: text before the first speaker label ignored"]


def test_a_label_without_text_is_warned():
    t = parse_text("CCTV:\nWhy?\nLi:\nBecause.\nWang:\n", "x.txt")
    assert "x.txt:5: speaker 'Wang' has no text" in t.warnings
    assert [x.speaker for x in t.turns] == ["CCTV", "Li"]
