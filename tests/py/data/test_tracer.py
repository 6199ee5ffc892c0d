"""inkling.data.tracer: MNIST digits -> pen strokes (replayed by the browser tests, redrawn for training)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

pytest.importorskip("skimage", reason="scikit-image is needed by the stroke tracer")
from browser.pen import Box, fit_strokes  # noqa: E402  (tests/ is on sys.path: pytest.ini pythonpath)
from browser.strokes import sample_per_digit  # noqa: E402

from inkling.data.tracer import trace_strokes  # noqa: E402

N_PER_DIGIT = 20


@pytest.fixture(scope="module")
def traced(mnist_test_raw):
    images, labels = mnist_test_raw
    idx = sample_per_digit(labels, N_PER_DIGIT, seed=7)
    return [(int(i), int(labels[i]), images[i], trace_strokes(images[i])) for i in idx]


def render_strokes(strokes, size: int = 28, width: float = 2.2) -> np.ndarray:
    """Rasterise strokes ([0, 1] coordinates) into a bool [size, size] image, pen `width` px."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    out = np.zeros((size, size), dtype=bool)
    r2 = (width / 2.0) ** 2
    for s in strokes:
        pts = np.asarray(s, dtype=np.float64) * size
        if len(pts) == 1:
            pts = np.concatenate([pts, pts])
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
            dx, dy = x1 - x0, y1 - y0
            L2 = dx * dx + dy * dy
            t = np.zeros_like(xx) if L2 == 0 else np.clip(((xx - x0) * dx + (yy - y0) * dy) / L2, 0, 1)
            d2 = (xx - (x0 + t * dx)) ** 2 + (yy - (y0 + t * dy)) ** 2
            out |= d2 <= r2
    return out


def _length(strokes) -> float:
    return sum(float(np.hypot(*np.diff(np.asarray(s) * 28, axis=0).T).sum()) for s in strokes)


def _iou(image, strokes) -> float:
    ink = image >= 128
    width = float(np.clip(ink.sum() / max(_length(strokes), 1e-6), 1.5, 6.0))  # the digit's own pen
    drawn = render_strokes(strokes, 28, width)
    return (drawn & ink).sum() / (drawn | ink).sum()


def test_every_stroke_is_a_real_line(traced):
    for i, _, _, strokes in traced:
        assert 1 <= len(strokes) <= 6, f"mnist #{i}: {len(strokes)} strokes"
        for s in strokes:
            s = np.asarray(s)
            assert s.ndim == 2 and s.shape[1] == 2 and len(s) >= 2, f"mnist #{i}: stroke {s.shape}"
            assert np.isfinite(s).all() and (s >= 0).all() and (s <= 1).all(), f"mnist #{i}"
            assert _length([s]) > 0.5, f"mnist #{i}: a stroke of length {_length([s]):.2f} px"


def test_redrawn_strokes_cover_the_original_ink(traced):
    ious = np.array([_iou(image, strokes) for _, _, image, strokes in traced])
    worst = sorted(zip(ious, (i for i, *_ in traced)))[:5]
    print(
        f"\nIoU over {len(ious)} digits: mean {ious.mean():.3f}, 5th pct "
        f"{np.percentile(ious, 5):.3f}, worst {[(i, round(v, 3)) for v, i in worst]}"
    )
    assert ious.mean() >= 0.75
    assert np.percentile(ious, 5) >= 0.6
    assert ious.min() >= 0.4


def test_every_digit_class_traces_well(traced):
    labels = np.array([lab for _, lab, _, _ in traced])
    ious = np.array([_iou(image, strokes) for _, _, image, strokes in traced])
    for d in range(10):
        assert ious[labels == d].mean() >= 0.7, f"digit {d}: mean IoU {ious[labels == d].mean():.3f}"


def test_simple_shapes():
    line = np.zeros((28, 28), np.uint8)
    line[4:24, 13:15] = 255
    (s,) = trace_strokes(line)
    xs, ys = np.asarray(s).T
    assert abs(xs.mean() - 14 / 28) < 0.03 and ys.min() < 7 / 28 and ys.max() > 21 / 28

    ring = np.zeros((28, 28), np.uint8)
    yy, xx = np.mgrid[0:28, 0:28]
    r = np.hypot(yy - 13.5, xx - 13.5)
    ring[(r > 6) & (r < 8.5)] = 255
    strokes = trace_strokes(ring)
    assert len(strokes) == 1, "a ring is one closed stroke"
    s = np.asarray(strokes[0])
    assert np.hypot(*(s[0] - s[-1])) < 2 / 28, "the ring's stroke should close"

    with pytest.raises(ValueError):
        trace_strokes(np.zeros((28, 28), np.uint8))


def _holes(strokes) -> int:
    """How many pieces of background the redrawn strokes enclose (the loops a reader sees)."""
    labels, n = ndimage.label(~render_strokes(strokes, 56, 4.4))
    outside = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return len(set(range(1, n + 1)) - set(outside.tolist()))


def test_a_filled_loop_is_traced_round(mnist_test_raw):
    """9s whose heads thick ink filled in (MNIST test #209, #1045, #4662) are drawn with a loop, not
    as a 7 or a 1; a thick bar, or two strokes' crossing, gains no loop a pen never drew."""
    images, labels = mnist_test_raw
    for i in (209, 1045, 4662):
        assert labels[i] == 9 and _holes(trace_strokes(images[i])) == 1, f"mnist #{i}"

    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 12:16] = 255  # a 1 written with a broad pen
    assert _holes(trace_strokes(bar)) == 0

    cross = np.zeros((28, 28), np.uint8)
    cross[4:24, 12:15] = cross[12:15, 4:24] = 255  # two strokes crossing: their crossing is thick
    assert _holes(trace_strokes(cross)) == 0


def test_fit_strokes_places_inside_the_pad():
    strokes = [np.array([[0.3, 0.2], [0.5, 0.8]]), np.array([[0.2, 0.5], [0.6, 0.5]])]
    box = Box(100, 50, 300, 300)
    for size in (0.35, 0.9):
        for pos in ((0, 0), (1, 1), (0.5, 0.5)):
            pts = np.concatenate(fit_strokes(strokes, box, size, pos))
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            assert lo[0] >= 100 and lo[1] >= 50 and hi[0] <= 400 and hi[1] <= 350
            assert abs((hi - lo).max() - size * 300) < 1e-6
    pts = np.concatenate(fit_strokes(strokes, {"x": 0, "y": 0, "width": 200, "height": 200}, 0.5))
    assert np.allclose((pts.min(axis=0) + pts.max(axis=0)) / 2, 100)
