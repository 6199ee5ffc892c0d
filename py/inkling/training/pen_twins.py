"""MNIST redrawn with the pad's pen, for training: "pen twins" of the scanned digits.

The page reads a digit from its strokes, drawn again at a pen width that fits the digit's size
(inkling.reading.strokes.render_group): uniform, round-capped lines, unlike MNIST's scanned ink,
whose strokes swell, thin out and fill small loops. A model trained on scans alone reads those
redrawn digits less surely, so training mixes in each digit traced into strokes (data/tracer.py)
and redrawn exactly as the pad's strokes are:

    image uint8 [28, 28] --trace_strokes--> strokes in [0, 1]
          --scaled to a digit PAD_SIDE px tall, render_group--> ink --normalize_digit--> [28, 28]

Half the 1s are drawn as many people write them outside North America, with a flag at the top
(and sometimes a foot): MNIST's 1s are plain strokes, and a model that never saw a flagged 1
reads one as a 7.

CPython only (the tracer needs scikit-image); the wheel the page loads leaves this file out.
A digit takes a few milliseconds, so a whole split is redrawn once, over all CPU cores, and
cached in .cache/ keyed by the data and the sources that shape the result.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from inkling.data.preprocess import SIZE, cache_dir, cached_array, normalize_digit

PAD_SIDE = 280.0  # a digit drawn this many pad pixels tall: render_group resamples every stroke
# Every source whose change changes a twin: editing one can never reuse a stale cache.
SOURCES = ("training/pen_twins.py", "data/tracer.py", "data/ink_mask.py", "data/preprocess.py", "reading/strokes.py")


def with_flag(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """A 1's strokes (x right, y down) with a flag: a straight stroke from the top point, down to
    the left, 0.22-0.4 of the digit's height long, turned 35-55 degrees from the stem (35-55 below
    the horizontal on an upright 1, as handwriting fonts draw it); a third of them also get a foot,
    a short bar under the stem."""
    points = np.concatenate(strokes)
    top, bottom = points[points[:, 1].argmin()], points[points[:, 1].argmax()]
    height = bottom[1] - top[1]
    stem = (bottom - top) / max(np.hypot(*(bottom - top)), 1e-9)
    length, turn = rng.uniform(0.22, 0.4) * height, np.radians(rng.uniform(35, 55))
    direction = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]]) @ stem
    out = [*strokes, np.array([top + length * direction, top])]
    if rng.random() < 1 / 3:
        half = rng.uniform(0.15, 0.22) * height
        out.append(np.array([bottom - [half, 0], bottom + [half, 0]]))
    return out


def redraw_digit(image: np.ndarray, flag: bool = False) -> np.ndarray:
    """One MNIST image (uint8 [28, 28], ink = 255) -> float32 [28, 28]: its pen twin (with_flag
    when `flag`, shaped by a generator seeded from the image), or zeros when nothing can be traced
    (a blank image)."""
    from inkling.data.tracer import trace_strokes
    from inkling.reading.strokes import render_group

    try:
        strokes = trace_strokes(image)
    except ValueError:
        return np.zeros((SIZE, SIZE), np.float32)
    if flag:
        strokes = with_flag(strokes, np.random.default_rng(zlib.crc32(np.ascontiguousarray(image).tobytes())))
    ink, _ = render_group([np.asarray(s, np.float64) * PAD_SIDE for s in strokes])
    digit = normalize_digit(ink)
    return np.zeros((SIZE, SIZE), np.float32) if digit is None else digit


def flagged_ones(labels: np.ndarray) -> np.ndarray:
    """bool [N]: every other 1 in the order of `labels` (which twins redraw_all flags)."""
    ones = np.asarray(labels) == 1
    return ones & (np.cumsum(ones) % 2 == 0)


def _redraw_many(images_and_flags: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(uint8 [N, 28, 28], bool [N]) -> uint8 [N, 28, 28]: the twins, stored as MNIST stores its images."""
    images, flags = images_and_flags
    return np.stack([np.rint(redraw_digit(im, f) * 255) for im, f in zip(images, flags)]).astype(np.uint8)


def redraw_all(images: np.ndarray, flags: np.ndarray | None = None, processes: int | None = None) -> np.ndarray:
    """Every image's pen twin, uint8 [N, 28, 28] (those where `flags` holds with_flag), computed in
    `processes` worker processes (default: every core). Each twin depends on its image and flag
    alone, so the result is the same however split."""
    images = np.asarray(images, np.uint8)
    flags = np.zeros(len(images), bool) if flags is None else np.asarray(flags, bool)
    processes = processes or os.cpu_count() or 1
    if processes == 1 or len(images) < 64:
        return _redraw_many((images, flags))
    from concurrent.futures import ProcessPoolExecutor

    parts = processes * 8  # small chunks keep every process busy to the end
    chunks = zip(np.array_split(images, parts), np.array_split(flags, parts))
    with ProcessPoolExecutor(processes) as pool:
        return np.concatenate(list(pool.map(_redraw_many, chunks)))


def twins_cached(images: np.ndarray, data_sha256: str, labels: np.ndarray) -> np.ndarray:
    """redraw_all(images, flagged_ones(labels)), cached as .cache/pen-twins-<data>-<sources>.npy
    (uint8 [N, 28, 28]); `data_sha256` names the images and their labels."""
    package = Path(__file__).resolve().parents[1]
    sources = hashlib.sha256(b"".join((package / s).read_bytes() for s in SOURCES)).hexdigest()[:12]
    path = cache_dir() / f"pen-twins-{data_sha256[:16]}-{sources}.npy"
    expected = ((len(images), SIZE, SIZE), np.dtype(np.uint8))
    make = lambda: redraw_all(images, flagged_ones(labels))  # noqa: E731
    return cached_array(path, f"pen-twins-{data_sha256[:16]}-*.npy", make, expected)
