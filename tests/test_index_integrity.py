"""The index never lies: a damaged or foreign index is named on load, and load_or_build rebuilds it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa import index_store
from qa.errors import IndexCorrupt, IndexStale
from qa.retrieve import Retriever

from helpers import QUIET, ROOT, SEED, built_index, write_tiny_corpus



def assert_true_to_source(idx) -> None:
    """Every chunk, passage and sentence slices its source file to exactly its own text."""
    sources = {}
    for c in idx.chunks:
        src = sources.setdefault(c.doc_path, Path(c.doc_path).read_bytes().decode("utf-8"))
        for p in c.paragraphs:
            assert src[p.start:p.end] == p.text
        for s in idx.sentences[c.id]:
            assert src[s.start:s.end] == s.text
    for p in idx.passages:
        c = idx.chunk_by_id[p.chunk_id]
        assert sources[c.doc_path][p.start:p.end] == p.text
        assert c.start <= p.start <= p.end <= c.end


def assert_hits_true_to_source(idx, embedder, settings, query="valid domestic invention patents") -> None:
    hits = Retriever(idx, embedder, settings).search(query, k=3)
    assert hits
    for h in hits:
        src = Path(h.chunk.doc_path).read_bytes().decode("utf-8")
        for m in h.passages:
            assert m.passage.chunk_id == h.chunk.id
            assert src[m.passage.start:m.passage.end] == m.passage.text
    assert "4.425 million" in " ".join(m.passage.text for m in hits[0].passages)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, settings, embedder):
    """(settings, folder) of a pristine index of the tiny corpus; tests damage copies of it."""
    base = tmp_path_factory.mktemp("integrity")
    s, idx = built_index(settings, embedder, write_tiny_corpus(base / "corpus"), base / "pristine")
    assert_true_to_source(idx)
    return s, base / "pristine"


@pytest.fixture
def damaged(tiny, tmp_path):
    """A private copy of the pristine index: (settings pointing at it, its live generation folder)."""
    s, pristine = tiny
    dst = tmp_path / "index"
    shutil.copytree(pristine, dst)
    return s.with_overrides(index_dir=dst), index_store.live_generation(dst)


# --- ways to damage a generation; each returns the name the error must carry ---------------------

def _flip_byte(f: Path, where: float = 0.5) -> None:
    data = bytearray(f.read_bytes())
    i = min(len(data) - 1, int(len(data) * where))
    data[i] ^= 0x01
    f.write_bytes(bytes(data))


def _manifest(gen: Path) -> dict:
    return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(gen: Path, m: dict) -> None:
    (gen / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


def truncate_faiss(gen):
    f = gen / "vectors.faiss"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    return "vectors.faiss"


def alter_faiss(gen):
    _flip_byte(gen / "vectors.faiss", 0.9)  # inside the vectors: FAISS itself would read it happily
    return "vectors.faiss"


def swap_passage_texts(gen):
    # Same size, valid JSON, ids in order: only the hash can tell that ids now point at the wrong text.
    f = gen / "passages.json"
    ps = json.loads(f.read_text(encoding="utf-8"))
    ps[0]["text"], ps[1]["text"] = ps[1]["text"], ps[0]["text"]
    f.write_text(json.dumps(ps, ensure_ascii=False), encoding="utf-8")
    return "passages.json"


def alter_chunks(gen):
    f = gen / "chunks.json"
    f.write_text(f.read_text(encoding="utf-8").replace("4.425 million", "9.425 million"), encoding="utf-8")
    return "chunks.json"


def alter_sentences_json(gen):
    f = gen / "sentences.json"
    f.write_text(f.read_text(encoding="utf-8").replace("4.425", "5.425"), encoding="utf-8")
    return "sentences.json"


def alter_sentence_vectors(gen):
    _flip_byte(gen / "sentences.npy", 0.7)
    return "sentences.npy"


def alter_bm25_vocab(gen):
    _flip_byte(gen / "bm25" / "vocab.index.json", 0.5)
    return "vocab.index.json"


def truncate_bm25_matrix(gen):
    f = gen / "bm25" / "data.csc.index.npy"
    f.write_bytes(f.read_bytes()[:-8])
    return "data.csc.index.npy"


def delete_passages(gen):
    (gen / "passages.json").unlink()
    return "passages.json"


def delete_manifest(gen):
    (gen / "manifest.json").unlink()
    return "manifest.json"


def manifest_not_json(gen):
    f = gen / "manifest.json"
    f.write_text(f.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    return "manifest.json"


def manifest_unlists_altered_file(gen):
    # An edited manifest that stops listing a file must not let that file escape the check.
    m = _manifest(gen)
    del m["artifacts"]["chunks.json"]
    _write_manifest(gen, m)
    alter_chunks(gen)
    return "chunks.json"


def manifest_wrong_shape(gen):
    m = _manifest(gen)
    m["artifacts"]["vectors.faiss"] = "not an entry"
    _write_manifest(gen, m)
    return "vectors.faiss"


def current_points_nowhere(gen):
    (gen.parent / "CURRENT").write_text("gen-does-not-exist")
    return "CURRENT"


def current_points_outside(gen):
    (gen.parent / "CURRENT").write_text("../../")
    return "CURRENT"


CORRUPT = [truncate_faiss, alter_faiss, swap_passage_texts, alter_chunks, alter_sentences_json,
           alter_sentence_vectors, alter_bm25_vocab, truncate_bm25_matrix, delete_passages, delete_manifest,
           manifest_not_json, manifest_unlists_altered_file, manifest_wrong_shape, current_points_nowhere,
           current_points_outside]


def other_model(gen):
    m = _manifest(gen)
    m["model"]["weights_sha256"] = "0" * 64
    _write_manifest(gen, m)
    return "model weights 000000000000"


def other_format(gen):
    m = _manifest(gen)
    m["format_version"] = index_store.FORMAT_VERSION + 1
    _write_manifest(gen, m)
    return f"format version {index_store.FORMAT_VERSION + 1}"


def other_settings(gen):
    m = _manifest(gen)
    m["settings"]["window_sentences"] = 7
    _write_manifest(gen, m)
    return "window_sentences was 7"


STALE = [other_model, other_format, other_settings]


@pytest.mark.parametrize("damage", CORRUPT, ids=lambda f: f.__name__)
def test_damaged_index_is_named_then_rebuilt(damage, damaged, embedder):
    s, gen = damaged
    name = damage(gen)
    with pytest.raises(IndexCorrupt) as e:
        index_store.load(s, embedder_sha=embedder.weights_sha256)
    assert name in str(e.value), str(e.value)
    assert "\n" not in str(e.value)

    idx = index_store.load_or_build(s, embedder, **QUIET)
    assert idx.folder == s.index_dir and index_store.live_generation(s.index_dir) != gen
    assert_true_to_source(idx)
    assert_hits_true_to_source(idx, embedder, s)
    again = index_store.load(s, embedder_sha=embedder.weights_sha256)  # the rebuilt index verifies
    assert [p.text for p in again.passages] == [p.text for p in idx.passages]


@pytest.mark.parametrize("damage", STALE, ids=lambda f: f.__name__)
def test_foreign_index_is_stale_then_rebuilt(damage, damaged, embedder):
    s, gen = damaged
    what = damage(gen)
    with pytest.raises(IndexStale) as e:
        index_store.load(s, embedder_sha=embedder.weights_sha256)
    assert what in str(e.value), str(e.value)
    idx = index_store.load_or_build(s, embedder, **QUIET)
    assert idx.manifest["model"]["weights_sha256"] == embedder.weights_sha256
    assert idx.manifest["format_version"] == index_store.FORMAT_VERSION
    assert_hits_true_to_source(idx, embedder, s)


@pytest.mark.parametrize("how", ["flip", "truncate", "delete"])
def test_every_artifact_is_checked(how, damaged, embedder):
    """No file the loader reads escapes the manifest check, whatever happens to it."""
    s, gen = damaged
    names = sorted(_manifest(gen)["artifacts"])
    assert {"vectors.faiss", "chunks.json", "passages.json", "sentences.json", "sentences.npy"} <= set(names)
    for name in names:
        f = gen / name
        keep = f.read_bytes()
        if how == "flip":
            _flip_byte(f)
        elif how == "truncate":
            f.write_bytes(keep[:-1])
        else:
            f.unlink()
        with pytest.raises(IndexCorrupt, match=name.split("/")[-1].replace(".", r"\.")):
            index_store.load(s, verify_against=None)
        f.write_bytes(keep)
    index_store.load(s, embedder_sha=embedder.weights_sha256)


def test_changed_corpus_is_stale(tiny, tmp_path, embedder):
    s, pristine = tiny
    corpus = shutil.copytree(s.corpus_dir, tmp_path / "corpus")
    with open(corpus / "tiny.txt", "a", encoding="utf-8") as f:
        f.write("An added paragraph that the index has never seen.\n")
    (corpus / "new.txt").write_text((corpus / "tiny.txt").read_text(encoding="utf-8"), encoding="utf-8")
    s2 = s.with_overrides(corpus_dir=corpus, index_dir=pristine)
    with pytest.raises(IndexStale) as e:
        index_store.load(s2, embedder_sha=embedder.weights_sha256)
    assert e.value.differences == ["corpus file new.txt is new", "corpus file tiny.txt changed"]


def test_index_from_the_other_backend_is_stale(tiny, tmp_path, embedder, reference_embedder):
    """int8 ONNX vectors differ slightly from torch's: an index built by one backend is stale for the other,
    in both directions, and says so; each backend's own build loads clean; an encoder cannot build an index
    the settings name another backend for."""
    from qa.config import Settings
    from qa.embedding import make_embedder
    from qa.errors import ConfigError

    s, pristine = tiny
    by = {"onnx": make_embedder(Settings(embedding_backend="onnx")).warm_up(), "torch": reference_embedder}
    for built, asked in (("torch", "onnx"), ("onnx", "torch")):
        sb = s.with_overrides(index_dir=tmp_path / built, embedding_backend=built)
        idx = index_store.build(sb, by[built], **QUIET)
        assert idx.manifest["settings"]["embedding_backend"] == built
        assert idx.manifest["model"]["weights_sha256"] == by[built].expected_sha256
        index_store.load(sb, embedder_sha=by[built].expected_sha256)
        sa = sb.with_overrides(embedding_backend=asked)
        with pytest.raises(IndexStale) as e:
            index_store.load(sa, embedder_sha=make_embedder(sa).expected_sha256)
        assert f"setting embedding_backend was {built!r}, now {asked!r}" in e.value.differences
        assert any(d.startswith("model weights ") for d in e.value.differences), e.value.differences
        with pytest.raises(ConfigError, match=f"the {built} encoder cannot build an index for embedding backend"):
            index_store.build(sa, by[built], **QUIET)


def test_generation_swapped_while_loading(damaged, embedder, monkeypatch):
    """A build that swaps CURRENT and removes the old generation mid-load gives the new index, not an error."""
    s, old = damaged
    newer = old.parent / "gen-99990101T000000000000-1"
    shutil.copytree(old, newer)
    real = index_store.verify_artifacts
    calls = []

    def swap_then_verify(gen, manifest):
        if not calls:
            (old.parent / "CURRENT").write_text(newer.name)
            shutil.rmtree(old)
        calls.append(gen)
        return real(gen, manifest)

    monkeypatch.setattr(index_store, "verify_artifacts", swap_then_verify)
    idx = index_store.load(s, embedder_sha=embedder.weights_sha256)
    assert calls[-1] == newer
    assert_true_to_source(idx)
    assert_hits_true_to_source(idx, embedder, s)


# --- the CLI -------------------------------------------------------------------------------------

def briefqa(*args, timeout=300):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


@pytest.mark.parametrize("damage,expect", [(other_model, "model weights"), (other_format, "format version"),
                                           (alter_faiss, "vectors.faiss")])
def test_cli_no_rebuild_refuses_with_one_line(damage, expect, damaged):
    s, gen = damaged
    damage(gen)
    r = briefqa("search", "patents", "--no-rebuild", "--corpus", str(s.corpus_dir), "--index", str(s.index_dir))
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefqa: ") and expect in lines[0], r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_cli_rebuilds_a_stale_index(damaged, embedder):
    s, gen = damaged
    other_model(gen)
    r = briefqa("search", "valid domestic invention patents", "--json", "-k", "2",
                "--corpus", str(s.corpus_dir), "--index", str(s.index_dir))
    assert r.returncode == 0, r.stderr
    assert "rebuilding" in r.stderr
    hits = [json.loads(line) for line in r.stdout.splitlines()]
    src = SEED.read_bytes().decode("utf-8")
    assert hits and all(src[p["start"]:p["end"]] == p["text"] for h in hits for p in h["passages"])
    idx = index_store.load(s, embedder_sha=embedder.weights_sha256)
    assert idx.manifest["model"]["weights_sha256"] == embedder.weights_sha256
