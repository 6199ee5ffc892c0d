"""evaluate: measured test accuracy of each model in a manifest, checked against the manifest."""

import json

import pytest

import inkling
from inkling.data import mnist
from inkling.nn import ops, weights
from inkling.nn.model import Sequential, mlp_config
from inkling.training import evaluate
from inkling.training.trainer import accuracy


@pytest.fixture(autouse=True)
def restore_matmul_backend():
    """The CLIs pin ops' backend to BLAS for the process; put back whatever other tests had."""
    before = ops.backend()
    yield
    ops.set_backend(before)


@pytest.fixture
def folder(tmp_path):
    """A weights folder with one untrained tiny model whose manifest claims its true accuracy."""
    model = Sequential.from_config(mlp_config(hidden=(8,)), seed=0)
    x, y = mnist.load("test")
    weights.save(model, "tiny", tmp_path, {"test_accuracy": accuracy(model, x, y), "parameters": 6370})
    return tmp_path


def test_matching_accuracy_passes(folder, capsys):
    rows = evaluate.evaluate(folder)
    assert len(rows) == 1 and rows[0]["ok"] and rows[0]["name"] == "tiny"
    assert evaluate.main(["--weights", str(folder)]) == 0
    assert "tiny" in capsys.readouterr().out


def test_claimed_accuracy_that_does_not_match_fails(folder, capsys):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["models"]["tiny"]["test_accuracy"] += 0.01
    path.write_text(json.dumps(manifest))
    assert evaluate.main(["--weights", str(folder)]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_a_broken_model_is_reported_not_raised(folder, capsys):
    (folder / "tiny" / "1.W.npy").write_bytes(b"junk")
    rows = evaluate.evaluate(folder)
    assert not rows[0]["ok"] and "1.W.npy" in rows[0]["error"]
    assert evaluate.main(["--weights", str(folder)]) == 1


def test_shipped_mlp_meets_its_target():
    try:
        model = inkling.load("mlp")
    except weights.WeightsError:
        pytest.skip("no shipped MLP weights yet (python -m inkling.training.train --model mlp)")
    x, y = mnist.load("test")
    assert accuracy(model, x, y) >= 0.986
