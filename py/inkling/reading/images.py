"""Pictures (uploads, pastes, camera frames) -> ink, the format the pad gives and segment.py reads.

    rgba [H, W, 4] uint8 --rgba_to_grey--> grey float32 [H, W] in [0, 1] (1 = white)
        --local_response--> how much darker (or lighter) each pixel is than its neighbourhood
        --ink_from_grey--> ink float32 [H, W] in {0, 1}, ink = 1

Photos of paper are lit unevenly: a fixed grey threshold keeps shadows and loses faint strokes.
So every pixel is compared with the mean of a window around it (a box filter computed from an
integral image, O(1) a pixel whatever the window), and it is ink when it differs from that local
mean by more than an offset that scales with the picture's own contrast. Which way ink differs
(dark on light paper, or chalk-light on a dark board) is decided by dark_ink_likely: the
background is the majority of pixels, and ink the side with the strong, rare extremes.
"""

from __future__ import annotations

import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601, as in JPEG
WINDOW_FRACTION = 1 / 8  # box-filter radius as a fraction of the picture's longer side...
MIN_RADIUS = 8  # ...but at least this (in pixels): a window must span several strokes
MIN_CONTRAST = 0.10  # strongest response below this (of full scale): no ink, e.g. blank paper
OFFSET_FRACTION = 0.35  # a pixel is ink when its response exceeds this share of the strongest
MIN_OFFSET = 0.05  # ...and never less than this: paper grain and JPEG noise stay background
EXTREME_PERCENTILE = 99.8  # "the strongest response": robust to a few hot pixels
MAJORITY_MARGIN = 0.15  # see dark_ink_likely


def rgba_to_grey(rgba: np.ndarray) -> np.ndarray:
    """rgba uint8 [H, W, 4] (unpremultiplied, as canvas getImageData gives) -> grey float32 [H, W].

    Transparent pixels are composited over a background that contrasts with the opaque ones, so a
    black digit on a transparent PNG reads like ink on white paper, and a white one like chalk.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"expected RGBA pixels [H, W, 4], got shape {rgba.shape}")
    grey = (rgba[..., :3].astype(np.float32) @ LUMA) * np.float32(1 / 255)
    alpha = rgba[..., 3].astype(np.float32) * np.float32(1 / 255)
    if alpha.min() >= 0.99:
        return grey
    opaque = alpha > 0.5
    background = 1.0 if not opaque.any() or grey[opaque].mean() < 0.5 else 0.0
    return (grey * alpha + np.float32(background) * (1 - alpha)).astype(np.float32)


def box_mean(image: np.ndarray, radius: int) -> np.ndarray:
    """Mean of image [H, W] over the (2r+1)^2 window around each pixel (clipped at the borders).

    From an integral image (float64: a 560x560 sum of ones must stay exact), four look-ups a
    pixel, so its cost does not depend on the radius.
    """
    h, w = image.shape
    integral = np.zeros((h + 1, w + 1), dtype=np.float64)
    integral[1:, 1:] = np.cumsum(np.cumsum(image, axis=0, dtype=np.float64), axis=1)
    y0, y1 = np.clip(np.arange(h) - radius, 0, h), np.clip(np.arange(h) + radius + 1, 0, h)
    x0, x1 = np.clip(np.arange(w) - radius, 0, w), np.clip(np.arange(w) + radius + 1, 0, w)
    total = integral[np.ix_(y1, x1)] - integral[np.ix_(y0, x1)] - integral[np.ix_(y1, x0)] + integral[np.ix_(y0, x0)]
    area = (y1 - y0)[:, None] * (x1 - x0)[None, :]
    return (total / area).astype(np.float32)


def window_radius(shape) -> int:
    """The box filter's radius for a picture of this shape (see WINDOW_FRACTION, MIN_RADIUS)."""
    return max(MIN_RADIUS, int(round(max(shape) * WINDOW_FRACTION)))


def dark_ink_likely(grey: np.ndarray, below: np.ndarray) -> bool:
    """Is the ink darker than the background? grey [H, W]; below = local mean - grey.

    The background is most of a picture, so the median pixel is background: when it sits clearly
    toward one end of the range (beyond MAJORITY_MARGIN of it from the middle), the ink is at the
    other end. Otherwise (ink covering nearly half the picture, a tight crop of a bold digit)
    the local responses decide: around a dark stroke on light paper, stroke pixels lie far below
    the local mean while the paper beside them lies only a little above it (the stroke drags the
    mean down by the share of the window it covers), so ink is the side with stronger extremes.
    """
    lo, median, hi = np.percentile(grey, [1, 50, 99])
    if hi - lo > 1e-6:
        lean = (median - (lo + hi) / 2) / (hi - lo)  # +0.5: background at the light end
        if abs(lean) > MAJORITY_MARGIN:
            return bool(lean > 0)
    return bool(np.percentile(below, EXTREME_PERCENTILE) >= np.percentile(-below, EXTREME_PERCENTILE))


def local_response(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """(response float32 [H, W], dark_ink): how far each pixel is from its local mean, toward ink."""
    below = box_mean(grey, window_radius(grey.shape)) - grey  # > 0: darker than around it
    dark_ink = dark_ink_likely(grey, below)
    return (below if dark_ink else -below), dark_ink


def ink_from_grey(grey: np.ndarray) -> tuple[np.ndarray, dict]:
    """grey float [H, W] in [0, 1] -> (ink float32 [H, W] in {0, 1}, info).

    info: {"dark_ink": bool, "contrast": float (the strongest response), "blank": bool (no ink
    found: the picture is flat, e.g. a photo of blank paper)}.
    """
    grey = np.asarray(grey, dtype=np.float32)
    if grey.ndim != 2 or grey.size == 0:
        raise ValueError(f"expected a non-empty grey image [H, W], got shape {grey.shape}")
    response, dark_ink = local_response(grey)
    contrast = float(np.percentile(response, EXTREME_PERCENTILE))
    info = {"dark_ink": dark_ink, "contrast": contrast, "blank": contrast < MIN_CONTRAST}
    if info["blank"]:
        return np.zeros_like(grey), info
    offset = max(MIN_OFFSET, OFFSET_FRACTION * contrast)
    # Binary: soft edges (ink ramping up from the offset) read worse on the photo benchmark
    # (bench/read_numbers.py --photo: 92.7 % and 86.3 % against 93.3 %).
    return (response > offset).astype(np.float32), info


def ink_box(ink: np.ndarray, margin: float = 0.08) -> tuple[int, int, int, int] | None:
    """(y0, x0, y1, x1) of the ink's bounding box grown by `margin` of its longer side, clipped to
    the picture; None when there is no ink. What the page shows as "the crop it read"."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    grow = int(round(margin * max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)))
    h, w = ink.shape
    return (
        max(0, int(rows[0]) - grow),
        max(0, int(cols[0]) - grow),
        min(h, int(rows[-1]) + 1 + grow),
        min(w, int(cols[-1]) + 1 + grow),
    )
