"""Where the library's log lines go: nowhere, until a program (the CLI, the UI server) sends them to stderr."""
from __future__ import annotations

import logging
import sys


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (tests and embedding programs swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _):
        pass


def to_stderr(level: int = logging.INFO) -> None:
    """Print the `qa` and `ui` loggers' lines to stderr, message only, as the CLI printed them before it
    used logging. Calling it again changes nothing (the CLI and the UI server both call it)."""
    for name in ("qa", "ui"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, _Stderr) for h in logger.handlers):
            handler = _Stderr()
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
        logger.setLevel(level)
