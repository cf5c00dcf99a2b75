"""Start-up: what each command imports (checked in a fresh process's sys.modules), and `chat`/`serve` saying
they are loading before anything heavy is imported. No timings here: those are `make bench`'s."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qa.config import Settings

from helpers import stop

ROOT = Path(__file__).resolve().parent.parent
# The float model's stack: seconds of imports (scikit-learn, scipy.stats, torch, transformers).
HEAVY = ("torch", "sentence_transformers", "transformers", "sklearn")
QUESTION = "How many PPH agreements has China signed with BRI partners?"


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFQA_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update(extra)
    return env


def modules_after(argv: list[str], **env) -> tuple[dict, str, str]:
    """Run `briefqa ARGV` in a fresh interpreter; ({"rc": exit code, "loaded": {module: imported?}}, stdout, stderr)."""
    code = textwrap.dedent(f"""
        import json, sys
        from qa.cli import main
        try:
            rc = main({argv!r})
        except SystemExit as e:
            rc = e.code
        loaded = {{m: m in sys.modules for m in {HEAVY + ("onnxruntime", "gradio")!r}}}
        print("MODULES " + json.dumps({{"rc": rc, "loaded": loaded}}))
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=child_env(**env),
                       timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    line = [x for x in p.stdout.splitlines() if x.startswith("MODULES ")][-1]
    return json.loads(line[len("MODULES "):]), p.stdout, p.stderr


@pytest.mark.parametrize("argv", [["--help"], ["search", "--help"], ["ask", "--help"], ["ingest"],
                                  ["ingest", "--json"]])
def test_help_and_ingest_load_no_model(argv):
    got, _, _ = modules_after(argv)
    assert got["rc"] == 0
    assert not any(got["loaded"][m] for m in HEAVY + ("onnxruntime", "gradio")), got["loaded"]


@pytest.fixture(scope="module")
def onnx_index(tmp_path_factory) -> Path:
    """A tiny index built by `briefqa build` with the ONNX backend; the build itself loads no torch either."""
    base = tmp_path_factory.mktemp("onnx-startup")
    corpus = base / "corpus"
    corpus.mkdir()
    head = (ROOT / "corpus" / "2024-07-29-scio-cnipa-ip.txt").read_bytes().decode("utf-8").splitlines(keepends=True)[:23]
    (corpus / "tiny.txt").write_text("".join(head), encoding="utf-8", newline="")
    got, _, err = modules_after(["build", "--corpus", str(corpus), "--index", str(base / "index")],
                                BRIEFQA_EMBEDDING_BACKEND="onnx")
    assert got["rc"] == 0, err
    assert got["loaded"]["onnxruntime"] and not any(got["loaded"][m] for m in HEAVY), got["loaded"]
    return base


@pytest.mark.parametrize("command", ["ask", "search"])
def test_onnx_query_path_imports_neither_torch_nor_sentence_transformers(command, onnx_index):
    """With the ONNX backend a question is answered from a built index without the float model's stack."""
    got, out, err = modules_after([command, "How many valid domestic invention patents did China have?", "--corpus",
                                   str(onnx_index / "corpus"), "--index", str(onnx_index / "index"), "--no-rebuild",
                                   "--json"], BRIEFQA_EMBEDDING_BACKEND="onnx")
    assert got["rc"] == 0, err
    assert got["loaded"]["onnxruntime"], "the ONNX backend did not run"
    assert not any(got["loaded"][m] for m in HEAVY), got["loaded"]
    assert "4.425 million" in out


def test_the_other_backend_is_selectable(index):
    """BRIEFQA_EMBEDDING_BACKEND reaches the CLI: for the other backend the session index is stale, and says why."""
    other = "torch" if Settings().embedding_backend == "onnx" else "onnx"
    got, _, err = modules_after(["search", QUESTION, "--index", str(index.folder), "--no-rebuild"],
                                BRIEFQA_EMBEDDING_BACKEND=other)
    assert got["rc"] == 1 and f"setting embedding_backend was {Settings().embedding_backend!r}, now {other!r}" in err, err
    assert "model weights" in err


# --- `chat` and `serve` say they are loading before they load --------------------------------------

# A sitecustomize that holds the first import of each module in $GATE_MODULES until the file $GATE exists:
# the test reads the child's first line while the model (or gradio) provably has not been imported.
GATE = '''
import importlib.abc, os, sys, time

_held = set(filter(None, os.environ.get("GATE_MODULES", "").split(",")))


class _Gate(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in _held:
            _held.discard(name)
            while not os.path.exists(os.environ["GATE"]):
                time.sleep(0.05)
        return None


sys.meta_path.insert(0, _Gate())
'''


def gated_env(tmp_path: Path, modules: str) -> tuple[dict, Path]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GATE, encoding="utf-8")
    gate = tmp_path / "release"
    env = child_env(GATE=str(gate), GATE_MODULES=modules)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    return env, gate


def first_line(path: Path, proc: subprocess.Popen, wait_s: float = 300) -> str:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace")
        if "\n" in text:
            return text.splitlines()[0]
        assert proc.poll() is None, f"exited {proc.returncode}: {text}"
        time.sleep(0.05)
    raise AssertionError(f"no line on stderr after {wait_s}s")


def test_chat_says_it_is_loading_before_it_loads(index, tmp_path):
    env, gate = gated_env(tmp_path, "qa.service,onnxruntime,torch")
    err = tmp_path / "stderr.txt"
    with open(err, "w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "chat", "--index", str(index.folder), "--no-rebuild"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=f, text=True, cwd=ROOT, env=env)
    try:
        line = first_line(err, proc)
        # Held at the gate: neither the index code nor the model library has been imported yet.
        assert proc.poll() is None and line == "briefqa chat: loading the index and the model…", line
        gate.touch()
        out, _ = proc.communicate(QUESTION + "\n\n", timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.read_text()
    lines = err.read_text(encoding="utf-8").splitlines()
    assert any(x.startswith("  loading the model (") for x in lines), lines
    assert any(x.startswith("  ready: ") for x in lines), lines
    assert "Sources:" in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_says_it_is_loading_before_gradio_and_the_model(index, tmp_path):
    import httpx

    env, gate = gated_env(tmp_path, "gradio,onnxruntime,torch")
    env["GRADIO_TEMP_DIR"] = str(tmp_path / "gradio")
    err = tmp_path / "stderr.txt"
    port = free_port()
    with open(err, "w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--port", str(port), "--index",
                                 str(index.folder), "--corpus", str(Settings().corpus_dir)],
                                stdout=subprocess.DEVNULL, stderr=f, cwd=ROOT, env=env)
    try:
        line = first_line(err, proc)
        assert proc.poll() is None and line.startswith("briefqa serve: loading"), line
        gate.touch()
        deadline, ready = time.monotonic() + 400, False
        while not ready and time.monotonic() < deadline:
            assert proc.poll() is None, err.read_text()
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}", timeout=5).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.5)
        assert ready, err.read_text()
    finally:
        stop(proc, timeout=30)
    lines = err.read_text(encoding="utf-8").splitlines()
    assert any(x.startswith("  ready: ") for x in lines), lines
