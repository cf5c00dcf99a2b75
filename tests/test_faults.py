"""Issue 14's faults: each is one line naming the input and what would be valid, or repairs itself;
never a traceback, and nothing already built is lost."""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa import cli, index_store
from qa.config import MAX_K, check_date, check_k
from qa.errors import ConfigError, IndexCorrupt, IndexStale
from qa.service import BriefingQA

from helpers import QUIET, ROOT, built_index, enospc_writing_json, write_tiny_corpus

REAL = "How many valid domestic invention patents did China have as of June 2024?"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, settings, embedder):
    """Settings for an index of the tiny corpus, built once; tests that change it work on `tiny`."""
    base = tmp_path_factory.mktemp("faults")
    s, _ = built_index(settings, embedder, write_tiny_corpus(base / "corpus"), base / "pristine")
    return s


@pytest.fixture
def tiny(pristine, tmp_path):
    """A private copy of the pristine index: settings pointing at it."""
    shutil.copytree(pristine.index_dir, tmp_path / "index")
    return pristine.with_overrides(index_dir=tmp_path / "index")


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def flags(s) -> list[str]:
    return ["--corpus", str(s.corpus_dir), "--index", str(s.index_dir)]


def one_error_line(err: str) -> str:
    """The single `briefqa: …` line of stderr (progress lines may precede it); no traceback."""
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.startswith("briefqa: ")]
    assert len(lines) == 1, err
    return lines[0]


def answers_from(s, embedder) -> str:
    idx = index_store.load(s, embedder_sha=embedder.weights_sha256)
    return BriefingQA(s, embedder, idx).ask(REAL).answer


# --- ask --jsonl: a line too deep to parse, a history that is not strings --------------------------

def test_jsonl_bad_lines_are_one_error_each_and_the_rest_answered(tiny, embedder, tmp_path, capsys):
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join([
        json.dumps({"question": REAL}),
        "[" * 100_000 + "]" * 100_000,                                   # 100,000 levels deep
        json.dumps({"question": REAL, "history": [1, None, {"a": 1}]}),
        json.dumps({"question": "What about trademarks?", "history": ["What about patents?"]}),
    ]) + "\n", encoding="utf-8")
    rc, out, err = run(capsys, "ask", "--jsonl", str(f), *flags(tiny))
    assert rc == 1 and "Traceback" not in err, err
    results = [json.loads(x) for x in out.splitlines()]
    assert [r.get("line") for r in results] == [None, 2, 3, None]
    assert "4.425 million" in results[0]["answer"] and results[3]["answer"]
    assert "nested too deeply" in results[1]["error"]
    assert "'history' must be a list of strings" in results[2]["error"]
    assert err.strip().splitlines() == [f"{f}:2: {results[1]['error']}", f"{f}:3: {results[2]['error']}"]


# --- CURRENT ------------------------------------------------------------------------------------

def current_is_a_folder(s):
    cur = s.index_dir / "CURRENT"
    cur.unlink()
    (cur / "left-here").mkdir(parents=True)
    return "is a folder"


def current_not_utf8(s):
    (s.index_dir / "CURRENT").write_bytes(b"gen-\xff\xfe\x80")
    return "not UTF-8"


def current_escapes_the_folder(s):
    # Another index two levels up; `gen-x/../..` walks out of this one.
    other = s.index_dir.parent / "other"
    gen = index_store.live_generation(s.index_dir)
    shutil.copytree(gen, other / gen.name)
    (s.index_dir / "gen-x").mkdir()
    (s.index_dir / "CURRENT").write_text(f"gen-x/../../other/{gen.name}")
    assert (s.index_dir / "gen-x/../../other" / gen.name).is_dir()
    return "plain name"


@pytest.mark.parametrize("damage", [current_is_a_folder, current_not_utf8, current_escapes_the_folder],
                         ids=lambda f: f.__name__)
def test_bad_current_is_one_line_then_build_repairs(damage, tiny, embedder, capsys):
    what = damage(tiny)
    with pytest.raises(IndexCorrupt) as e:
        index_store.load(tiny, embedder_sha=embedder.weights_sha256)
    assert "CURRENT" in str(e.value) and what in str(e.value) and "\n" not in str(e.value), str(e.value)

    rc, out, err = run(capsys, "search", "patents", "--no-rebuild", *flags(tiny))
    assert rc == 1 and what in one_error_line(err)

    rc, out, err = run(capsys, "build", *flags(tiny))
    assert rc == 0 and "Traceback" not in err, err
    assert (tiny.index_dir / "CURRENT").is_file()
    assert "4.425 million" in answers_from(tiny, embedder)


# --- disk full during a build ---------------------------------------------------------------------

def faiss_short_write(monkeypatch):
    import faiss

    def write_index(index, path):  # what FAISS 1.x raised on a full tmpfs
        Path(path).write_bytes(b"\0" * 4051)
        raise RuntimeError("Error in void faiss::write_index(const Index*, IOWriter*, int) at "
                           "/project/faiss/impl/index_write.cpp:499: Error: 'ret == (size * 4)' failed: write "
                           f"error in {path}: 4051 != 12288 ({os.strerror(errno.ENOSPC)})")

    monkeypatch.setattr(faiss, "write_index", write_index)


@pytest.mark.parametrize("fault", [enospc_writing_json, faiss_short_write], ids=lambda f: f.__name__)
def test_disk_full_build_is_one_line_and_leaves_the_live_index(fault, tiny, embedder, monkeypatch, capsys):
    live = index_store.live_generation(tiny.index_dir)
    before = sorted(p.name for p in tiny.index_dir.iterdir())
    fault(monkeypatch)
    for _ in range(2):  # the next try fails the same way, and leaves nothing behind either
        rc, out, err = run(capsys, "build", *flags(tiny))
        line = one_error_line(err)
        assert rc == 1 and "disk full" in line and f"{tiny.index_dir}/.tmp-gen-" in line, line
        assert sorted(p.name for p in tiny.index_dir.iterdir()) == before
    assert index_store.live_generation(tiny.index_dir) == live
    assert "4.425 million" in answers_from(tiny, embedder)


# --- the index folder and its lock --------------------------------------------------------------

def test_lock_that_is_a_folder_is_one_line(tiny, capsys):
    (tiny.index_dir / ".lock").unlink()
    (tiny.index_dir / ".lock").mkdir()
    rc, out, err = run(capsys, "build", *flags(tiny))
    assert rc == 1 and ".lock: is a folder" in one_error_line(err)


@pytest.mark.parametrize("command", [["build"], ["search", "patents"], ["search", "patents", "--no-rebuild"]])
def test_index_that_is_a_file_is_one_line(command, pristine, tmp_path, capsys):
    f = tmp_path / "index"
    f.write_text("not a folder")
    rc, out, err = run(capsys, *command, "--corpus", str(pristine.corpus_dir), "--index", str(f))
    assert rc == 1 and f"{f}: is a file, not a folder" in one_error_line(err)
    assert f.read_text() == "not a folder"


# --- flags and API values -----------------------------------------------------------------------

def test_serve_refuses_a_bad_port_before_loading(pristine, monkeypatch, capsys):
    monkeypatch.setattr(BriefingQA, "open", lambda *a, **k: pytest.fail("must refuse before loading"))
    for port in ("99999", "0", "-1"):
        rc, out, err = run(capsys, "serve", "--port", port, *flags(pristine))
        assert rc == 1 and out == ""
        assert one_error_line(err) == f"briefqa: --port {port} is not a port number from 1 to 65535"
    from ui import app

    with pytest.raises(ConfigError, match="from 1 to 65535"):
        app.serve(pristine, port=99999)


@pytest.mark.parametrize("argv,expected", [
    (["-k", "-1"], "-k '-1' is not a whole number from 1 to 50"),
    (["-k", "1e8"], "-k '1e8' is not a whole number from 1 to 50"),
    (["-k", "51"], "-k '51' is not a whole number from 1 to 50"),
    (["--date-from", "yesterday"], "--date-from 'yesterday' is not a date written YYYY-MM-DD"),
    (["--date-to", "2024-02-30"], "--date-to '2024-02-30' is not a date written YYYY-MM-DD"),
])
def test_cli_flags_are_checked_before_loading(argv, expected, pristine, monkeypatch, capsys):
    monkeypatch.setattr(BriefingQA, "open", lambda *a, **k: pytest.fail("must refuse before loading"))
    rc, out, err = run(capsys, "search", "patents", *argv, *flags(pristine))
    assert rc == 1 and out == "" and one_error_line(err).startswith(f"briefqa: {expected}"), err


def test_cli_k_and_dates_still_work(pristine, capsys):
    rc, out, err = run(capsys, "search", "invention patents", "-k", "1", "--json", "--date-from", "2024-07-01",
                       "--date-to", "2024-07-31", "--no-rebuild", *flags(pristine))
    assert rc == 0, err
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize("value", ["abc", -5, 2.5, "2.5", "1e8", MAX_K + 1, True, [3], {"k": 3}])
def test_k_outside_1_to_max_is_refused(value):
    with pytest.raises(ConfigError, match=f"from 1 to {MAX_K}"):
        check_k(value)


@pytest.mark.parametrize("value,expected", [(None, None), ("", None), (0, None), ("0", None), (3, 3), ("3", 3),
                                            (3.0, 3), (MAX_K, MAX_K)])
def test_k_values_accepted(value, expected):
    assert check_k(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024-7-29", "20240729", "2024-02-30", "2024-07-29T00:00"])
def test_dates_must_be_yyyy_mm_dd(value):
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        check_date(value, "--date-from")


# --- the served app: refused API calls, uploads, shutdown ----------------------------------------

BAD_CALLS = [  # (question, history, k, mode, filters) -> what the one-line message says
    (("", [], None, None, None), "question is empty"),
    ((REAL, [], "abc", None, None), "k 'abc' is not a whole number from 1 to 20"),
    ((REAL, [], -5, None, None), "k -5 is not a whole number"),
    ((REAL, [], 2.5, None, None), "k 2.5 is not a whole number"),
    ((REAL, '[1, null, {"a": 1}]', None, None, None), "history must be a list of strings"),
    ((REAL, "[" * 100_000 + "]" * 100_000, None, None, None), "history is nested too deeply"),
    ((REAL, 5, None, None, None), "history must be a list of strings"),
    ((12, [], None, None, None), "question must be a string"),
    ((REAL, [], None, "fuzzy", None), "mode 'fuzzy' is not one of"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_api_calls_log_one_line_each(pristine, embedder, capfd):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from ui.app import launch, make_app

    qa = BriefingQA(pristine, embedder, index_store.load(pristine, embedder_sha=embedder.weights_sha256))
    demo = make_app(qa, pristine)
    _, url, _ = launch(demo, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        for args, message in BAD_CALLS:
            with pytest.raises(AppError, match=message):
                client.predict(*args, api_name="/ask")
        assert "4.425 million" in client.predict(REAL, api_name="/ask")["answer"]
    finally:
        demo.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    refused = [ln for ln in err.splitlines() if ln.startswith("ask API: refused: ")]
    assert len(refused) == len(BAD_CALLS), err
    for line, (_, message) in zip(refused, BAD_CALLS):
        assert message in line


def test_upload_is_bounded_and_temp_folder_removed_on_sigterm(pristine, tmp_path):
    import httpx

    temp = tmp_path / "gradio-temp"
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--port", str(port), *flags(pristine)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**ENV, "GRADIO_TEMP_DIR": str(temp)})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 400
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        big = httpx.post(f"{url}/gradio_api/upload", files={"files": ("big.bin", b"\0" * 20_000_001)},  # > max_add_bytes
                         timeout=120)
        assert big.status_code == 413, (big.status_code, big.text[:200])
        small = httpx.post(f"{url}/gradio_api/upload", files={"files": ("note.txt", b"hello")}, timeout=60)
        assert small.status_code == 200
        (stored,) = small.json()
        assert Path(stored).read_bytes() == b"hello" and Path(stored).is_relative_to(temp)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
    assert [p for p in temp.rglob("*") if p.is_file()] == []
    assert not list(temp.glob("briefqa-gradio-*"))


# --- concurrent builds ----------------------------------------------------------------------------

class Briefqa:
    """`python -m qa.cli …` in the background, its stderr collected line by line as it comes."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, "-m", "qa.cli", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
        self.err: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.err.append(line)

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.err))

    def finish(self, timeout=600) -> tuple[int, str, str]:
        out = self.proc.stdout.read()
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=30)
        return self.proc.returncode, out, "".join(self.err)


def test_builds_queued_behind_a_build_do_not_repeat_it(tmp_path):
    """Two builds and a search on a missing index, all waiting for the lock: one build, then the two
    others find the index fresh once they hold the lock and use it."""
    from filelock import FileLock

    corpus = write_tiny_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    index.mkdir()
    args = ["--corpus", str(corpus), "--index", str(index)]
    procs = []
    try:
        with FileLock(str(index / ".lock")):  # held until all three have found the index missing and wait
            procs = [Briefqa("build", *args), Briefqa("build", *args),
                     Briefqa("search", "valid domestic invention patents", "--json", "-k", "1", *args)]
            deadline = time.monotonic() + 300
            while not all(p.said("waiting for it to finish") for p in procs):
                assert all(p.proc.poll() is None for p in procs), [p.err for p in procs]
                assert time.monotonic() < deadline, [p.err for p in procs]
                time.sleep(0.2)
        results = [p.finish() for p in procs]
    finally:
        for p in procs:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
    for rc, _, err in results:
        assert rc == 0 and "Traceback" not in err, err
    built = [err for _, _, err in results if re.search(r"^built \d+ passages", err, re.M)]
    assert len(built) == 1, [err for _, _, err in results]
    assert sum("was built by another process while this one waited" in err for _, _, err in results) == 2
    assert len(list(index.glob("gen-*"))) == 1
    hit = json.loads(results[2][1].splitlines()[0])
    assert any("4.425 million" in p["text"] for p in hit["passages"])


# --- settings recorded in the manifest ----------------------------------------------------------

def test_vector_index_setting_makes_the_index_stale(tiny, embedder):
    assert tiny.vector_index == "auto"
    hnsw = tiny.with_overrides(vector_index="hnsw")
    with pytest.raises(IndexStale, match="setting vector_index was 'auto', now 'hnsw'"):
        index_store.load(hnsw, embedder_sha=embedder.weights_sha256)
    idx = index_store.load_or_build(hnsw, embedder, **QUIET)
    assert idx.manifest["vector_index"]["type"] == "IndexHNSWFlat"
    assert idx.manifest["settings"]["vector_index"] == "hnsw"
    assert "4.425 million" in answers_from(hnsw, embedder)
