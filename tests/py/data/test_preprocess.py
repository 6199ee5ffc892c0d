"""normalize_digit: pad pixels -> MNIST-framed 28x28, independent of where and how big one draws."""

import numpy as np
import pytest

from inkling.data import mnist, preprocess
from inkling.data.preprocess import box_resample_matrix, normalize_digit


@pytest.fixture(scope="module")
def test_digits():
    images, labels = mnist.load_raw("test")
    return images[:300].astype(np.float32) / 255.0, labels[:300]


def draw_on_canvas(digit, height, top, left, canvas=400):
    """The digit's ink, resampled to `height` px tall (non-integer factor), pasted on a blank pad."""
    rows, cols = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = height / crop.shape[0]
    big = box_resample_matrix(crop.shape[0], scale) @ crop @ box_resample_matrix(crop.shape[1], scale).T
    pad = np.zeros((canvas, canvas), np.float32)
    pad[top : top + big.shape[0], left : left + big.shape[1]] = big
    return pad


def centre_of_mass(image):
    total = image.sum()
    return (image.sum(1) @ np.arange(image.shape[0]) / total, image.sum(0) @ np.arange(image.shape[1]) / total)


def test_small_in_corner_and_large_in_middle_give_the_same_input(test_digits):
    images, _ = test_digits
    diffs = []
    for digit in images[:40]:
        small = normalize_digit(draw_on_canvas(digit, 67, top=5, left=8))
        large = normalize_digit(draw_on_canvas(digit, 293, top=50, left=60))
        diffs.append(np.abs(small - large).mean())
        assert np.abs(small - normalize_digit(digit)).mean() < 0.03
    assert np.mean(diffs) < 0.02, np.mean(diffs)


def test_output_is_float32_unit_range_with_centre_of_mass_on_pixel_14(test_digits):
    images, _ = test_digits
    for digit in images[:50]:
        out = normalize_digit(digit)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert out.min() >= 0.0 and out.max() <= 1.0
        cy, cx = centre_of_mass(out)
        assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_longer_side_becomes_20_pixels():
    pad = np.zeros((500, 300), np.float32)
    pad[100:150, 50:250] = 1.0  # a wide bar, 200 x 50
    out = normalize_digit(pad)
    rows, cols = np.flatnonzero(out.any(1)), np.flatnonzero(out.any(0))
    assert cols.size == 20 and rows.size == 5


def test_aspect_ratio_kept_a_tall_one_stays_tall_and_thin():
    pad = np.zeros((400, 400), np.float32)
    pad[60:340, 190:214] = 1.0  # a "1": 280 tall, 24 wide
    out = normalize_digit(pad)
    ink = out > 0.05
    height, width = np.flatnonzero(ink.any(1)).size, np.flatnonzero(ink.any(0)).size
    assert height == 20 and width <= 3
    assert np.isclose(out.sum(), 20 * 24 / 14, rtol=1e-4)  # area averaging keeps the ink: 20 x 1.71


def test_empty_and_faint_input_is_none():
    assert normalize_digit(np.zeros((400, 400))) is None
    assert normalize_digit(np.full((50, 50), preprocess.INK_THRESHOLD)) is None


def test_single_dot_does_not_crash_anywhere():
    for y, x in [(0, 0), (399, 399), (200, 13), (0, 399)]:
        pad = np.zeros((400, 400), np.float32)
        pad[y, x] = 1.0
        out = normalize_digit(pad)
        assert out.shape == (28, 28) and np.isfinite(out).all() and out.max() <= 1.0


def test_out_of_range_values_are_clipped():
    pad = np.zeros((40, 40))
    pad[10:30, 18:22] = 3.0
    pad[0, 0] = -2.0
    out = normalize_digit(pad)
    assert out.max() <= 1.0 and out.min() >= 0.0


def test_mnist_test_images_change_only_slightly(test_digits):
    images, _ = test_digits
    out = preprocess.normalize_batch(images)
    per_image = np.abs(out - images).mean(axis=(1, 2))
    assert per_image.mean() < 0.003, per_image.mean()
    assert (per_image == 0).mean() > 0.8  # most are already exactly MNIST-framed


def test_box_resample_rows_sum_to_one():
    for n_in, n_out in [(560, 20), (7, 20), (20, 20), (33, 7)]:
        r = box_resample_matrix(n_in, n_out / n_in)
        assert r.shape == (n_out, n_in) and np.allclose(r.sum(1), 1.0)
    assert np.allclose(box_resample_matrix(20, 1.0), np.eye(20))
    partial = box_resample_matrix(24, 20 / 280)  # 1.71 px: one full column, one 0.71 column
    assert partial.shape == (2, 24) and np.allclose(partial.sum(1), [1.0, 20 * 24 / 280 - 1])


def test_batch_accepts_uint8_and_cache_round_trips(tmp_path, monkeypatch, test_digits):
    monkeypatch.setenv("INKLING_CACHE_DIR", str(tmp_path))
    raw = (test_digits[0][:20] * 255).round().astype(np.uint8)
    raw[3] = 0  # an empty image becomes zeros, not an error
    stale = tmp_path / "mnist-abababababababab-v0-000000000000.npy"  # an older preprocessing
    stale.write_bytes(b"old")
    first = preprocess.normalize_mnist_cached(raw, "ab" * 32)
    assert not stale.exists()
    assert first.shape == (20, 28, 28) and not first[3].any()
    assert len(list(tmp_path.glob("mnist-abababab*.npy"))) == 1
    assert np.array_equal(preprocess.normalize_mnist_cached(raw, "ab" * 32), first)
