"""The Lab's Python side: what a script in the page's Lab (or a notebook) calls.

`load_mnist()` gives MNIST as arrays, `chart(name, x, y)` adds a point to a live chart,
`code_view` reads the installed layers' sources with `inspect`, `exercises` checks gradients by
finite differences. The starter script the Lab opens on is `starter.py` in this folder.
May import: inkling.nn and inkling.data (nothing from reading, training or worker).
"""

from __future__ import annotations

import numpy as np

from inkling.data import mnist

CHARTS: dict[str, list[tuple[float, float]]] = {}  # every point chart() was given, by chart name
_sink = None  # the page's Lab worker: called with each point
_cache: tuple | None = None


def load_mnist():
    """(x_train, y_train, x_test, y_test): images float32 [N, 28, 28] in [0, 1] (ink = 1), labels
    int64 [N]. The IDX files are sha256-checked (inkling.data.mnist); in the page the Lab worker
    has put the site's own hash-checked copies where INKLING_MNIST_DIR points. Loaded once."""
    global _cache
    if _cache is None:
        parts = []
        for split in mnist.SPLITS:
            images, labels = mnist.load_raw(split)
            parts += [images.astype(np.float32) / np.float32(255), labels.astype(np.int64)]
        _cache = tuple(parts)
    return tuple(a.copy() for a in _cache)  # a script may scale its arrays in place


def chart(name: str, x, y) -> None:
    """Adds the point (x, y) to the chart called `name` (the page draws it as it comes)."""
    point = (float(x), float(y))
    CHARTS.setdefault(str(name), []).append(point)
    if _sink is not None:
        _sink(str(name), *point)


def set_sink(callback) -> None:
    """The page's Lab worker: `callback(name, x, y)` for every chart point from now on."""
    global _sink
    _sink = callback


def reset_charts() -> None:
    """Forget every chart (a new run starts with none)."""
    CHARTS.clear()
