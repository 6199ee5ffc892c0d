"""deploy/compact_weights.py: the shipped weights as float16."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from deploy import compact_weights, layout
from inkling.nn import weights

REPO = Path(__file__).resolve().parents[2]


def test_compact_weights_are_float16_checked_and_read_the_same(tmp_path):
    """deploy/compact_weights.py: float16 files, the manifest's dtype and sha256 rewritten; they
    load back as float32 and read as the float32 ones do; a changed byte is still refused."""
    shutil.copytree(REPO / "weights", tmp_path / "w")
    compact_weights.compact(tmp_path / "w", models=["mlp"])
    entry = weights.read_manifest(tmp_path / "w")["models"]["mlp"]["files"]["1.W"]
    assert entry["dtype"] == "float16" and entry["sha256"] == layout.sha256(tmp_path / "w" / entry["path"])
    assert (tmp_path / "w" / entry["path"]).stat().st_size < 0.51 * (REPO / "weights" / entry["path"]).stat().st_size
    images = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    full, half = weights.load(REPO / "weights", "mlp"), weights.load(tmp_path / "w", "mlp")
    assert all(a.dtype == np.float32 for a in half.arrays().values())
    np.testing.assert_allclose(half.predict_proba(images), full.predict_proba(images), atol=2e-3)
    assert (half.predict_proba(images).argmax(1) == full.predict_proba(images).argmax(1)).all()
    data = bytearray((tmp_path / "w" / entry["path"]).read_bytes())
    data[-1] ^= 1
    (tmp_path / "w" / entry["path"]).write_bytes(bytes(data))
    with pytest.raises(weights.WeightsError, match="sha256"):
        weights.load(tmp_path / "w", "mlp")
