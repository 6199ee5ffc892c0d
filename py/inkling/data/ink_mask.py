"""Which pixels of a digit's image a pen drew: the ink the tracer (tracer.py) follows.

    ink_mask(big, threshold, upscale): bool [H, W] of the upsampled image `big` (float, ink = 1)

A plain threshold is not what a pen drew. A faint digit breaks into pieces at it, and thick ink
fills a digit's loops, so the skeleton of a 9 whose head is a blob is a 7's. Three corrections,
each keeping what the image shows of a pen's path:
  1. FAINT: a lower threshold where that joins pieces without closing a new loop;
  2. THICK: a loop that opens at a higher threshold is cut out of the ink;
  3. _hollow_blobs: a loop filled at every threshold loses its core, leaving a ring.
CPython only, like tracer.py: SciPy and scikit-image.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

THRESHOLD = 0.5  # ink threshold on the upsampled image (MNIST ink = 1)...
FAINT = (0.35, 0.25)  # ...lowered for faint strokes, if that joins pieces without closing a loop;
THICK = (0.65, 0.8)  # ...a loop that opens at a higher one was filled in by thick ink: kept open
BLOB = 1.8  # ink further than this many half-widths of the digit's stroke from any edge is a filled loop...
MIN_HOLE_PX = 2.0  # ...if that core covers at least this many 28-px pixels: a pen went round it


def _pieces(mask: np.ndarray, min_area: float) -> int:
    """How many 8-connected pieces of ink at least min_area pixels large."""
    labels, n = ndimage.label(mask, structure=np.ones((3, 3)))
    return int((np.bincount(labels.ravel(), minlength=n + 1)[1:] >= min_area).sum())


def _loops(mask: np.ndarray, min_area: float) -> np.ndarray:
    """bool mask: the background that ink encloses (the insides of loops) in pieces >= min_area."""
    labels, n = ndimage.label(~mask)  # 4-connected background, as 8-connected ink encloses it
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    outside = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    inside = (sizes >= min_area) & ~np.isin(np.arange(n + 1), outside)
    inside[0] = False  # label 0 is the ink
    return inside[labels]


def _count(mask: np.ndarray) -> int:
    return int(ndimage.label(mask)[1])


def ink_mask(big: np.ndarray, threshold: float, upscale: int) -> np.ndarray:
    """Which upsampled pixels are ink: `threshold`, but a pen draws lines and loops, so a faint
    digit's broken strokes are joined by a lower threshold (FAINT) as long as that closes no new
    loop, and a loop that thick ink filled in is opened: cut out where it opens at a higher
    threshold (THICK), else hollowed where the ink is a blob (_hollow_blobs). A digit that THICK
    opened is not hollowed as well (untried: the shipped weights were trained on twins drawn so)."""
    mask = big >= threshold
    min_ink, min_loop = 2 * upscale**2, 0.5 * upscale**2  # in 28-px pixels: 2 of ink, half of a loop
    pieces, loops = _pieces(mask, min_ink), _count(_loops(mask, min_loop))
    for low in FAINT:
        joined = big >= low
        joined_pieces = _pieces(joined, min_ink)
        if joined_pieces < pieces and _count(_loops(joined, min_loop)) <= loops:
            mask, pieces = joined, joined_pieces
    loops = _count(_loops(mask, min_loop))  # the mask's own, which FAINT may have lowered
    for high in THICK:
        inside = _loops(big >= high, min_loop)
        if _count(inside) > loops:
            return mask & ~ndimage.binary_dilation(inside)
    return _hollow_blobs(mask, upscale)


def _hollow_blobs(mask: np.ndarray, upscale: int) -> np.ndarray:
    """A loop that ink filled in at every threshold (a 9's head as a blob) has no skeleton of a loop:
    its skeleton is a line, and the digit would be traced as a 7. A pen draws such a blob by going
    round, so its core (further from any edge than BLOB half-widths of the digit's usual stroke) is
    cut out, leaving a ring about one stroke wide. Cores smaller than MIN_HOLE_PX (the crossing of two
    strokes, a slightly heavier stretch) are left: no pen drew those as loops. A blot where the pen
    rested, three strokes wide, is drawn as a small loop (MNIST test #1737's 5): from the image alone
    it cannot be told from a 9's head."""
    from skimage.morphology import skeletonize

    if not mask.any():  # a blank image: the tracer says so
        return mask
    dist = ndimage.distance_transform_edt(mask)
    half_width = float(np.median(dist[skeletonize(mask)]))
    labels, n = ndimage.label(dist > BLOB * half_width)
    core = np.bincount(labels.ravel(), minlength=n + 1) >= MIN_HOLE_PX * upscale**2
    core[0] = False  # label 0 is everything else
    return mask & ~core[labels]
