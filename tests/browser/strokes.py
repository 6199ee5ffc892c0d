"""MNIST test digits as pen strokes, for the browser tests and benchmarks.

`trace_strokes` (inkling.data.tracer) turns a 28x28 MNIST image into strokes: polylines of (x, y)
points in [0, 1] image coordinates; pen.py puts strokes on the pad (fit_strokes, draw_strokes).
"""

from __future__ import annotations

import numpy as np

from inkling.data.tracer import trace_strokes

__all__ = ["load_mnist_test", "sample_per_digit", "trace_strokes"]

# ----------------------------------------------------------------------------- MNIST


def load_mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """The raw MNIST test set, sha256-checked: images uint8 [10000, 28, 28] (ink = 255), labels [10000]."""
    from inkling.data import mnist

    images, labels = mnist.load_raw("test")
    return np.asarray(images), np.asarray(labels).astype(np.int64)


def sample_per_digit(labels: np.ndarray, per_digit: int, seed: int) -> np.ndarray:
    """A fixed seeded sample of indices: `per_digit` of each digit 0-9, interleaved 0,1,..9,0,..."""
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == d), per_digit, replace=False) for d in range(10)]
    return np.stack(picks, axis=1).reshape(-1)
