"""Offline and exposure: build, ask and the UI work with every non-loopback connection blocked;
the server binds to loopback unless told otherwise, and BRIEFQA_AUTH puts it behind a password."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa import cli
from qa.service import BriefingQA

from helpers import stop

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "2024-07-29-scio-cnipa-ip.txt"
BRIEFQA = Path(sys.executable).with_name("briefqa")
REAL = "How many valid domestic invention patents did China have as of June 2024?"
USER, PASSWORD = "reporter", "s3cret pass:word"

# Installed in this process by the `offline` fixture and, as sitecustomize, in every child process:
# a connection or name lookup for anything but loopback is recorded and refused.
GUARD = r'''
import errno, ipaddress, json, os, socket

_LOG = os.environ.get("BRIEFQA_NETGUARD_LOG")
_real = {}


def _record(kind, target, blocked):
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps({"pid": os.getpid(), "kind": kind, "target": repr(target), "blocked": blocked}) + "\n")


def _loopback_host(host):
    if host is None:
        return True
    host = host.decode() if isinstance(host, bytes) else str(host)
    host = host.strip("[]").split("%")[0].lower()
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(address):
    if not isinstance(address, tuple):
        return True  # AF_UNIX path: never leaves the machine
    return _loopback_host(address[0])


def _connect(self, address):
    if not _allowed(address):
        _record("connect", address, True)
        raise OSError(errno.ENETUNREACH, f"blocked by the offline test: {address!r}")
    _record("connect", address, False)
    return _real["connect"](self, address)


def _connect_ex(self, address):
    if not _allowed(address):
        _record("connect_ex", address, True)
        return errno.ENETUNREACH
    return _real["connect_ex"](self, address)


def _sendto(self, data, *args):
    address = args[-1]
    if not _allowed(address):
        _record("sendto", address, True)
        raise OSError(errno.ENETUNREACH, f"blocked by the offline test: {address!r}")
    return _real["sendto"](self, data, *args)


def _getaddrinfo(host, *args, **kw):
    if not _loopback_host(host):
        _record("getaddrinfo", host, True)
        raise socket.gaierror(socket.EAI_NONAME, f"blocked by the offline test: {host!r}")
    return _real["getaddrinfo"](host, *args, **kw)


def install():
    if _real:
        return
    for name in ("connect", "connect_ex", "sendto"):
        _real[name] = getattr(socket.socket, name)
    _real["getaddrinfo"] = socket.getaddrinfo
    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = _connect, _connect_ex, _sendto
    socket.getaddrinfo = _getaddrinfo
    _record("installed", None, False)


def uninstall():
    if _real:
        socket.socket.connect, socket.socket.connect_ex = _real["connect"], _real["connect_ex"]
        socket.socket.sendto, socket.getaddrinfo = _real["sendto"], _real["getaddrinfo"]
        _real.clear()


if _LOG and os.environ.get("BRIEFQA_NETGUARD") == "child":
    install()
'''


def read_log(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def blocked(path: Path) -> list[dict]:
    return [r for r in read_log(path) if r["blocked"]]


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    """(sitecustomize folder, log file) for child processes that must stay offline."""
    d = tmp_path_factory.mktemp("netguard")
    (d / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    return d, d / "attempts.jsonl"


def offline_env(guard, tmp: Path, **extra) -> dict:
    """The environment of an offline child: the guard, and none of the test session's offline switches,
    so the app's own settings are what keep it from the network."""
    folder, log = guard
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "GRADIO_ANALYTICS_ENABLED", "BRIEFQA_AUTH")}
    # The guard's sitecustomize first, then this checkout, so children run the code under test.
    env.update(PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]), BRIEFQA_NETGUARD="child", BRIEFQA_NETGUARD_LOG=str(log),
               HF_HOME=str(tmp / "hf-home"), GRADIO_TEMP_DIR=str(tmp / "gradio-tmp"),
               BRIEFQA_FEEDBACK_PATH=str(tmp / "feedback.jsonl"), **extra)
    return env


@pytest.fixture
def offline(guard):
    """Block and record non-loopback connections in this process for the duration of a test."""
    folder, log = guard
    ns: dict = {}
    os.environ["BRIEFQA_NETGUARD_LOG"] = str(log)
    exec(compile(GUARD, "netguard", "exec"), ns)
    ns["install"]()
    try:
        yield log
    finally:
        ns["uninstall"]()
        os.environ.pop("BRIEFQA_NETGUARD_LOG", None)


def test_guard_blocks_the_outside(offline):
    import httpx

    before = len(read_log(offline))
    with pytest.raises(OSError):
        socket.create_connection(("93.184.215.14", 80), timeout=2)
    with pytest.raises(OSError):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(httpx.HTTPError):
        httpx.get("https://huggingface.co", timeout=2)
    assert len(blocked(offline)) >= 3 and len(read_log(offline)) > before
    offline.write_text("")  # these attempts were ours


def test_build_and_ask_offline_in_a_fresh_process(guard, tmp_path):
    """A new process (model loaded from disk, nothing cached) builds and answers with the network blocked."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.txt").write_text("".join(SEED.read_text(encoding="utf-8").splitlines(keepends=True)[:23]),
                                     encoding="utf-8")
    index = tmp_path / "index"
    code = ("import sys; from qa.cli import main; "
            f"rc = main(['build', '--corpus', {str(corpus)!r}, '--index', {str(index)!r}]); "
            f"sys.exit(rc or main(['ask', {REAL!r}, '--json', '--corpus', {str(corpus)!r}, '--index', {str(index)!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                       env=offline_env(guard, tmp_path), cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "4.425 million" in json.loads(r.stdout.splitlines()[-1])["answer"]
    log = read_log(guard[1])
    assert any(x["kind"] == "installed" and x["pid"] != os.getpid() for x in log), "guard not active in the child"
    assert blocked(guard[1]) == [], blocked(guard[1])


def test_ask_and_build_in_process_offline(offline, settings, embedder, index, tmp_path):
    from qa import index_store

    a = BriefingQA(settings, embedder, index).ask(REAL)
    assert "4.425 million" in a.answer
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.txt").write_text("".join(SEED.read_text(encoding="utf-8").splitlines(keepends=True)[:23]),
                                     encoding="utf-8")
    s = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    idx = index_store.build(s, embedder, progress=False)
    assert "4.425 million" in BriefingQA(s, embedder, idx).ask(REAL).answer
    assert blocked(offline) == []


# --- the served UI --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc: subprocess.Popen, url: str, out: Path, timeout: float = 400) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}:\n{out.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"server not ready after {timeout}s:\n{out.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(guard, settings, index, tmp_path_factory):
    """`briefqa serve` with default host, BRIEFQA_AUTH set and the network guard: (url, process, log)."""
    tmp = tmp_path_factory.mktemp("served")
    port = free_port()
    out = tmp / "serve.log"
    env = offline_env(guard, tmp, BRIEFQA_AUTH=f"{USER}:{PASSWORD}")
    with open(out, "wb") as f:
        proc = subprocess.Popen([str(BRIEFQA), "serve", "--port", str(port), "--index", str(settings.index_dir),
                                 "--corpus", str(settings.corpus_dir)], stdout=f, stderr=subprocess.STDOUT,
                                env=env, cwd=tmp)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, url, out)
        yield url, proc, out
    finally:
        stop(proc, timeout=20)


def test_serve_binds_loopback_by_default(server):
    import psutil

    url, proc, out = server
    listening = [c.laddr for c in psutil.Process(proc.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and all(a.ip in ("127.0.0.1", "::1") for a in listening), listening
    assert "http://127.0.0.1:" in out.read_text()


def test_auth_required_for_page_and_api(server):
    import httpx
    from gradio_client import Client

    url, _, _ = server
    r = httpx.get(f"{url}/config", timeout=30)
    assert r.status_code == 401, r.status_code
    r = httpx.post(f"{url}/gradio_api/call/ask", json={"data": [REAL, "", 0, "", ""]}, timeout=30)
    assert r.status_code == 401, (r.status_code, r.text[:300])
    page = httpx.get(url, timeout=30)
    assert REAL not in page.text and "4.425" not in page.text
    bad = httpx.post(f"{url}/login", data={"username": USER, "password": "wrong"}, timeout=30)
    assert bad.status_code in (400, 401), bad.status_code
    with pytest.raises(Exception):
        Client(url, verbose=False).predict(REAL, "", 0, "", "", api_name="/ask")

    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        assert c.get("/config").status_code == 200


def test_page_and_api_work_offline(server, offline):
    import httpx
    from gradio_client import Client

    url, proc, _ = server
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        page = c.get("/")
        assert page.status_code == 200 and "Briefing QA" in page.text
        # Nothing the page loads may come from another host (fonts, scripts, styles, images, analytics).
        loaded = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']?(https?://[^\"'\s>]+)", page.text)
        external = [u for u in loaded if not re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", u)]
        assert external == [], external
        theme = c.get("/theme.css")
        assert theme.status_code == 200
        imports = re.findall(r"@import\s+url\(([^)]*)\)|url\((https?://[^)]*)\)", theme.text)
        assert not [i for pair in imports for i in pair if i], imports
    ans = Client(url, auth=(USER, PASSWORD), verbose=False).predict(REAL, "", 0, "", "", api_name="/ask")
    assert "4.425 million" in ans["answer"] and ans["citations"]
    assert blocked(offline) == [], blocked(offline)
    assert any(x["kind"] == "installed" and x["pid"] == proc.pid for x in read_log(offline)), \
        "the guard was not active in the server"


# --- exposure, through the CLI, without binding anything but loopback ------------------------------

@pytest.fixture
def launches(monkeypatch):
    """Record ui.app.launch calls instead of serving."""
    import ui.app

    calls = []
    monkeypatch.setattr(ui.app, "launch", lambda demo, host, port, share, auth: calls.append(
        {"host": host, "port": port, "share": share, "auth": auth}))
    return calls


def serve_cli(capsys, settings, *argv):
    rc = cli.main(["serve", *argv, "--index", str(settings.index_dir), "--corpus", str(settings.corpus_dir)])
    return rc, *capsys.readouterr()


def test_remote_host_needs_allow_remote(launches, capsys, settings, monkeypatch):
    monkeypatch.delenv("BRIEFQA_AUTH", raising=False)
    for host in ("0.0.0.0", "::", "192.168.1.20"):
        rc, out, err = serve_cli(capsys, settings, "--host", host)
        assert rc == 1 and out == "" and launches == []
        assert err.startswith(f"briefqa: --host {host} ") and "--allow-remote" in err and err.count("\n") == 1, err


def test_allow_remote_warns(launches, capsys, settings, embedder, monkeypatch):
    monkeypatch.delenv("BRIEFQA_AUTH", raising=False)
    rc, out, err = serve_cli(capsys, settings, "--host", "0.0.0.0", "--allow-remote")
    assert rc == 0 and launches[-1]["host"] == "0.0.0.0" and launches[-1]["auth"] is None
    assert "warning: serving on 0.0.0.0" in err and "without a password" in err

    monkeypatch.setenv("BRIEFQA_AUTH", f"{USER}:{PASSWORD}")
    rc, out, err = serve_cli(capsys, settings, "--host", "0.0.0.0", "--allow-remote")
    assert rc == 0 and launches[-1]["auth"] == (USER, PASSWORD)
    assert "warning: serving on 0.0.0.0" in err and "without a password" not in err


def test_default_host_and_bad_auth(launches, capsys, settings, embedder, monkeypatch):
    monkeypatch.delenv("BRIEFQA_AUTH", raising=False)
    rc, out, err = serve_cli(capsys, settings)
    assert rc == 0 and launches[-1]["host"] == "127.0.0.1" and "warning" not in err
    for bad in ("nocolon", ":nopassword", "nouser:"):
        monkeypatch.setenv("BRIEFQA_AUTH", bad)
        n = len(launches)
        rc, out, err = serve_cli(capsys, settings)
        assert rc == 1 and len(launches) == n and err.startswith("briefqa: BRIEFQA_AUTH"), err
