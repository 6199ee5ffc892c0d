"""MNIST redrawn with the pad's pen, for training: "pen twins" of the scanned digits.

The page reads a digit from its strokes, drawn again at a pen width that fits the digit's size
(inkling.reading.strokes.render_group): uniform, round-capped lines, unlike MNIST's scanned ink,
whose strokes swell, thin out and fill small loops. A model trained on scans alone reads those
redrawn digits less surely, so training mixes in each digit traced into strokes (data/tracer.py)
and redrawn exactly as the pad's strokes are:

    image uint8 [28, 28] --trace_strokes--> strokes in [0, 1]
          --scaled to a digit PAD_SIDE px tall, render_group--> ink --normalize_digit--> [28, 28]

CPython only (the tracer needs scikit-image); the wheel the page loads leaves this file out.
A digit takes a few milliseconds, so a whole split is redrawn once, over all CPU cores, and
cached in .cache/ keyed by the data and the sources that shape the result.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from inkling.data.preprocess import SIZE, cache_dir, cached_array, normalize_digit

PAD_SIDE = 280.0  # a digit drawn this many pad pixels tall: render_group resamples every stroke
# Every source whose change changes a twin: editing one can never reuse a stale cache.
SOURCES = ("training/pen_twins.py", "data/tracer.py", "data/preprocess.py", "reading/strokes.py")


def redraw_digit(image: np.ndarray) -> np.ndarray:
    """One MNIST image (uint8 [28, 28], ink = 255) -> float32 [28, 28]: its pen twin, or zeros
    when nothing can be traced (a blank image)."""
    from inkling.data.tracer import trace_strokes
    from inkling.reading.strokes import render_group

    try:
        strokes = trace_strokes(image)
    except ValueError:
        return np.zeros((SIZE, SIZE), np.float32)
    ink, _ = render_group([np.asarray(s, np.float64) * PAD_SIDE for s in strokes])
    digit = normalize_digit(ink)
    return np.zeros((SIZE, SIZE), np.float32) if digit is None else digit


def _redraw_many(images: np.ndarray) -> np.ndarray:
    """uint8 [N, 28, 28] -> uint8 [N, 28, 28]: the twins, stored as MNIST stores its images."""
    return np.stack([np.rint(redraw_digit(im) * 255) for im in images]).astype(np.uint8)


def redraw_all(images: np.ndarray, processes: int | None = None) -> np.ndarray:
    """Every image's pen twin, uint8 [N, 28, 28], computed in `processes` worker processes (default:
    every core). Each twin depends on its image alone, so the result is the same however split."""
    images = np.asarray(images, np.uint8)
    processes = processes or os.cpu_count() or 1
    if processes == 1 or len(images) < 64:
        return _redraw_many(images)
    from concurrent.futures import ProcessPoolExecutor

    chunks = np.array_split(images, processes * 8)  # small chunks keep every process busy to the end
    with ProcessPoolExecutor(processes) as pool:
        return np.concatenate(list(pool.map(_redraw_many, chunks)))


def twins_cached(images: np.ndarray, data_sha256: str) -> np.ndarray:
    """redraw_all(images), cached as .cache/pen-twins-<data>-<sources>.npy (uint8 [N, 28, 28])."""
    package = Path(__file__).resolve().parents[1]
    sources = hashlib.sha256(b"".join((package / s).read_bytes() for s in SOURCES)).hexdigest()[:12]
    path = cache_dir() / f"pen-twins-{data_sha256[:16]}-{sources}.npy"
    expected = ((len(images), SIZE, SIZE), np.dtype(np.uint8))
    return cached_array(path, f"pen-twins-{data_sha256[:16]}-*.npy", lambda: redraw_all(images), expected)
