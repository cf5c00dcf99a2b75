"""Launch the web UI: open BriefingQA once, build the page, queue, serve on a local port."""
import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading

import gradio as gr
from gradio.components.api_component import Api

# is_loopback and auth_from_env live in qa.config so `briefqa serve` checks them before importing gradio.
from qa.config import Settings, auth_from_env, check_port, is_loopback  # noqa: F401
from qa.errors import ConfigError
from qa.logs import to_stderr
from qa.service import BriefingQA, release_freed_memory
from qa.spelling import warm_in_background

from . import briefings, layout, wiring

log = logging.getLogger(__name__)


class Blocks(gr.Blocks):
    """gr.Blocks whose API endpoints take their documented defaults for trailing parameters a caller
    leaves out: `POST /gradio_api/call/ask {"data": ["How many PPH agreements?"]}` works, as the API
    page promises (Gradio itself requires every value in `data`)."""

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        if len(inputs) < len(block_fn.inputs) and all(isinstance(b, Api) for b in block_fn.inputs):
            inputs = list(inputs) + [b.value for b in block_fn.inputs[len(inputs):]]
        return await super().preprocess_data(block_fn, inputs, state, explicit_call)


# Gradio's upload route accepts files from anyone who can reach the port: this bounds what one request
# may store (a larger upload is refused with 413). The "Add a briefing" panel takes transcripts up to
# the library's own limit (Settings.max_add_bytes), so the bound is that when it is larger.
MAX_UPLOAD = 1_000_000


def upload_limit(settings: Settings | None = None) -> int:
    """The largest upload the server stores, in bytes: the larger of 1 MB and Settings.max_add_bytes."""
    return max(MAX_UPLOAD, int((settings or Settings()).max_add_bytes))


def make_app(qa: BriefingQA, settings: Settings) -> gr.Blocks:
    """The Blocks app for a loaded BriefingQA (not yet queued or launched)."""
    with Blocks(title="Briefing QA", analytics_enabled=False) as demo:
        wiring.wire(layout.build(qa.documents, layout.officials(qa.index), settings, briefings.rows_html(qa.index)),
                    qa, settings, demo)
    demo.max_upload = upload_limit(settings)
    demo.concurrency = settings.ui_concurrency
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, share: bool = False,
           auth: tuple[str, str] | None = None, prevent_thread_lock: bool = False, quiet: bool = False):
    """Queue and launch `demo` with the app's theme and CSS; returns Gradio's (app, local_url, share_url)."""
    to_stderr()  # the server's log lines (refused API calls) go to stderr
    demo.queue(default_concurrency_limit=getattr(demo, "concurrency", Settings().ui_concurrency))
    return demo.launch(server_name=host, server_port=port, share=share, auth=auth,
                       prevent_thread_lock=prevent_thread_lock, quiet=quiet, ssr_mode=False,
                       theme=layout.THEME, css_paths=[layout.CSS_PATH], head=layout.HEAD, footer_links=["api"],
                       show_error=True, max_file_size=getattr(demo, "max_upload", upload_limit()))


def _stop(signum, frame):
    raise KeyboardInterrupt  # Gradio closes its server on KeyboardInterrupt; SIGTERM should do the same


@contextlib.contextmanager
def private_temp_dir():
    """Give Gradio (uploads, cache) a new folder of this server's own, removed at shutdown, SIGTERM included.

    The folder is made inside $GRADIO_TEMP_DIR when that is set, else in the system temp folder.
    """
    base = os.environ.get("GRADIO_TEMP_DIR")
    if base:
        os.makedirs(base, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="briefqa-gradio-", dir=base or None)
    os.environ["GRADIO_TEMP_DIR"] = folder  # read when the Blocks and the server are made
    on_term = signal.signal(signal.SIGTERM, _stop) if threading.current_thread() is threading.main_thread() else None
    try:
        yield folder
    finally:
        if on_term is not None:
            signal.signal(signal.SIGTERM, on_term)
        if base:
            os.environ["GRADIO_TEMP_DIR"] = base
        else:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        shutil.rmtree(folder, ignore_errors=True)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, share: bool = False,
          allow_remote: bool = False) -> None:
    """Open (building if missing or stale) the index, then serve until interrupted.

    Example: serve(load_settings(), port=7860)  # then open http://127.0.0.1:7860
    """
    check_port(port)
    if not is_loopback(host) and not allow_remote:
        raise ConfigError(f"--host {host} would serve the app to other machines; use 127.0.0.1, "
                          "or pass --allow-remote (and set BRIEFQA_AUTH=user:password)")
    auth = auth_from_env()
    to_stderr()
    if not is_loopback(host):
        log.warning(f"warning: serving on {host}: anyone who can reach port {port} can use the app"
                    + ("" if auth else " (no BRIEFQA_AUTH set, so without a password)"))
    if share:
        log.warning("warning: --share makes a public link through Gradio's relay servers")
    qa = BriefingQA.open(settings, status=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    release_freed_memory()
    warm_in_background(qa.index)
    with private_temp_dir():
        launch(make_app(qa, settings), host, port, share, auth)
