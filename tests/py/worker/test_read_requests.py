"""inkling.worker.read_requests and the worker's explain/read_image entry points in inkling.worker.app: flat values
for JavaScript, pictures from pixels to a reading, blank pictures, bad sizes."""

import numpy as np
import pytest
from shapes import glyph

from inkling.nn.model import Sequential, cnn_config
from inkling.worker import app, read_requests


@pytest.fixture(scope="module")
def model():
    """A small random CNN: the shapes and the plumbing matter here, not the accuracy."""
    return Sequential.from_config(cnn_config(channels=(2, 3), hidden=8), seed=0)


@pytest.fixture
def loaded(monkeypatch, model):
    monkeypatch.setattr(app, "load_model", lambda name, weights_dir=None: model)
    return model


def _plain(value):
    """Only what the worker's toJs() turns into plain JavaScript: no objects of our own."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str, np.ndarray))


def _photo_rgba(h=180, w=300, digits="71"):
    ink = np.zeros((h, w), np.float32)
    for k, d in enumerate(digits):
        glyph(ink, d, 40 + 120 * k, 30, 60, 110, 10)
    grey = (0.85 - 0.3 * np.linspace(0, 1, w)[None, :]) * (1 - ink) + 0.1 * ink
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = (grey * 255).astype(np.uint8)[..., None]
    rgba[..., 3] = 255
    return rgba


def test_explain_ink_is_flat_and_complete(model):
    ink = glyph(np.zeros((280, 280), np.float32), "7", 60, 40, 150, 200, 18)
    out = read_requests.explain_ink(model, ink)
    assert _plain(out)
    assert out["saliency"].shape == (784,) and out["saliency"].dtype == np.float32
    assert [a["label"] for a in out["activations"]] == ["conv 1", "conv 2", "dense 1", "output"]
    for a in out["activations"]:
        assert a["values"].ndim == 1 and a["values"].size == int(np.prod(a["shape"]))
    assert out["top"].shape == (3,) and out["top_p"].shape == (3,)
    assert len(out["number"]) == 1 and out["number_boxes"].shape == (4,)


def test_explain_of_an_empty_pad_is_empty(model):
    out = read_requests.explain_ink(model, np.zeros((100, 100), np.float32))
    assert out["number"] == "" and out["activations"] == [] and not out["unsure"]


def test_a_picture_is_read_with_its_crop_and_number(model):
    rgba = _photo_rgba()
    out = read_requests.read_picture(model, rgba)
    assert _plain(out)
    assert not out["blank"] and out["dark_ink"] and isinstance(out["digit"], int)
    y0, x0, y1, x1 = out["crop"].tolist()
    assert 0 <= y0 < 30 and 0 <= x0 < 40 and y1 > 140 and x1 > 195  # the 7 and the 1, a margin
    assert out["preview"].dtype == np.uint8
    assert out["preview"].size == out["preview_width"] * out["preview_height"] > 0
    assert max(out["preview_width"], out["preview_height"]) <= read_requests.PREVIEW_SIDE
    assert len(out["number"]) == 2 and out["number_boxes"].shape == (8,)
    assert out["input"].shape == (784,) and out["probabilities"].shape == (10,)


def test_light_on_dark_pictures_read_the_same(model):
    rgba = _photo_rgba()
    inverted = rgba.copy()
    inverted[..., :3] = 255 - rgba[..., :3]
    a, b = read_requests.read_picture(model, rgba), read_requests.read_picture(model, inverted)
    assert not b["dark_ink"] and a["number"] == b["number"]
    np.testing.assert_array_equal(a["crop"], b["crop"])


def test_a_blank_picture_is_unsure_and_reads_nothing(model):
    rgba = np.full((120, 160, 4), 200, np.uint8)
    out = read_requests.read_picture(model, rgba)
    assert out["blank"] and out["digit"] is None and out["number"] == ""
    assert out["unsure"] and "doesn't look like a digit" in out["reason"]


def test_app_entry_points(loaded):
    rgba = _photo_rgba()
    h, w = rgba.shape[:2]
    out = app.read_image(memoryview(rgba.tobytes()), w, h, "cnn")
    assert len(out["number"]) == 2
    alpha = (glyph(np.zeros((200, 200), np.float32), "1", 80, 20, 40, 160, 14) * 255).astype(np.uint8)
    why = app.explain(alpha.tobytes(), 200, 200, "cnn")
    assert why["number"] != "" and why["method"] == "gradient"  # a Lab script's model: occlusion (test_lab_session)


@pytest.mark.parametrize("size, width, height", [(10, 3, 3), (0, 0, 5), (16, 2, 2.5), (4 * 5000 * 2, 5000, 2)])
def test_bad_picture_sizes_are_refused(loaded, size, width, height):
    with pytest.raises(ValueError, match="picture|RGBA"):
        app.read_image(bytes(size), width, height, "cnn")
