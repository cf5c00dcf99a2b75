"""Briefing QA: answers about press-briefing transcripts, every sentence cited to its source."""
import logging

from .config import Settings, load_settings
from .errors import BriefQAError, CorpusError, IndexCorrupt, IndexMissing, IndexStale, ModelError
from .types import Answer, Chunk, Citation, Hit, Passage, Transcript, Turn

__all__ = ["Settings", "load_settings", "BriefQAError", "CorpusError", "IndexCorrupt", "IndexMissing",
           "IndexStale", "ModelError", "Answer", "Chunk", "Citation", "Hit", "Passage", "Transcript", "Turn"]
__version__ = "0.1.0"

# A library prints nothing: its log lines go where the program says (qa.logs.to_stderr), else nowhere.
logging.getLogger(__name__).addHandler(logging.NullHandler())
