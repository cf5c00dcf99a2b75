"""Layouts: each fixture in tests/layouts/ parses and chunks to its hand-checked answers.

A fixture is a short realistic transcript (invented content, real form) beside a
`<name>.expected.json` giving, per briefing in the file: doc id, title, date, roles, titles and
the chunks as (speaker, asked_by, handed_off_by). PDF and DOCX fixtures are written under tmp_path
by the tests themselves (fpdf2, python-docx). Every span must slice the document's text exactly.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa.chunking import IngestReport, chunk_transcript, corpus_files, load_corpus
from qa.cli import main
from qa.errors import CorpusError
from qa.transcript import ARTIFACT, parse_documents, parse_file, parse_path, parse_text

LAYOUTS = Path(__file__).resolve().parent / "layouts"
SEED = Path(__file__).resolve().parent.parent / "corpus" / "2024-07-29-scio-cnipa-ip.txt"
FIXTURES = sorted(p for p in LAYOUTS.iterdir() if p.suffix in (".txt", ".html"))


def triples(chunks):
    return [[c.speaker, c.asked_by, c.handed_off_by] for c in chunks]


def check_doc(tr, chunks):
    """Spans slice the text exactly, stay inside the document's segment and before its trailer;
    no artifact, stage note or time line is part of an answer."""
    end = tr.segment_end if tr.segment_end is not None else len(tr.text)
    for turn in tr.turns:
        for p in turn.paragraphs:
            assert tr.text[p.start:p.end] == p.text and p.text == p.text.strip() and p.text
            assert tr.segment_start <= p.start and p.end <= end
            if tr.trailer_start is not None:
                assert p.end <= tr.trailer_start
            assert p.line == len(re.findall(r"\r\n|\r|\n", tr.text[:p.start])) + 1
        assert turn.label_start is not None and tr.text[turn.label_start:turn.label_end] == turn.label
        assert turn.label_end <= turn.start
    for c in chunks:
        assert tr.text[c.start:c.end].startswith(c.paragraphs[0].text)
        for p in c.paragraphs:
            assert tr.text[p.start:p.end] == p.text
        for bad in (ARTIFACT, "(Laughter.)", "(Crosstalk.)", "P.M. EDT"):
            assert bad not in c.text


def check_expected(docs, expected, fmt="txt"):
    assert [d.doc_id for d in docs] == [e["doc_id"] for e in expected["docs"]]
    for tr, exp in zip(docs, expected["docs"]):
        warnings: list[str] = []
        chunks = chunk_transcript(tr, warnings)
        check_doc(tr, chunks)
        assert (tr.title, tr.date) == (exp["title"], exp["date"])
        assert tr.format == exp.get("format", fmt)
        assert triples(chunks) == exp["chunks"], [c.text[:60] for c in chunks]
        roles = {t.speaker: t.role for t in tr.turns}
        assert roles == exp["roles"]
        for name, title in exp.get("titles", {}).items():
            assert tr.person(name).title == title
        for k, n in exp.get("chunk_paragraphs", {}).items():
            assert len(chunks[int(k)].paragraphs) == n
        for bad in exp.get("absent", []):
            assert all(bad not in c.text for c in chunks), bad
        if "trailer_starts" in exp:
            assert tr.text[tr.trailer_start:].startswith(exp["trailer_starts"])
        # every speaker's role comes with its evidence
        assert {e.split(":")[0] for e in tr.roles_evidence} == set(roles)
        assert not any("has no answer" in w for w in warnings)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_layout_fixture(path):
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    check_expected(parse_path(path), expected, fmt=path.suffix.lstrip(".").replace("htm", "html")[:4])


def test_there_are_at_least_eight_layouts():
    assert len(FIXTURES) + 1 + 2 >= 8  # files here, the seed, and the PDF and DOCX written below


def test_the_seed_layout_is_unchanged():
    from test_chunking import SEED_CHUNKS

    tr = parse_file(SEED)
    chunks = chunk_transcript(tr)
    assert [tuple(t) for t in triples(chunks)] == SEED_CHUNKS
    assert sum(c.handed_off_by is not None for c in chunks) == 6
    check_doc(tr, chunks)


# ---- PDF and DOCX ----------------------------------------------------------------------------

MOFCOM = [
    "Ministry of Commerce Regular Press Conference (March 14, 2024)",
    "Spokesperson He Yadong: Good afternoon. I have one announcement. The ministry will hold the China "
    "International Consumer Products Expo in Haikou from April 13 to 18, with more than 4,000 brands from 71 "
    "countries and regions taking part. Exhibitors from Europe make up a third of the international area, and "
    "the expo will for the first time set up a section for cross-border e-commerce and duty-free shopping.",
    "Reuters: The EU has opened an anti-subsidy investigation into Chinese electric vehicles. What is the "
    "ministry's response?",
    "He Yadong: China firmly opposes the investigation. Chinese electric vehicle makers have grown through "
    "innovation and open competition, not subsidies. We urge the EU side to respect market rules and WTO "
    "principles, and to work with China to keep industrial and supply chains stable.",
    "Economic Daily: How did foreign trade perform in the first two months?",
    "He Yadong: Imports and exports of goods grew by 8.7% year on year in the first two months. Exports of "
    "ships, cars and household appliances grew rapidly, and trade with Belt and Road partner countries "
    "accounted for a larger share of the total than a year earlier.",
    "Bloomberg: Will the ministry add more companies to the unreliable entity list?",
    "He Yadong: The list targets only a very small number of foreign entities that violate market rules. "
    "Law-abiding foreign companies have nothing to worry about.",
]


def write_pdf(path: Path, paragraphs, page_breaks=(2, 5)):
    from fpdf import FPDF

    class Pdf(FPDF):
        def header(self):
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, "Ministry of Commerce of the People's Republic of China", align="C")
            self.ln(10)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Pdf()
    pdf.set_title("MOFCOM regular press conference, March 14, 2024")
    pdf.add_page()
    for i, text in enumerate(paragraphs):
        pdf.set_font("Helvetica", style="B" if i == 0 else "", size=11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(4)
        if i in page_breaks:
            pdf.add_page()
    pdf.output(str(path))
    return path


def test_pdf_ministry_briefing(tmp_path):
    f = write_pdf(tmp_path / "mofcom-2024-03-14.pdf", MOFCOM)
    docs = parse_path(f)
    check_expected(docs, {"docs": [{
        "doc_id": "mofcom-2024-03-14", "title": "MOFCOM regular press conference, March 14, 2024",
        "date": "2024-03-14",
        "roles": {"He Yadong": "official", "Reuters": "reporter", "Economic Daily": "reporter",
                  "Bloomberg": "reporter"},
        "titles": {"He Yadong": "Spokesperson"},
        "chunks": [["He Yadong", None, None], ["He Yadong", "Reuters", None],
                   ["He Yadong", "Economic Daily", None], ["He Yadong", "Bloomberg", None]],
        "absent": ["Page ", "People's Republic of China"]}]}, fmt="pdf")
    tr = docs[0]
    # wrapped lines are one paragraph again; running heads and page numbers are gone from the text
    assert tr.turns[0].text == MOFCOM[1].split(": ", 1)[1]
    assert "Page 1 of 3" not in tr.text and "People's Republic" not in tr.text


def test_pdf_with_labels_alone_and_no_paragraph_spacing(tmp_path):
    """Header entries and paragraphs set line under line: a line that stops short ends a paragraph."""
    from fpdf import FPDF

    lines = ["SCIO briefing on the development of civil aviation", "Speakers:",
             "Mr. Song Zhiyong, administrator of the Civil Aviation Administration of China",
             "Mr. Han Jun, deputy administrator", "Chairperson:", "Ms. Xing Huina, spokesperson of the SCIO",
             "Date:", "January 18, 2024", "Xing Huina:", "Good morning. Mr. Song will first brief you.",
             "Song Zhiyong:", "Thank you. Civil aviation carried 620 million passengers in 2023, back to 93.9% of "
             "the 2019 level, and airports handled 16.8 million tonnes of cargo and mail, up 21% on the year before.",
             "We will open more international routes this year.",
             "Xinhua News Agency:", "How many international flights are there each week now?",
             "Song Zhiyong:", "I will ask Mr. Han to take this one.", "Han Jun:", "About 4,600 a week.",
             "Xing Huina:", "That is all for today."]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "caac.pdf"))
    docs = parse_path(tmp_path / "caac.pdf")
    check_expected(docs, {"docs": [{
        "doc_id": "caac", "title": "SCIO briefing on the development of civil aviation", "date": "2024-01-18",
        "roles": {"Xing Huina": "moderator", "Song Zhiyong": "official", "Xinhua News Agency": "reporter",
                  "Han Jun": "official"},
        "titles": {"Han Jun": "deputy administrator"},
        "chunks": [["Song Zhiyong", None, None], ["Han Jun", "Xinhua News Agency", "Song Zhiyong"]],
        "chunk_paragraphs": {"0": 2}}]}, fmt="pdf")


def write_docx(path: Path):
    import docx

    d = docx.Document()
    d.core_properties.title = "SCIO briefing on the development of civil aviation"
    d.add_heading("SCIO briefing on the development of civil aviation", level=1)
    for line in ["Speakers:", "Mr. Song Zhiyong, administrator of the Civil Aviation Administration of China",
                 "Mr. Han Jun, deputy administrator of the Civil Aviation Administration of China",
                 "Chairperson:", "Ms. Xing Huina, spokesperson of the SCIO", "Date:", "January 18, 2024"]:
        d.add_paragraph(line)
    for label, text in [
        ("Xing Huina:", "Good morning. Mr. Song will first brief you."),
        ("Song Zhiyong:", "Thank you. Civil aviation carried 620 million passengers in 2023, back to 93.9% of the 2019 level."),
        ("Xinhua News Agency:", "How many international flights are there each week now?"),
        ("Song Zhiyong:", "I will ask Mr. Han to take this one."),
        ("Han Jun:", "There are now about 4,600 international passenger flights a week, and we expect 80% of the "
                     "pre-pandemic level by the end of the year."),
        ("Xing Huina:", "That is all for today. Thank you."),
    ]:
        d.add_paragraph().add_run(label).bold = True
        d.add_paragraph(text)
    d.save(str(path))
    return path


def test_docx_scio_briefing(tmp_path):
    f = write_docx(tmp_path / "caac.docx")
    check_expected(parse_path(f), {"docs": [{
        "doc_id": "caac", "title": "SCIO briefing on the development of civil aviation", "date": "2024-01-18",
        "roles": {"Xing Huina": "moderator", "Song Zhiyong": "official", "Xinhua News Agency": "reporter",
                  "Han Jun": "official"},
        "chunks": [["Song Zhiyong", None, None], ["Han Jun", "Xinhua News Agency", "Song Zhiyong"]]}]}, fmt="docx")


@pytest.mark.parametrize("name, data, words", [
    ("broken.pdf", b"%PDF-1.4\nthis is not a pdf", "not a readable PDF"),
    ("broken.docx", b"PK\x03\x04 not a zip", "not a readable .docx"),
    ("notes.md", b"# notes", "unsupported file type '.md'"),
])
def test_unreadable_documents_name_the_file(tmp_path, name, data, words):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(CorpusError, match=re.escape(words)) as e:
        parse_path(f)
    assert str(e.value).startswith(str(f))


def test_scanned_pdf_without_text_says_so(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)  # a drawing, no text
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(CorpusError, match="no text layer"):
        parse_path(tmp_path / "scan.pdf")


# ---- labels and sentences --------------------------------------------------------------------

INLINE = ("Spokesperson Li Hua: Good afternoon. I have no announcements today.\n"
          "AFP: What is your comment on the talks?\n"
          "Li Hua: {answer}\n")


@pytest.mark.parametrize("line", [
    "The result: growth.", "Second: we will keep going.", "Note: the figures are preliminary.",
    "In short: no.", "Our position is clear: dialogue.", "ratio:3 to 1.", "Result: growth.",
])
def test_sentences_with_a_colon_are_not_labels(line):
    t = parse_text(INLINE.format(answer="We welcome them.\n" + line))
    assert [x.speaker for x in t.turns] == ["Li Hua", "AFP", "Li Hua"]
    assert t.turns[-1].paragraphs[-1].text == line


def test_a_one_off_outlet_asking_is_a_label_in_an_inline_document():
    t = parse_text(INLINE.format(answer="We welcome them.") + "Kyodo: Any update on the visit?\nLi Hua: None.\n")
    assert [(x.speaker, x.role) for x in t.turns][-2:] == [("Kyodo", "reporter"), ("Li Hua", "official")]


def test_labels_alone_layout_ignores_inline_lookalikes():
    text = ("Moderator:\nWelcome.\nCCTV:\nWhat about water?\nLi Hua:\nThree points.\n"
            "Beijing: the capital cut PM2.5 by 5%.\nShanghai: it fell by 3%.\n")
    t = parse_text(text)
    assert [x.speaker for x in t.turns] == ["Moderator", "CCTV", "Li Hua"]
    assert len(t.turns[-1].paragraphs) == 3


def test_caps_label_and_full_name_are_one_speaker():
    text = ("Press Briefing by Press Secretary Karine Jean-Pierre\n"
            "MS. JEAN-PIERRE:  Good afternoon.\nQ    Why now?\nKaren Jean-Pierre: Typo aside.\n"
            "Karine Jean-Pierre: Because it is time.\nQ    Thank you.\n")
    t = parse_text(text)
    names = [x.speaker for x in t.turns]
    assert names[0] == names[-2] == "Karine Jean-Pierre"
    assert t.person("Karine Jean-Pierre").title == "Press Secretary"


def test_spokesperson_label_and_name_are_one_speaker_without_a_title_line():
    t = parse_text("Spokesperson Mao Ning: Welcome.\nAFP: Why?\nMao Ning: Because.\nReuters: When?\nMao Ning: Soon.\n")
    assert {x.speaker for x in t.turns} == {"Mao Ning", "AFP", "Reuters"}
    assert t.person("Mao Ning").title == "Spokesperson"
    assert "Mao Ning: official (label 'Spokesperson Mao Ning' carries the title 'Spokesperson')" in t.roles_evidence


def test_bare_q_with_one_space_needs_repetition():
    once = parse_text("MR. LEE: Welcome.\nQ Thank you. Is it true?\nMR. LEE: Yes.\n")
    assert [(x.speaker, x.paragraphs[-1].text) for x in once.turns] == [
        ("Lee", "Q Thank you. Is it true?"), ("Lee", "Yes.")]
    twice = parse_text("MR. LEE: Welcome.\nQ Is it true?\nMR. LEE: Yes.\nQ And why?\nMR. LEE: Rules.\n")
    assert [x.role for x in twice.turns] == ["official", "reporter", "official", "reporter", "official"]


def test_q_and_a_with_a_period_and_names_from_the_header():
    t = parse_text("Interviewer: Jane Doe, The Ledger\nInterviewee: John Smith, mayor of Springfield\n"
                   "Q. How is the budget?\nA. Balanced for the first time in 10 years.\nQ. What next?\nA. Schools.\n")
    assert triples(chunk_transcript(t)) == [["John Smith", "Jane Doe", None]] * 2
    one = parse_text("CCTV:\nWhy?\nLi Wei:\nA. Lincoln once said so.\n")
    assert one.turns[-1].text == "A. Lincoln once said so."


def test_roles_are_inferred_with_evidence_when_nobody_is_named():
    t = parse_text("Li Hua: Welcome, everyone.\nAFP: Why the delay?\nLi Hua: Weather.\nReuters: And next?\n"
                   "Li Hua: Friday.\n", "x.txt")
    assert dict((x.speaker, x.role) for x in t.turns) == {"Li Hua": "official", "AFP": "reporter", "Reuters": "reporter"}
    ev = dict(e.split(": ", 1) for e in t.roles_evidence)
    assert ev["Li Hua"].startswith("official (speaks first and 3 times, answers 2 question(s): moderates and answers")
    assert ev["AFP"].startswith("reporter (asks")


def test_stage_notes_and_times_stay_out_with_exact_spans():
    text = ("MS. PSAKI:  Hi, everyone.  (Laughter.)  Okay.\n(Applause.)\n2:05 P.M. EDT\nPage 2 of 7\n"
            "Q    Is the plan [inaudible] ready?\nMS. PSAKI:  It is. (Crosstalk.)\n")
    t = parse_text(text)
    assert [p.text for p in t.turns[0].paragraphs] == ["Hi, everyone.", "Okay."]
    assert t.turns[1].text == "Is the plan\nready?"
    for turn in t.turns:
        for p in turn.paragraphs:
            assert text[p.start:p.end] == p.text


def test_structural_handoff_names_the_next_official():
    t = parse_text("Speakers:\nMs. Lin Wei, minister\nMr. Zhou Tao, director\nCCTV:\nWhat about jobs?\n"
                   "Lin Wei:\nDirector Zhou knows the details best.\nZhou Tao:\nWe added 12 million jobs.\n")
    assert triples(chunk_transcript(t)) == [["Zhou Tao", "CCTV", "Lin Wei"]]


def test_a_short_answer_followed_by_a_colleague_is_not_a_handoff():
    t = parse_text("Speakers:\nMs. Lin Wei, minister\nMr. Zhou Tao, director\nCCTV:\nWhat about jobs?\n"
                   "Lin Wei:\nThey grew by 3%, as Director Zhou will confirm.\nZhou Tao:\nYes, 12 million.\n")
    assert triples(chunk_transcript(t)) == [["Lin Wei", "CCTV", None], ["Zhou Tao", "CCTV", None]]


# ---- several briefings in one file -----------------------------------------------------------

WH_DAY = ("Press Briefing by Press Secretary Karine Jean-Pierre\n{date}\n1:{m} P.M. EDT\n"
          "MS. JEAN-PIERRE:  Good afternoon.  Let's get going.\nQ    Karine, what about {topic}?\n"
          "MS. JEAN-PIERRE:  We will say more on {topic} this week.\nQ    Thank you.\nEND 2:{m} P.M. EDT\n")


def test_two_white_house_briefings_pasted_become_two_documents():
    text = WH_DAY.format(date="July 29, 2024", m="47", topic="rents") + "\n" \
        + WH_DAY.format(date="July 30, 2024", m="12", topic="tariffs")
    docs = parse_documents(text, "wh.txt")
    assert [(d.doc_id, d.date) for d in docs] == [("wh", "2024-07-29"), ("wh-2", "2024-07-30")]
    assert docs[0].segment_end == docs[1].segment_start == text.index("Press Briefing", 10)
    assert [triples(chunk_transcript(d)) for d in docs] == [
        [["Karine Jean-Pierre", None, None], ["Karine Jean-Pierre", "Reporter", None]]] * 2
    assert "wh.txt:10: another briefing starts here; it is document 'wh-2'" in docs[0].warnings


def test_a_second_briefing_without_credits_starts_at_its_title():
    one = "Spokesperson Mao Ning: Welcome.\nAFP: Why?\nMao Ning: Because.\n"
    text = ("Foreign Ministry Spokesperson's Regular Press Conference on July 29, 2024\n" + one
            + "Foreign Ministry Spokesperson's Regular Press Conference on July 30, 2024\n" + one)
    docs = parse_documents(text, "fm.txt")
    assert [d.date for d in docs] == ["2024-07-29", "2024-07-30"]
    assert docs[0].turns[-1].text == "Because."


def test_load_corpus_gives_each_briefing_its_own_doc_id_and_report(tmp_path):
    src = (LAYOUTS / "two-briefings.txt").read_text(encoding="utf-8")
    (tmp_path / "day.txt").write_text(src, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"CCTV:\nWhy?\nLi:\n\xff\n")
    reports: list[IngestReport] = []
    transcripts, chunks = load_corpus([tmp_path], reports=reports)
    assert [t.doc_id for t in transcripts] == ["day", "day-2"]
    assert [c.id for c in chunks] == ["day#01", "day-2#01", "day-2#02"]
    assert [(r.status, r.doc_id, r.answers) for r in reports] == [
        ("skipped", None, 0), ("parsed", "day", 1), ("parsed", "day-2", 2)]
    assert reports[0].reason.startswith(f"{(tmp_path / 'bad.txt').resolve()}:4: not UTF-8")


def test_corpus_files_picks_up_every_supported_type(tmp_path):
    for name in ["a.txt", "b.html", "c.htm", "d.pdf", "e.docx", "f.meta.json", "g.md", "h.TXT"]:
        (tmp_path / name).write_text("x")
    assert [p.name for p in corpus_files([tmp_path])] == ["a.txt", "b.html", "c.htm", "d.pdf", "e.docx", "h.TXT"]


# ---- sidecar dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("date, iso", [
    ("2024-07-29", "2024-07-29"), ("July 29, 2024", "2024-07-29"), ("29 July 2024", "2024-07-29"), (None, None),
])
def test_sidecar_dates_accepted(tmp_path, date, iso):
    f = tmp_path / "b.txt"
    f.write_text("CCTV:\nWhy?\nLi Wei:\nBecause.\n", encoding="utf-8")
    (tmp_path / "b.meta.json").write_text(json.dumps({"date": date}))
    assert parse_file(f).date == iso


@pytest.mark.parametrize("date", [20240729, "20240729", "2024/07/29", "July 2024", "July 32, 2024", "tomorrow", [2024]])
def test_sidecar_dates_refused_at_ingest(tmp_path, date):
    f = tmp_path / "b.txt"
    f.write_text("CCTV:\nWhy?\nLi Wei:\nBecause.\n", encoding="utf-8")
    side = tmp_path / "b.meta.json"
    side.write_text(json.dumps({"date": date}))
    with pytest.raises(CorpusError) as e:
        parse_file(f)
    assert str(e.value).startswith(f"{side}: date {date!r} is not a date; use YYYY-MM-DD")


# ---- briefqa ingest --------------------------------------------------------------------------

def test_ingest_prints_a_line_per_document_and_per_skipped_file(tmp_path, capsys):
    for name in ("fm-regular.txt", "two-briefings.txt", "scio-page.html"):
        (tmp_path / name).write_bytes((LAYOUTS / name).read_bytes())
    (tmp_path / "wide.txt").write_bytes("CCTV:\nWhy?".encode("utf-16-le"))
    (tmp_path / "odd.meta.json").write_text('{"date": "July 2024"}')
    (tmp_path / "odd.txt").write_text("CCTV:\nWhy?\nLi:\nBecause.\n")
    assert main(["ingest", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(line.startswith(f"parsed {tmp_path / 'fm-regular.txt'} as fm-regular: 5 answers, 5 speakers")
               for line in lines)
    assert "roles from the title" in out and "roles from the header" in out
    assert f"parsed {tmp_path / 'two-briefings.txt'} as two-briefings-2: 2 answers" in out
    assert f"skipped {tmp_path / 'wide.txt'}:1: UTF-16 text without a byte-order mark" in out
    assert f"skipped {tmp_path / 'odd.meta.json'}: date 'July 2024' is not a date" in out
    assert "Mao Ning: official (named in the title" in out
    assert re.search(r"^\d+ answers in 4 documents from 3 files; 2 files skipped$", out, re.M)


def test_ingest_shows_inferred_roles(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("Li Hua: Welcome, everyone.\nAFP: Why the delay?\nLi Hua: Weather.\n")
    assert main(["ingest", str(tmp_path / "x.txt")]) == 0
    out = capsys.readouterr().out
    assert "roles inferred" in out and "AFP: reporter (asks" in out
