"""training/pen_twins.py: MNIST digits redrawn as the pad draws strokes, and their cache."""

import numpy as np
import pytest

pytest.importorskip("skimage", reason="the tracer needs scikit-image")
from scipy.ndimage import binary_dilation  # noqa: E402

from inkling.data.preprocess import normalize_digit  # noqa: E402
from inkling.training import pen_twins  # noqa: E402


def ring(size=28, radius=8.0, width=2.5) -> np.ndarray:
    """uint8 [28, 28]: a 0 as a scanner would see it, a ring of ink around an empty middle."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    d = np.hypot(yy - size / 2, xx - size / 2)
    return (np.clip(width / 2 + 0.5 - np.abs(d - radius), 0, 1) * 255).astype(np.uint8)


def near(a: np.ndarray, b: np.ndarray) -> float:
    """The share of a's ink within 1 px of b's."""
    return float((a & binary_dilation(b)).sum() / a.sum())


def test_a_ring_is_redrawn_as_a_ring_framed_like_mnist():
    twin = pen_twins.redraw_digit(ring())
    assert twin.shape == (28, 28) and twin.dtype == np.float32 and twin.min() >= 0 and twin.max() <= 1
    assert twin[14, 14] == 0, "the middle of the 0 stays empty: the loop was drawn, not filled"
    ink, twin_ink = normalize_digit(ring() / 255.0) > 0.5, twin > 0.5
    assert near(twin_ink, ink) > 0.9 and near(ink, twin_ink) > 0.9  # the same 0, in the same place


def test_the_pen_is_the_pads_whatever_the_scans_width():
    thin, thick = (float(pen_twins.redraw_digit(ring(width=w)).sum()) for w in (1.5, 4.0))
    assert abs(thin - thick) < 0.05 * thick  # the pad's pen, whatever the scan's
    thin, thick = (float(normalize_digit(ring(width=w) / 255.0).sum()) for w in (1.5, 4.0))
    assert thick > 1.5 * thin  # where normalize_digit alone keeps the scan's thickness


def test_a_blank_image_gives_a_blank_twin():
    assert not pen_twins.redraw_digit(np.zeros((28, 28), np.uint8)).any()


def stem() -> np.ndarray:
    """uint8 [28, 28]: an upright 1, a plain vertical bar."""
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 13:15] = 255
    return image


def test_a_flagged_one_gets_a_flag_down_to_the_left_of_its_top():
    """with_flag draws what a continental 1 adds: ink left of the stem near the top (and at most
    a foot at the bottom), never to the right of the top nor across the middle."""
    plain, flagged = pen_twins.redraw_digit(stem()) > 0.5, pen_twins.redraw_digit(stem(), flag=True) > 0.5
    cols = np.flatnonzero(plain.any(0))
    left, rows = flagged[:, : cols[0]], np.flatnonzero(flagged.any(1))
    assert not plain[:, : cols[0]].any() and left.any()
    flag_rows = np.flatnonzero(left.any(1))
    assert flag_rows.min() < rows.min() + 0.35 * (rows.max() - rows.min()) or flag_rows.min() > rows.max() - 3
    assert not left[rows.min() + 10 : rows.max() - 3].any()  # nothing across the middle of the stem
    again = pen_twins.redraw_digit(stem(), flag=True)
    np.testing.assert_array_equal(again > 0.5, flagged)  # shaped by the image alone: the cache holds


def test_every_other_one_is_flagged():
    labels = np.array([1, 7, 1, 1, 0, 1, 1])
    assert pen_twins.flagged_ones(labels).tolist() == [False, False, True, False, False, True, False]


def test_processes_do_not_change_the_twins(mnist_test_raw):
    images, labels = mnist_test_raw[0][:70], mnist_test_raw[1][:70]  # at least 64: the pool is used
    flags = pen_twins.flagged_ones(labels)
    alone = pen_twins.redraw_all(images, flags, processes=1)
    assert alone.dtype == np.uint8 and alone.shape == (70, 28, 28) and flags.any()
    np.testing.assert_array_equal(pen_twins.redraw_all(images, flags, processes=2), alone)
    plain = pen_twins.redraw_all(images, processes=1)
    assert (alone != plain).any(axis=(1, 2)).tolist() == flags.tolist()  # the flagged 1s alone differ


def test_twins_are_cached_by_data_and_sources(tmp_path, monkeypatch, mnist_test_raw):
    monkeypatch.setenv("INKLING_CACHE_DIR", str(tmp_path))
    images, labels = mnist_test_raw[0][:8], mnist_test_raw[1][:8]
    first = pen_twins.twins_cached(images, "ab" * 32, labels)
    (cached,) = tmp_path.glob("pen-twins-abababababababab-*.npy")
    monkeypatch.setattr(pen_twins, "redraw_all", lambda *_: pytest.fail("the cache was not used"))
    np.testing.assert_array_equal(pen_twins.twins_cached(images, "ab" * 32, labels), first)
    assert cached.is_file()
