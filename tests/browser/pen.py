"""Put strokes on the pad: fit them to a size and place in page pixels, then draw them with
Playwright's mouse (down, small moves, up). Strokes come from strokes.trace_strokes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @classmethod
    def of(cls, bb: dict) -> Box:
        return cls(bb["x"], bb["y"], bb["width"], bb["height"])


def fit_strokes(strokes, box, size: float, pos=(0.5, 0.5), margin: float = 6.0) -> list[np.ndarray]:
    """Map [0, 1] strokes onto `box` (page pixels: a Box or Playwright bounding_box dict).

    The strokes' bounding box is scaled so its longer side is `size` (a fraction) of the
    pad's shorter side, keeping the aspect ratio, and placed at `pos`: (0, 0) puts it in the
    pad's top-left corner (less `margin`), (1, 1) bottom-right, (0.5, 0.5) centred.
    """
    if isinstance(box, dict):
        box = Box.of(box)
    allp = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    ext = np.maximum(hi - lo, 1e-6)
    side = min(box.width, box.height)
    scale = size * side / ext.max()
    scale = min(scale, (box.width - 2 * margin) / ext[0], (box.height - 2 * margin) / ext[1])
    dw, dh = ext * scale
    left = box.x + margin + pos[0] * max(0.0, box.width - 2 * margin - dw)
    top = box.y + margin + pos[1] * max(0.0, box.height - 2 * margin - dh)
    return [(np.asarray(s, dtype=np.float64) - lo) * scale + [left, top] for s in strokes]


def stepped(strokes_px, step_px: float = 12.0) -> list[np.ndarray]:
    """The points the mouse passes through when draw_strokes draws `strokes_px`: each segment in
    steps of at most `step_px` (as Playwright's mouse.move(..., steps) would take them). Also for
    the Firefox and WebKit drivers (engines.py) and bench/tune_strokes.py's replay."""
    out = []
    for s in strokes_px:
        s = np.asarray(s, dtype=np.float64)
        pts = [s[0]]
        for a, b in zip(s[:-1], s[1:]):
            steps = max(1, math.ceil(math.hypot(*(b - a)) / step_px))
            pts += [a + (b - a) * k / steps for k in range(1, steps + 1)]
        out.append(np.array(pts))
    return out


def draw_strokes(page, strokes_px, step_px: float = 12.0, on_stroke=None) -> None:
    """Draw page-pixel strokes with the mouse: per stroke, down, move in small steps, up.

    Chromium takes each mouse event in its own frame (~17 ms), so steps of ~12 px keep a
    digit to about a hundred events; the pad smooths between the points it gets.

    on_stroke(i) is called after the i-th stroke's mouse-up (1-based), e.g. to wait for the
    prediction of that stroke.
    """
    mouse = page.mouse
    for i, s in enumerate(stepped(strokes_px, step_px), start=1):
        mouse.move(float(s[0][0]), float(s[0][1]))
        mouse.down()
        for x, y in s[1:]:
            mouse.move(float(x), float(y))
        mouse.up()
        if on_stroke is not None:
            on_stroke(i)
