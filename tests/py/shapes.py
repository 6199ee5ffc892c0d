"""Synthetic ink for the picture, segmentation and number tests: thick line segments on a canvas,
and a few digits made of them. Coordinates are (x, y) in pixels; ink = 1.0 (float32)."""

from __future__ import annotations

import numpy as np


def line(ink: np.ndarray, p0, p1, width: float, value: float = 1.0) -> np.ndarray:
    """Draw a segment p0-p1 of the given width (round ends) into ink [H, W], in place."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w]
    (x0, y0), (x1, y1) = p0, p1
    d = np.array([x1 - x0, y1 - y0], float)
    t = np.clip(((xx - x0) * d[0] + (yy - y0) * d[1]) / max(d @ d, 1e-9), 0, 1)
    dist = np.hypot(xx - (x0 + t * d[0]), yy - (y0 + t * d[1]))
    ink[dist <= width / 2] = value
    return ink


def polyline(ink, points, width, value=1.0):
    for a, b in zip(points, points[1:]):
        line(ink, a, b, width, value)
    return ink


# Digits as polylines in a unit box (x right, y down), drawn at any place and size.
GLYPHS = {
    "1": [[(0.5, 0.0), (0.5, 1.0)]],
    "7": [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]],
    "4": [[(0.6, 0.0), (0.0, 0.65), (1.0, 0.65)], [(0.75, 0.3), (0.75, 1.0)]],
    "0": [[(0.5, 0.0), (1.0, 0.25), (1.0, 0.75), (0.5, 1.0), (0.0, 0.75), (0.0, 0.25), (0.5, 0.0)]],
    "5": [[(0.95, 0.0), (0.1, 0.0)], [(0.1, 0.0), (0.05, 0.45), (0.6, 0.4), (1.0, 0.7), (0.6, 1.0), (0.0, 0.9)]],
}


def glyph(ink, digit: str, x: float, y: float, width: float, height: float, pen: float):
    """Draw GLYPHS[digit] into the box (x, y, width, height) with a pen `pen` pixels wide."""
    for stroke in GLYPHS[digit]:
        polyline(ink, [(x + u * width, y + v * height) for u, v in stroke], pen)
    return ink
