"""py/inkling's subpackages import one way: nn and data know nothing of the rest, reading and
training build on them (training on reading too, to draw digits as the page does), and only
worker (what the web worker calls) may import everything.

Read from the source with `ast`, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "py" / "inkling"
ALLOWED = {  # subpackage -> the other subpackages it may import
    "nn": set(),
    "data": set(),
    "reading": {"nn", "data"},
    "training": {"nn", "data", "reading"},  # reading: its stroke renderer draws the pen twins
    "lab": {"nn", "data"},
    "worker": {"nn", "data", "reading", "training", "lab"},
}


def imported_subpackages(path: Path) -> set[str]:
    """The inkling subpackages a module imports, absolute (inkling.x) or relative (..x, . from x/)."""
    here = path.relative_to(PACKAGE).parts[:-1]  # ("nn", "layers") for nn/layers/dense.py
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - node.level + 1]
            names = [".".join(("inkling", *base, node.module or ""))]
            if not base and not node.module:
                names = [f"inkling.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("inkling.") and n.split(".")[1] in ALLOWED}
    return found


@pytest.mark.parametrize("sub", sorted(ALLOWED))
def test_imports_flow_one_way(sub):
    for path in sorted((PACKAGE / sub).rglob("*.py")):
        wrong = imported_subpackages(path) - ALLOWED[sub] - {sub}
        assert not wrong, f"{path.relative_to(PACKAGE)} imports inkling.{', inkling.'.join(sorted(wrong))}"


def test_every_subpackage_says_what_it_is_for():
    for sub in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / sub / "__init__.py").read_text()))
        assert doc and "import" in doc.lower(), f"inkling/{sub}/__init__.py should say what it holds and may import"


def test_the_checker_sees_a_wrong_import(tmp_path, monkeypatch):
    fake = tmp_path / "inkling"
    (fake / "nn").mkdir(parents=True)
    (fake / "nn" / "bad.py").write_text("from ..reading import number\nimport inkling.worker.app\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert imported_subpackages(fake / "nn" / "bad.py") == {"reading", "worker"}
