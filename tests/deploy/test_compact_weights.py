"""deploy/compact_weights.py: the shipped weights as int8 (weights, kernels) and float16 (the rest)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from deploy import compact_weights, layout
from inkling.nn import weights

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("model, matrix, vector", [("mlp", "1.W", "1.b"), ("cnn", "5.W", "6.gamma")])
def test_compact_weights_are_checked_and_read_the_same(tmp_path, model, matrix, vector):
    """A weight matrix or kernel as int8 with its scales in the manifest (a quarter of the bytes),
    a vector as float16; sha256 and dtype rewritten; they load back as float32 within half a
    quantization step and read as the float32 ones do; a changed byte is still refused."""
    shutil.copytree(REPO / "weights", tmp_path / "w")
    compact_weights.compact(tmp_path / "w", models=[model])
    files = weights.read_manifest(tmp_path / "w")["models"][model]["files"]
    for key, dtype, share in ((matrix, "int8", 0.26), (vector, "float16", 0.8)):
        entry = files[key]
        assert entry["dtype"] == dtype and entry["sha256"] == layout.sha256(tmp_path / "w" / entry["path"])
        size = (tmp_path / "w" / entry["path"]).stat().st_size
        assert size < share * (REPO / "weights" / entry["path"]).stat().st_size
    images = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    full, small = weights.load(REPO / "weights", model), weights.load(tmp_path / "w", model)
    assert all(a.dtype == np.float32 for a in small.arrays().values())
    w, w8 = full.arrays()[matrix], small.arrays()[matrix]
    step = np.asarray(files[matrix]["scale"], dtype=np.float32)
    assert (np.abs(w8 - w) <= 0.5 * step + 1e-7).all()
    np.testing.assert_allclose(small.predict_proba(images), full.predict_proba(images), atol=2e-2)
    assert (small.predict_proba(images).argmax(1) == full.predict_proba(images).argmax(1)).mean() >= 0.95
    data = bytearray((tmp_path / "w" / files[matrix]["path"]).read_bytes())
    data[-1] ^= 1
    (tmp_path / "w" / files[matrix]["path"]).write_bytes(bytes(data))
    with pytest.raises(weights.WeightsError, match="sha256"):
        weights.load(tmp_path / "w", model)


def test_quantize_keeps_each_channel_within_half_a_step():
    """One scale per output channel: a channel of small weights keeps its precision beside a large one."""
    w = np.array([[0.001, 100.0], [-0.002, -50.0], [0.0005, 25.0]], np.float32)  # Dense: (in 3, out 2)
    q, scale = compact_weights.quantize(w)
    assert q.dtype == np.int8 and scale.shape == (1, 2) and np.abs(q).max() >= 126
    assert (np.abs(q * scale.astype(np.float32) - w) <= 0.5 * scale).all()
    assert json.dumps(scale.tolist()) == "[[1.575e-05, 0.7875]]"  # rounded up to four digits
    kernel = np.zeros((4, 2, 3, 3), np.float32)  # Conv2D (out, in, kh, kw); an all-zero channel too
    kernel[1] = 1.0
    q, scale = compact_weights.quantize(kernel)
    assert scale.shape == (4, 1, 1, 1) and (scale > 0).all()
    assert (np.abs(q * scale.astype(np.float32) - kernel) <= 0.5 * scale).all()
