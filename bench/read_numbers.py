#!/usr/bin/env python
# (Not bench/numbers.py: a file of that name beside a script shadows the standard library's
# `numbers`, which numpy imports, and would break every script in bench/.)
"""Whole 4-digit numbers read right, on numbers built from MNIST test digits.

    python bench/read_numbers.py [--n 1000] [--seed 0] [--weights DIR] [--model cnn] [--photo]

Each number is four random MNIST test digits, each cropped to its ink and scaled to a height of
its own (the number's base height, 36..110 px, times 0.8..1.15), raised or lowered from a common
baseline by up to 15 % of the base height, and placed left to right with a random gap of
2..50 % of the base height; one gap in ten is "touching" instead (-6..0 % : the boxes meet or
overlap, and the strokes often touch). The ink image goes through inkling.reading.number.read_number,
exactly what the page does for a pad. With --photo it is first rendered as a photo (dark ink on
grey paper, a lighting gradient, a soft shadow, noise) and read back through inkling.reading.images.

`number_accuracy(...)` returns the share of numbers whose four digits are all read right, in
order, and nothing else; bench/benchmark.py calls it for its "numbers" section.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "py") not in sys.path:
    sys.path.insert(0, str(REPO / "py"))

from inkling.data.preprocess import box_resample_matrix  # noqa: E402

DIGITS = 4
TOUCHING = 0.1  # share of gaps where neighbours touch or overlap a little


def _crop(image: np.ndarray) -> np.ndarray:
    """uint8 [28, 28] -> float32 ink cropped to its bounding box."""
    ink = image.astype(np.float32) / 255
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.05), np.flatnonzero(ink.max(axis=0) > 0.05)
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _scale(ink: np.ndarray, height: float) -> np.ndarray:
    s = height / ink.shape[0]
    ry = box_resample_matrix(ink.shape[0], s).astype(np.float32)
    rx = box_resample_matrix(ink.shape[1], s).astype(np.float32)
    return np.clip(ry @ ink @ rx.T, 0, 1)


def make_number(rng, images: np.ndarray, labels: np.ndarray, digits: int = DIGITS):
    """(ink float32 [H, W] in [0, 1], the number as text) built as the module docstring says."""
    picks = rng.integers(0, len(images), digits)
    base = rng.uniform(36, 110)
    parts = [_scale(_crop(images[i]), base * rng.uniform(0.8, 1.15)) for i in picks]
    shifts = [rng.uniform(-0.15, 0.15) * base for _ in parts]
    gaps = [
        rng.uniform(-0.06, 0.0) * base if rng.random() < TOUCHING else rng.uniform(0.02, 0.5) * base for _ in parts[1:]
    ]
    margin = int(0.3 * base)
    baseline = margin + int(1.2 * base)
    width = margin * 2 + sum(p.shape[1] for p in parts) + int(sum(gaps)) + 2
    canvas = np.zeros((baseline + int(0.35 * base) + margin, max(width, 8)), np.float32)
    x = float(margin)
    for k, part in enumerate(parts):
        h, w = part.shape
        top = int(round(baseline + shifts[k] - h))
        left = int(round(x))
        np.maximum(canvas[top : top + h, left : left + w], part, out=canvas[top : top + h, left : left + w])
        x += w + (gaps[k] if k < len(gaps) else 0)
    return canvas, "".join(str(int(labels[i])) for i in picks)


def as_photo(rng, ink: np.ndarray) -> np.ndarray:
    """Ink -> RGBA uint8 [H, W, 4] like a phone photo of paper: dark blue-black ink on grey
    paper, a lighting gradient across the page, a soft shadow blob, and sensor noise."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xx / w + np.sin(angle) * yy / h
    paper = rng.uniform(0.6, 0.85) + rng.uniform(0.1, 0.25) * (ramp - ramp.mean())
    cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(0.3, 0.8) * max(h, w)
    paper -= rng.uniform(0.05, 0.2) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    ink_level = rng.uniform(0.05, 0.25)
    grey = paper * (1 - ink) + ink_level * ink + rng.normal(0, 0.02, (h, w))
    rgb = np.clip(np.stack([grey * 0.97, grey, grey * 1.04], axis=-1), 0, 1)
    return np.concatenate([(rgb * 255).round().astype(np.uint8), np.full((h, w, 1), 255, np.uint8)], axis=-1)


def number_accuracy(
    model=None, n: int = 1000, seed: int = 0, photo: bool = False, misreads: list | None = None
) -> float:
    """Share of `n` seeded 4-digit numbers read exactly right (default model: inkling.load("cnn"))."""
    import inkling
    from inkling.data import mnist
    from inkling.reading import images as pictures
    from inkling.reading.number import read_number

    model = inkling.load("cnn") if model is None else model
    test_images, test_labels = mnist.load_raw("test")
    rng = np.random.default_rng(seed)
    right = 0
    for _ in range(n):
        ink, truth = make_number(rng, np.asarray(test_images), np.asarray(test_labels))
        if photo:
            ink, _ = pictures.ink_from_grey(pictures.rgba_to_grey(as_photo(rng, ink)))
        read = read_number(model, ink)["text"]
        right += read == truth
        if read != truth and misreads is not None:
            misreads.append((truth, read))
    return right / n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="numbers to read (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights", type=Path, help="folder with manifest.json (default: shipped)")
    parser.add_argument("--model", default="cnn")
    parser.add_argument("--photo", action="store_true", help="read them as photos of paper")
    args = parser.parse_args(argv)
    import inkling

    model = inkling.load(args.weights or args.model, model=args.model)
    misreads: list = []
    t0 = time.perf_counter()
    acc = number_accuracy(model, args.n, args.seed, args.photo, misreads)
    kind = "photos" if args.photo else "ink"
    print(
        f"4-digit numbers read right ({kind}, {args.model}): {acc:.1%} of {args.n} in {time.perf_counter() - t0:.1f} s"
    )
    for truth, read in misreads[:20]:
        print(f"  {truth} read as {read or '(nothing)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
