"""The "Add a briefing" panel: preview, add, list and remove as plain functions (ui.briefings) over a
private copy of the corpus and the real model, and once in the real UI in Chromium."""
import shutil
from pathlib import Path

import pytest

from qa import index_store
from qa.service import BriefingQA
from ui import briefings
from ui_browser import _free_port, browser, open_page, ask  # noqa: F401  (fixture: browser)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "2024-07-29-scio-cnipa-ip.txt"
FM = (ROOT / "tests" / "layouts" / "fm-regular.txt").read_text(encoding="utf-8")
QUIET = {"progress": False}
PHILIPPINES = "What did Mao Ning say about the Philippines?"


def corpus_state(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def private_live(settings, embedder, folder: Path) -> briefings.Live:
    """A Live over a corpus holding only the seed's header and opening statement (brief.txt)."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    head = SEED.read_bytes().decode("utf-8").splitlines(keepends=True)[:23]
    (corpus / "brief.txt").write_text("".join(head), encoding="utf-8", newline="")
    s = settings.with_overrides(corpus_dir=corpus, index_dir=folder / "index")
    return briefings.Live(BriefingQA(s, embedder, index_store.build(s, embedder, **QUIET)))


@pytest.fixture
def live(settings, embedder, tmp_path):
    return private_live(settings, embedder, tmp_path)


def test_preview_of_pasted_text_shows_roster_answers_and_changes_nothing(live):
    corpus = live.qa.settings.corpus_dir
    before, qa = corpus_state(corpus), live.qa
    html, line = briefings.preview(live.qa.settings, None, FM, "", "July 29, 2024")
    assert line == "Preview only, nothing added: 1 briefing, 5 answers."
    assert "Mao Ning" in html and "<table" in html and "AFP" in html and "29 July 2024" in html
    assert html.count("<tr>") == 1 + 5  # the header row and one per answer
    assert corpus_state(corpus) == before and live.qa is qa


def test_add_lists_the_briefing_and_later_questions_are_answered_from_it(live):
    old = live.qa
    assert "Mao Ning" not in briefings.rows_html(old.index)
    ok, line = briefings.add(live, None, FM, "FM regular press conference", "2024-07-29")
    assert ok, line
    assert line.startswith("Added pasted:") and "2 briefings indexed" in line
    assert live.qa is not old and {d["doc_id"] for d in live.qa.documents} == {"brief", "pasted"}
    listing = briefings.rows_html(live.qa.index)
    assert "FM regular press conference" in listing and "29 July 2024" in listing and "Mao Ning" in listing
    assert 'data-doc="pasted"' in listing
    answer = live.qa.ask(PHILIPPINES)
    assert not answer.abstained and answer.citations[0].speaker == "Mao Ning"
    assert live.qa.index.chunk_by_id[answer.citations[0].chunk_id].doc_id == "pasted"
    assert (live.qa.settings.corpus_dir / "pasted.txt").read_text(encoding="utf-8") == FM

    ok, line = briefings.remove(live, "pasted")
    assert ok and line == "Removed pasted; 1 briefings indexed."
    assert "Mao Ning" not in briefings.rows_html(live.qa.index)
    assert not (live.qa.settings.corpus_dir / "pasted.txt").exists()
    ok, line = briefings.remove(live, "brief")  # the last one stays
    assert not ok and "\n" not in line and "the only briefing left" in line


def test_an_uploaded_file_is_added_under_its_own_name_and_its_temp_copy_deleted(live, tmp_path):
    upload = tmp_path / "gradio" / "abc123" / "Mao Ning (July 29).txt"
    upload.parent.mkdir(parents=True)
    upload.write_text(FM, encoding="utf-8")
    html, line = briefings.preview(live.qa.settings, str(upload), "", None, None)
    assert "5 answers" in line and upload.exists()
    ok, line = briefings.add(live, str(upload), "", None, None)
    assert ok, line
    assert (live.qa.settings.corpus_dir / "Mao-Ning-July-29-.txt").exists() and not upload.exists()


@pytest.mark.parametrize("name, data, why", [
    ("notes.exe", b"MZ\x90\x00", "unsupported file type '.exe'"),
    ("fake.pdf", b"hello", "not a PDF"),
    ("latin1.txt", "Mao Ning: caf\xe9\n".encode("latin-1"), "latin1.txt"),
])
def test_a_bad_file_gives_one_line_and_changes_nothing(live, tmp_path, name, data, why):
    corpus, qa = live.qa.settings.corpus_dir, live.qa
    before = corpus_state(corpus)
    upload = tmp_path / "up" / name
    upload.parent.mkdir()
    upload.write_bytes(data)
    for line in (briefings.preview(qa.settings, str(upload), "", None, None)[1],
                 briefings.add(live, str(upload), "", None, None)[1]):
        assert why in line and "\n" not in line and "Traceback" not in line
        assert str(upload.parent) not in line  # named by its file name, not Gradio's temp path
    assert corpus_state(corpus) == before and live.qa is qa and upload.exists()


def test_nothing_given_and_a_bad_date_are_one_line_each(live):
    assert briefings.preview(live.qa.settings, None, "  ", None, None) == (
        "", "Upload a file or paste a transcript first.")
    ok, line = briefings.add(live, None, FM, None, "next Tuesday")
    assert not ok and "is not a date" in line and "\n" not in line


# ---- the real UI ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def private_server(settings, embedder, tmp_path_factory):
    """The app over a private corpus (brief.txt only), so adding in the browser leaves corpus/ alone."""
    from ui.app import launch, make_app

    live = private_live(settings, embedder, tmp_path_factory.mktemp("ui-add"))
    demo = make_app(live.qa, live.qa.settings)
    _, url, _ = launch(demo, "127.0.0.1", _free_port(), prevent_thread_lock=True, quiet=True)
    yield url.rstrip("/")
    demo.close()


@pytest.mark.browser
def test_paste_preview_add_and_see_it_in_the_list(browser, private_server):  # noqa: F811
    page = open_page(browser, private_server)
    try:
        page.locator("#bq-add").get_by_text("Add a briefing").first.click()
        assert "Mao Ning" not in page.locator("#bq-briefings").inner_text()
        page.locator("#bq-add-text textarea").fill(FM)
        page.locator("#bq-add-title input, #bq-add-title textarea").first.fill("FM regular press conference")
        page.locator("#bq-add-preview").click()
        page.locator("#bq-add-shown table").wait_for()
        assert page.locator("#bq-add-shown tbody tr").count() == 5
        assert "Preview only" in page.locator("#bq-add-message").inner_text()
        page.locator("#bq-add-go").click()
        page.locator("#bq-briefings", has_text="FM regular press conference").wait_for()
        assert "Added pasted" in page.locator("#bq-add-message").inner_text()
        assert "Mao Ning" in page.locator("#bq-briefings").inner_text()
        bot = ask(page, PHILIPPINES)
        assert "Mao Ning" in bot.inner_text()
    finally:
        page.context.close()
