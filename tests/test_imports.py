"""The shape of the code: no import cycle among qa/, qa/eval/ and ui/ (imports inside functions count,
annotations-only imports do not), the library never imports the UI except where the CLI starts the
server, and no module of the library is much past 400 lines."""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 420  # "no module over ~400 lines"


def _modules() -> dict[str, Path]:
    out = {}
    for p in [*ROOT.glob("qa/*.py"), *ROOT.glob("qa/eval/*.py"), *ROOT.glob("ui/*.py")]:
        parts = p.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of `known` that `name` imports anywhere in its body, except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(b) for n in ast.walk(tree) if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
            for b in n.body}
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.ImportFrom):
            base = ".".join(package[:len(package) - n.level + 1] + ([n.module] if n.module else [])) if n.level \
                else n.module
            # "from . import metrics" imports the submodule, not the package being initialised.
            targets = ([base] if n.module else []) + [f"{base}.{a.name}" for a in n.names]
        elif isinstance(n, ast.Import):
            targets = [a.name for a in n.names]
        else:
            continue
        out |= {t for t in targets if t in known and t != name}
    return out


def test_no_import_cycles():
    mods = _modules()
    graph = {m: _imports(m, p, set(mods)) for m, p in mods.items()}
    assert {"qa.answerers", "qa.structure", "qa.salience"} <= set(graph)  # the graph is the real one
    assert "qa.salience" in graph["qa.structure"] and "qa.structure" in graph["qa.answerers"]
    list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError naming the cycle


def test_the_library_reaches_the_ui_only_to_start_the_server():
    mods = _modules()
    users = sorted(m for m, p in mods.items() if m.startswith("qa")
                   and any(t.startswith("ui") for t in _imports(m, p, set(mods))))
    assert users == ["qa.cli"]


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in
                                        [*ROOT.glob("qa/*.py"), *ROOT.glob("qa/eval/*.py"), *ROOT.glob("ui/*.py")]))
def test_module_length(path):
    n = len((ROOT / path).read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path} has {n} lines; split it along a seam"
