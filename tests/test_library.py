"""Adding, removing and listing briefings: incremental builds hold what a full build holds, embed only
what is new, and a failed, refused or killed add leaves the corpus and the index as they were."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa import cli, index_store, journal, library
from qa.errors import BriefQAError
from qa.service import BriefingQA

from helpers import QUIET, ROOT, SEED, built_index, enospc_writing_json, kill_when

LAYOUTS = ROOT / "tests" / "layouts"
QUESTIONS = ["How many valid domestic invention patents did China have as of June 2024?",
             "What did Mao Ning say about the Philippines?", "How much did retail sales reach last year?",
             "Who chaired the press conference?"]


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.texts: list[str] = []

    def encode_passages(self, texts, progress=False):
        self.texts += list(texts)
        return self.inner.encode_passages(texts, progress=progress)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def write_base_corpus(folder: Path) -> Path:
    """The seed's header and opening statement as brief.txt (one chunk), and the Foreign Ministry layout."""
    folder.mkdir(parents=True, exist_ok=True)
    head = SEED.read_bytes().decode("utf-8").splitlines(keepends=True)[:23]
    (folder / "brief.txt").write_text("".join(head), encoding="utf-8", newline="")
    shutil.copy(LAYOUTS / "fm-regular.txt", folder / "fm-regular.txt")
    return folder


def corpus_state(folder: Path) -> dict[str, str]:
    """Every file under the corpus folder (hidden ones too) with its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def contents(idx) -> dict:
    """What an index holds, ids and all, apart from vectors and build times."""
    m = idx.manifest
    return {"chunks": [dataclasses.asdict(c) for c in idx.chunks],
            "passages": [dataclasses.asdict(p) for p in idx.passages],
            "sentences": {k: [dataclasses.asdict(s) for s in v] for k, v in idx.sentences.items()},
            "transcripts": [dataclasses.asdict(t) for t in idx.transcripts],
            **{k: m[k] for k in ("documents", "files", "corpus", "counts", "warnings", "settings", "vector_index")}}


def answers(s, embedder, idx) -> list[tuple]:
    qa = BriefingQA(s, embedder, idx)
    return [(a.answer, a.abstained, tuple((c.chunk_id, c.start, c.end, c.quote) for c in a.citations))
            for a in map(qa.ask, QUESTIONS)]


def assert_same_as_full_build(s, embedder, idx, tmp_path) -> None:
    """`idx` (built incrementally) holds what a full build of the same corpus holds."""
    full = index_store.build(s.with_overrides(index_dir=tmp_path / "full-index"), embedder, **QUIET)
    assert contents(idx) == contents(full)
    v, w = idx.vectors, full.vectors
    np.testing.assert_allclose(v.reconstruct_n(0, v.ntotal), w.reconstruct_n(0, w.ntotal), atol=1e-5)
    np.testing.assert_allclose(idx.sentence_vecs, full.sentence_vecs, atol=1e-5)
    assert answers(s, embedder, idx) == answers(s, embedder, full)
    for c in idx.chunks:  # the sentence rows of each answer hold that answer's sentences
        row = idx.sentence_row[c.id]
        assert len(idx.sentence_vecs[row:row + len(idx.sentences[c.id])]) == len(idx.sentences[c.id])


@pytest.fixture
def built(settings, embedder, tmp_path):
    """Settings for a private corpus (brief.txt, fm-regular.txt) with its index built."""
    s, _ = built_index(settings, embedder, write_base_corpus(tmp_path / "corpus"), tmp_path / "index")
    return s


# --- incremental = full ---------------------------------------------------------------------------

def test_add_embeds_only_the_new_briefings_and_equals_a_full_build(built, embedder, tmp_path):
    s = built
    before = index_store.load(s, verify_against=None)
    counting = Counting(embedder)
    shutil.copy(LAYOUTS / "scio-page.html", tmp_path / "commerce.html")
    shutil.copy(LAYOUTS / "two-briefings.txt", tmp_path / "two-briefings.txt")
    ch = library.add(s, counting, [tmp_path / "commerce.html", tmp_path / "two-briefings.txt"], date="30 July 2024",
                     **QUIET)
    idx = ch.index
    new_docs = {t.doc_id for t in idx.transcripts} - {"brief", "fm-regular"}
    assert new_docs == {"commerce", "two-briefings", "two-briefings-2"}
    new_passages = [p for p in idx.passages if idx.chunk_by_id[p.chunk_id].doc_id in new_docs]
    new_sentences = [x for c in idx.chunks if c.doc_id in new_docs for x in idx.sentences[c.id]]
    assert ch.embedded_passages == len(new_passages) and ch.reused_passages == len(before.passages)
    assert len(counting.texts) == len(new_passages) + len(new_sentences)  # nothing else was embedded
    assert idx.manifest["reuse"] == {"incremental": True, "embedded_passages": len(new_passages),
                                     "reused_passages": len(before.passages), "parsed_files": 2, "reused_files": 2}
    assert [a.doc_ids for a in ch.added] == [("commerce",), ("two-briefings", "two-briefings-2")]
    assert json.loads((s.corpus_dir / "commerce.meta.json").read_text()) == {"date": "2024-07-30"}
    assert idx.transcript_by_id["commerce"].date == "2024-07-30"
    assert_same_as_full_build(s, embedder, idx, tmp_path)


def test_remove_embeds_nothing_and_equals_a_full_build(built, embedder, tmp_path):
    s = built
    counting = Counting(embedder)
    ch = library.remove(s, counting, "fm-regular", **QUIET)
    assert counting.texts == [] and ch.embedded_passages == 0 and ch.removed == ("fm-regular",)
    assert not (s.corpus_dir / "fm-regular.txt").exists()
    assert [t.doc_id for t in ch.index.transcripts] == ["brief"]
    assert_same_as_full_build(s, embedder, ch.index, tmp_path)


def test_changed_document_is_re_embedded_by_load_or_build(built, embedder, tmp_path):
    s = built
    before = index_store.load(s, verify_against=None)
    f = s.corpus_dir / "fm-regular.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("89.4 billion", "91.2 billion"), encoding="utf-8")
    # Dropped into a subfolder, as a user would: a/brief.txt sorts first and takes the id 'brief', so the
    # unchanged brief.txt becomes 'brief-2' and its reused answers are renamed.
    (s.corpus_dir / "a").mkdir()
    shutil.copy(LAYOUTS / "un-noon.txt", s.corpus_dir / "a" / "brief.txt")
    counting = Counting(embedder)
    idx = index_store.load_or_build(s, counting, **QUIET)
    assert [t.doc_id for t in idx.transcripts] == ["brief", "brief-2", "fm-regular"]
    assert idx.transcript_by_id["brief-2"].path == str((s.corpus_dir / "brief.txt").resolve())
    changed = {"fm-regular", "brief"}
    redone = [p for p in idx.passages if idx.chunk_by_id[p.chunk_id].doc_id in changed]
    assert idx.manifest["reuse"]["embedded_passages"] == len(redone)
    assert idx.manifest["reuse"]["reused_passages"] == len([p for p in before.passages if p.chunk_id.startswith("brief#")])
    assert idx.manifest["reuse"]["parsed_files"] == 2 and idx.manifest["reuse"]["reused_files"] == 1
    assert any("91.2 billion" in p.text for p in idx.passages)
    assert not any("89.4 billion" in p.text for p in idx.passages)
    assert_same_as_full_build(s, embedder, idx, tmp_path)


def test_nothing_changed_reuses_everything_without_loading_anything_new(built, embedder):
    counting = Counting(embedder)
    idx = index_store.build(built, counting, incremental=True, **QUIET)
    assert counting.texts == [] and idx.manifest["reuse"]["embedded_passages"] == 0


def test_other_settings_or_model_rebuild_fully(built, embedder, caplog):
    s = built.with_overrides(window_stride=3)
    with caplog.at_level(logging.INFO, logger="qa"):
        idx = index_store.build(s, embedder, incremental=True, **QUIET)
    assert idx.manifest["reuse"]["incremental"] is False and idx.manifest["reuse"]["reused_passages"] == 0
    assert any("index settings differ" in m for m in caplog.messages), caplog.messages


# --- failures leave corpus and index as they were -------------------------------------------------

def _unchanged(s, embedder, corpus_before, live_before):
    assert corpus_state(s.corpus_dir) == corpus_before
    assert index_store.live_generation(s.index_dir) == live_before
    assert not (s.index_dir / journal.JOURNAL).exists()
    assert not list(s.index_dir.glob(".tmp-*"))
    idx = index_store.load(s, embedder_sha=embedder.weights_sha256)  # fresh: corpus and index agree
    assert {t.doc_id for t in idx.transcripts} == {"brief", "fm-regular"}


def test_disk_full_mid_add_changes_nothing(built, embedder, tmp_path, monkeypatch, capsys):
    s = built
    corpus_before, live = corpus_state(s.corpus_dir), index_store.live_generation(s.index_dir)
    enospc_writing_json(monkeypatch)
    shutil.copy(LAYOUTS / "un-noon.txt", tmp_path / "un-noon.txt")
    rc = cli.main(["add", str(tmp_path / "un-noon.txt"), "--corpus", str(s.corpus_dir), "--index", str(s.index_dir)])
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.startswith("briefqa: ")]
    assert rc == 1 and len(lines) == 1 and "disk full" in lines[0] and "Traceback" not in err, err
    _unchanged(s, embedder, corpus_before, live)


def test_interrupted_add_is_undone(built, embedder, tmp_path, monkeypatch):
    s = built
    corpus_before, live = corpus_state(s.corpus_dir), index_store.live_generation(s.index_dir)

    class Interrupting(Counting):
        def encode_passages(self, texts, progress=False):
            raise KeyboardInterrupt

    shutil.copy(LAYOUTS / "un-noon.txt", tmp_path / "un-noon.txt")
    with pytest.raises(KeyboardInterrupt):
        library.add(s, Interrupting(embedder), [tmp_path / "un-noon.txt"], **QUIET)
    _unchanged(s, embedder, corpus_before, live)


def test_killed_add_is_undone_by_the_next_command(built, embedder, tmp_path, caplog):
    s = built
    corpus_before, live = corpus_state(s.corpus_dir), index_store.live_generation(s.index_dir)
    big = tmp_path / "big.txt"  # the whole seed: embedding takes long enough to be killed in the middle
    big.write_bytes(SEED.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    p = subprocess.Popen([sys.executable, "-m", "qa.cli", "add", str(big), "--corpus", str(s.corpus_dir),
                          "--index", str(s.index_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, cwd=ROOT)
    kill_when(p, lambda line: line.startswith("embedding "))
    assert (s.corpus_dir / "big.txt").exists() and (s.index_dir / journal.JOURNAL).exists()  # killed mid-edit

    with caplog.at_level(logging.INFO, logger="qa"):
        idx = index_store.load_or_build(s, embedder, **QUIET)  # takes the lock: undoes it
    assert any("undid an interrupted corpus edit (big.txt)" in m for m in caplog.messages), caplog.messages
    assert {t.doc_id for t in idx.transcripts} == {"brief", "fm-regular"}
    _unchanged(s, embedder, corpus_before, live)


def test_edit_killed_after_its_index_went_live_is_finished(built, embedder, tmp_path, caplog):
    """Killed between making the new index live and deleting the replaced file: the next lock holder
    keeps the edit (the index already describes it) and deletes the leftovers."""
    s = built
    edit = journal.CorpusEdit(s.index_dir, s.corpus_dir)
    new = (s.corpus_dir / "fm-regular.txt").read_bytes().replace(b"89.4", b"77.7")
    with index_store.lock(s):
        edit.plan({s.corpus_dir / "fm-regular.txt": new}, [])
        index_store.build_locked(s, embedder, **QUIET)  # live now; the process "dies" before commit()
    with caplog.at_level(logging.INFO, logger="qa"), index_store.lock(s):
        pass
    assert any("finished an interrupted corpus edit (fm-regular.txt)" in m for m in caplog.messages), caplog.messages
    assert (s.corpus_dir / "fm-regular.txt").read_bytes() == new
    assert sorted(p.name for p in s.corpus_dir.iterdir()) == ["brief.txt", "fm-regular.txt"]
    assert not (s.index_dir / journal.JOURNAL).exists()
    index_store.load(s, embedder_sha=embedder.weights_sha256)


# --- bad input: one line each, nothing changed -----------------------------------------------------

def _bad_inputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    d = tmp_path / "in"
    d.mkdir()
    (d / "notes.rtf").write_text("{\\rtf1 hi}")
    (d / "latin1.txt").write_bytes("Moderator:\nWelcome.\nCCTV:\nCaf\xe9?\n".encode("latin-1"))
    (d / "empty.txt").write_text("   \n")
    (d / "fake.pdf").write_text("Moderator:\nnot a pdf\n")
    (d / "fake.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (d / "prose.txt").write_text("Just some prose without any speakers at all.\nAnother line.\n")
    (d / "questions.txt").write_text("Moderator:\nWelcome.\nCCTV:\nWhy?\n")
    shutil.copy(LAYOUTS / "interview.txt", d / "interview.txt")
    shutil.copy(LAYOUTS / "fm-regular.txt", d / "fm-copy.txt")
    return [
        ([str(d / "notes.rtf")], f"briefqa: {d / 'notes.rtf'}: unsupported file type '.rtf'"),
        ([str(d / "latin1.txt")], f"briefqa: {d / 'latin1.txt'}:4: not UTF-8 (byte 0xe9"),
        ([str(d / "empty.txt")], f"briefqa: {d / 'empty.txt'}:1: file is empty"),
        ([str(d / "fake.pdf")], f"briefqa: {d / 'fake.pdf'}:1: not a PDF"),
        ([str(d / "fake.docx")], f"briefqa: {d / 'fake.docx'}:1: not a .docx"),
        ([str(d / "prose.txt")], f"briefqa: {d / 'prose.txt'}:1: no speaker labels found"),
        ([str(d / "questions.txt")], f"briefqa: {d / 'questions.txt'}:1: no answers found"),
        ([str(d / "missing.txt")], f"briefqa: {d / 'missing.txt'}: cannot read file"),
        ([str(d / "interview.txt"), "--date", "yesterday"],
         f"briefqa: {d / 'interview.txt'}: date 'yesterday' is not a date; use YYYY-MM-DD"),
        ([str(d / "interview.txt"), "--date", "2024-02-30"], "is not a date"),
        ([str(d / "fm-copy.txt")], "same text as "),
        ([str(LAYOUTS / "fm-regular.txt")], "already in the corpus as "),
    ]


def test_cli_add_refuses_bad_input_in_one_line_and_changes_nothing(built, embedder, tmp_path, capsys):
    s = built
    corpus_before, live = corpus_state(s.corpus_dir), index_store.live_generation(s.index_dir)
    for argv, expected in _bad_inputs(tmp_path):
        rc = cli.main(["add", *argv, "--corpus", str(s.corpus_dir), "--index", str(s.index_dir)])
        err = capsys.readouterr().err
        assert rc == 1 and "Traceback" not in err, (argv, err)
        assert len(err.strip().splitlines()) == 1 and expected in err, (argv, err)
        assert corpus_state(s.corpus_dir) == corpus_before
    assert index_store.live_generation(s.index_dir) == live


def test_cli_add_reports_every_bad_file_and_adds_none(built, tmp_path, capsys):
    s = built
    corpus_before = corpus_state(s.corpus_dir)
    shutil.copy(LAYOUTS / "un-noon.txt", tmp_path / "un-noon.txt")
    (tmp_path / "bad.rtf").write_text("x")
    (tmp_path / "empty.txt").write_text("")
    rc = cli.main(["add", str(tmp_path / "un-noon.txt"), str(tmp_path / "bad.rtf"), str(tmp_path / "empty.txt"),
                   "--corpus", str(s.corpus_dir), "--index", str(s.index_dir)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 2 and all(x.startswith("briefqa: ") for x in err), err
    assert corpus_state(s.corpus_dir) == corpus_before


def test_too_big_is_refused_before_reading(built, embedder, tmp_path):
    s = built.with_overrides(max_add_bytes=1000)
    shutil.copy(LAYOUTS / "whitehouse.txt", tmp_path / "wh.txt")
    with pytest.raises(library.AddRefused, match=r"wh.txt: 2,096 bytes is over the 1,000-byte limit"):
        library.add(s, embedder, [tmp_path / "wh.txt"], **QUIET)


def test_cli_add_briefings_remove(built, tmp_path, capsys):
    s = built
    flags = ["--corpus", str(s.corpus_dir), "--index", str(s.index_dir)]
    shutil.copy(LAYOUTS / "interview.txt", tmp_path / "Drought Interview.txt")
    assert cli.main(["add", str(tmp_path / "Drought Interview.txt"), "--title", "Drought interview",
                     "--date", "March 12, 2024", *flags]) == 0
    out = capsys.readouterr().out
    assert "added " in out and "as Drought-Interview: 'Drought interview', 2024-03-12; 3 answers" in out, out
    assert "indexed " in out and "the index holds 3 briefings" in out
    assert (s.corpus_dir / "Drought-Interview.txt").read_bytes() == (LAYOUTS / "interview.txt").read_bytes()
    assert oct((s.corpus_dir / "Drought-Interview.txt").stat().st_mode & 0o777) == "0o644"

    assert cli.main(["briefings", "--json", *flags]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["doc_id"] for r in rows] == ["Drought-Interview", "brief", "fm-regular"]
    assert rows[0]["title"] == "Drought interview" and rows[0]["date"] == "2024-03-12"
    assert rows[0]["officials"] == ["Amina Okafor"] and rows[0]["exchanges"] == 3
    assert cli.main(["briefings", *flags]) == 0
    assert "3 briefings, " in capsys.readouterr().out

    assert cli.main(["remove", "nope", *flags]) == 1
    err = capsys.readouterr().err
    assert err.startswith("briefqa: nope: no such briefing in the index") and len(err.splitlines()) == 1
    assert cli.main(["remove", "Drought-Interview", *flags]) == 0
    assert "removed " in capsys.readouterr().out
    assert not (s.corpus_dir / "Drought-Interview.txt").exists()
    assert not (s.corpus_dir / "Drought-Interview.meta.json").exists()
    assert cli.main(["remove", "fm-regular", *flags]) == 0
    capsys.readouterr()
    assert cli.main(["remove", "brief", *flags]) == 1
    assert "the only briefing left" in capsys.readouterr().err


def test_title_names_one_file_only(built, embedder, tmp_path):
    with pytest.raises(library.AddRefused, match="--title names one briefing"):
        library.add(built, embedder, [LAYOUTS / "un-noon.txt", LAYOUTS / "interview.txt"], title="x", **QUIET)


def test_remove_of_one_briefing_in_a_shared_file_needs_whole_file(built, embedder):
    library.add(built, embedder, [LAYOUTS / "two-briefings.txt"], **QUIET)
    with pytest.raises(BriefQAError, match=r"holds 2 briefings \(two-briefings, two-briefings-2\).*--whole-file"):
        library.remove(built, embedder, "two-briefings-2", **QUIET)
    ch = library.remove(built, embedder, "two-briefings-2", whole_file=True, **QUIET)
    assert ch.removed == ("two-briefings", "two-briefings-2")


# --- preview and names ----------------------------------------------------------------------------

def test_preview_gives_roster_exchanges_and_warnings_without_changing_anything(tmp_path):
    [p] = library.preview(LAYOUTS / "scio-page.html", date="2024-03-06")
    assert (p.doc_id, p.format, p.date) == ("scio-page", "html", "2024-03-06")
    assert [x.name for x in p.roster] == ["Wang Wentao", "Zheng Bei", "Shou Xiaoli"]
    assert [(x.asked_by, x.speaker) for x in p.exchanges][:2] == [(None, "Wang Wentao"), ("China Daily", "Zheng Bei")]
    two = library.preview(text=(LAYOUTS / "two-briefings.txt").read_text(encoding="utf-8"), name="pasted.txt")
    assert [x.doc_id for x in two] == ["pasted", "pasted-2"]
    assert any("another briefing starts here" in w for w in two[0].warnings)
    with pytest.raises(BriefQAError, match=r"x.txt: date 'soon' is not a date"):
        library.preview(text="Moderator:\nHi.\nCCTV:\nWhy?\nLi Hua:\nBecause.\n", name="x.txt", date="soon")


def test_pasted_text_is_added_as_a_file(built, embedder):
    text = (LAYOUTS / "un-noon.txt").read_text(encoding="utf-8")
    ch = library.add(built, embedder, texts=[("UN noon/briefing.txt", text)], **QUIET)
    assert ch.added[0].stored == str(built.corpus_dir.resolve() / "briefing.txt")
    assert (built.corpus_dir / "briefing.txt").read_text(encoding="utf-8") == text


@pytest.mark.parametrize("name,expected", [("a b.TXT", "a-b.txt"), ("../../etc/passwd.txt", "passwd.txt"),
                                           ("..\\x.pdf", "x.pdf"), (".txt", "briefing.txt"), ("é.html", "briefing.html")])
def test_safe_name(name, expected):
    assert library.safe_name(name) == expected


def test_hnsw_vectors_are_read_back_and_reused(built, embedder, tmp_path):
    s = built.with_overrides(vector_index="hnsw")
    index_store.build(s, embedder, **QUIET)  # settings changed: full
    counting = Counting(embedder)
    ch = library.add(s, counting, [LAYOUTS / "un-noon.txt"], **QUIET)
    assert ch.index.manifest["vector_index"]["type"] == "IndexHNSWFlat" and ch.reused_passages > 0
    full = index_store.build(s.with_overrides(index_dir=tmp_path / "full"), embedder, **QUIET)
    v, w = ch.index.vectors, full.vectors
    np.testing.assert_allclose(v.reconstruct_n(0, v.ntotal), w.reconstruct_n(0, w.ntotal), atol=1e-5)
