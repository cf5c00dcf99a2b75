"""Domain exceptions: every message names the input, the place and what would be valid."""
from __future__ import annotations


class BriefQAError(Exception):
    """Base of every error the library raises on purpose; outer layers turn it into a message."""


class CorpusError(BriefQAError):
    """A transcript cannot be read or parsed. Carries the file and (where known) the line."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class ConfigError(BriefQAError):
    """A setting, flag or environment variable has an invalid value."""


class ModelError(BriefQAError):
    """The embedding model is missing, unreadable or not the expected weights."""


class IndexError_(BriefQAError):
    """The index on disk is missing, stale, damaged or was built differently."""


class IndexMissing(IndexError_):
    """No index has been built in the given folder."""


class IndexStale(IndexError_):
    """The index was built from another corpus, model or settings; `.differences` lists what."""

    def __init__(self, folder: str, differences: list[str]):
        self.folder = folder
        self.differences = differences
        super().__init__(
            f"index in {folder} is stale: " + "; ".join(differences)
            + " (run `briefqa build` to rebuild)"
        )


class IndexCorrupt(IndexError_):
    """An index artifact is truncated or altered (size or sha256 differs from the manifest)."""


class IndexBusy(IndexError_):
    """Another process holds the build lock."""


class QuestionError(BriefQAError):
    """A question cannot be answered as given (e.g. empty)."""


class LLMError(BriefQAError):
    """The configured generative endpoint failed, timed out or answered malformed data."""
