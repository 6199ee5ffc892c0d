"""What people write on the pad, as pen strokes: single digits at any size, and numbers.

Shared by the browser tests (test_small_digits.py, test_written_numbers.py) and
bench/read_strokes.py; pen.py draws the strokes with the mouse.

- `mnist_strokes(image)`: a real MNIST test digit traced into strokes (strokes.trace_strokes).
- `font_strokes(rng, digit)`: a digit of a Hershey vector font (futural: sans, scripts: italic
  script, timesr: roman; from the hershey-fonts package), slanted, stretched, turned and wobbled
  at random, so no two are alike.
- `number_strokes(rng, digit_strokes, box, ...)`: several digits written across the pad, each a
  given share of its width, with random gaps and baselines, in page pixels; `touching_strokes`
  the same, written so close that their strokes often touch.

Every stroke set is a list of float [k, 2] arrays of (x, y), in [0, 1] until placed on the pad.
"""

from __future__ import annotations

import numpy as np
from pen import Box, fit_strokes
from strokes import trace_strokes

FONTS = ("futural", "scripts", "timesr")  # the three digit designs the Hershey fonts hold
_glyphs: dict = {}


def mnist_strokes(image: np.ndarray) -> list[np.ndarray]:
    return trace_strokes(image)


def _glyph(font: str, digit: int) -> list[np.ndarray]:
    """A Hershey font's strokes for `digit`, in font units (y down)."""
    if (font, digit) not in _glyphs:
        from HersheyFonts import HersheyFonts

        f = HersheyFonts()
        f.load_default_font(font)
        _glyphs[font, digit] = [np.array(s, np.float64) for s in f.strokes_for_text(str(digit)) if len(s) >= 1]
    return _glyphs[font, digit]


def _normalise(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Strokes scaled (aspect kept) into [0, 1], each with at least two points."""
    allp = np.concatenate(strokes)
    lo, side = allp.min(axis=0), max(np.ptp(allp, axis=0).max(), 1e-9)
    return [np.repeat((s - lo) / side, 2, axis=0) if len(s) == 1 else (s - lo) / side for s in strokes]


def font_strokes(rng: np.random.Generator, digit: int, font: str | None = None) -> list[np.ndarray]:
    """`digit` in a random (or the given) font of FONTS, written as a hand might: slanted by up to
    +-15 degrees, turned by up to +-6, 0.8..1.2 as wide, its points moved by up to 2 % of its size."""
    font = font or FONTS[int(rng.integers(len(FONTS)))]
    shear, turn = np.tan(np.radians(rng.uniform(-15, 15))), np.radians(rng.uniform(-6, 6))
    stretch = rng.uniform(0.8, 1.2)
    c, s = np.cos(turn), np.sin(turn)
    m = np.array([[c, -s], [s, c]]) @ np.array([[stretch, -shear], [0.0, 1.0]])
    out = []
    for stroke in _normalise(_glyph(font, digit)):
        # a smooth wobble: a random offset at each end, interpolated along the stroke
        t = np.linspace(0, 1, len(stroke))[:, None]
        wobble = (1 - t) * rng.uniform(-0.02, 0.02, 2) + t * rng.uniform(-0.02, 0.02, 2)
        out.append((stroke + wobble) @ m.T)
    return _normalise(out)


def number_strokes(
    rng: np.random.Generator,
    digits: list[list[np.ndarray]],
    box,
    size=(0.18, 0.25),
    gap=(0.05, 0.4),
    baseline=0.1,
) -> list[np.ndarray]:
    """Digits (each a stroke set in [0, 1]) written left to right across the pad `box` (page
    pixels): each digit's longer side a random share `size` of the pad's width, the gaps a random
    share `gap` of the digits' mean height, each raised or lowered by up to `baseline` of it;
    the whole number centred, shrunk if it would not fit. Returns the strokes in page pixels."""
    box = Box.of(box) if isinstance(box, dict) else box
    placed, x = [], 0.0
    heights = []
    for strokes in digits:
        allp = np.concatenate(strokes)
        ext = np.ptp(allp, axis=0)
        scale = rng.uniform(*size) * box.width / max(ext.max(), 1e-9)
        heights.append(ext[1] * scale)
        placed.append([(s - allp.min(axis=0)) * scale for s in strokes])
    mean_h = float(np.mean(heights))
    out = []
    for k, strokes in enumerate(placed):
        shift = np.array([x, (mean_h - heights[k]) + rng.uniform(-baseline, baseline) * mean_h])
        out.append([s + shift for s in strokes])
        x += np.concatenate(strokes)[:, 0].max() + rng.uniform(*gap) * mean_h
    allp = np.concatenate([s for d in out for s in d])
    lo, ext = allp.min(axis=0), np.ptp(allp, axis=0)
    fit = min(1.0, 0.94 * box.width / ext[0], 0.9 * box.height / ext[1])
    origin = np.array([box.x + (box.width - fit * ext[0]) / 2, box.y + (box.height - fit * ext[1]) / 2])
    return [(s - lo) * fit + origin for d in out for s in d]


def touching_strokes(rng: np.random.Generator, digits: list[list[np.ndarray]], box) -> list[np.ndarray]:
    """Digits written so close that their strokes often touch: number_strokes with each digit
    30-40 % of the pad's width, gaps -0.15..0.02 of their height, baselines within 0.05."""
    return number_strokes(rng, digits, box, size=(0.3, 0.4), gap=(-0.15, 0.02), baseline=0.05)


def digit_on_pad(strokes: list[np.ndarray], box, size: float, pos) -> list[np.ndarray]:
    """One digit's strokes at `size` (share of the pad's shorter side) and `pos` (pen.fit_strokes)."""
    return fit_strokes(strokes, box, size, pos)
