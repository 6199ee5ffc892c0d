"""The pad's strokes -> one piece of ink per digit, each drawn at a pen width that fits its size.

    strokes (points in pad pixels) --group_strokes--> a list of strokes per digit, left to right
        --regroup.rejoin, regroup.split--> the same, where the model reads surer otherwise
        --render_group--> ink float32 [h, w], the digit drawn RENDER_SIDE px tall with a pen PEN
        of that --> number.read_pieces (normalize_digit, and the cut for a stroke through two digits)

Why not read the screen's pixels: the screen's pen has one width for the whole pad, so a digit
written a fifth of the pad tall has strokes a quarter of its height and its loops fill in.
Drawn again from its own strokes, every digit has MNIST's thickness once framed to 20 px.

Grouping, by where strokes lie (not when they were drawn):
  1. strokes that touch (come within TOUCH of the tallest stroke's height) are one piece of ink,
     as the raster path's connected components are;
  2. pieces that overlap heavily in x join, low ones (a 5's flag, a 7's bar) join the digit they
     overlap or nearly reach (a flat flag from further away, to the nearer digit), and specks
     are dropped: segment.py's own rules on those boxes, and _attach_low's;
  3. dots (a tap, a full stop) are left out, unless there is nothing else.
A group of touching digits is parted between its strokes where the parts read surer apart
(regroup.split); a stroke that runs through two digits stays one group, and number.py cuts its
ink (segmentation by recognition) as it cuts touching digits in a picture, but a group drawn in
one stroke only where the cut crosses it once (read_pieces' one_stroke).
"""

from __future__ import annotations

import numpy as np

from inkling.data.preprocess import INK_THRESHOLD

from .segment import MINOR_GAP, Piece, _attach_minor, _drop_specks, _join, _merge, _tight

TOUCH = 0.05  # strokes closer than this share of the tallest stroke's height touch
LOW = 0.5  # a piece less than this share of its neighbour's height is part of that digit (_attach_low)
STACKED = 0.3  # pieces overlapping this much in x and less in y are one digit (_attach_low)
FLAT = 2.0  # a low piece this many times wider than tall (a 5's flag)...
FLAG_GAP = 0.6  # ...joins the nearest digit up to this share of that one's height away (_attach_low)
DOT = 0.2  # a stroke whose longer side is under this share of the median group height is a dot
RENDER_SIDE = 32  # a group is drawn this many pixels tall (or half as many as it is wide, if more)
PEN = 0.12  # pen width as a share of that: MNIST's strokes are about 2.4 px of its 20 px box
STEP = 2.0  # strokes are resampled to about one point every STEP pixels of the rendering
CUT_ASPECT = 1.25  # a group narrower than this times its height is one digit: number.py never cuts it
MAX_STROKES = 256  # noise guard: more strokes than this are not grouped, only the last ones
MAX_POINTS = 4096  # ...nor more points in one stroke


def split_points(points, counts) -> list[np.ndarray]:
    """Flat (x, y) pairs and the number of points of each stroke -> [float64 [k, 2], ...].
    Refuses what does not add up, or is not finite."""
    xy = np.asarray(points, dtype=np.float64).reshape(-1)
    counts = np.asarray(counts, dtype=np.int64).reshape(-1)
    if xy.size % 2 or (counts < 1).any() or counts.sum() * 2 != xy.size:
        raise ValueError(f"strokes: {xy.size} coordinates do not make strokes of {counts.tolist()[:8]}... points")
    if not np.isfinite(xy).all():
        raise ValueError("strokes: a point is not a finite number")
    strokes = np.split(xy.reshape(-1, 2), np.cumsum(counts)[:-1])
    return [s[-MAX_POINTS:] for s in strokes[-MAX_STROKES:]]


def _box(points: np.ndarray) -> list[float]:
    """(y0, x0, y1, x1) of points [k, 2] (x, y): the box convention of segment.py."""
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return [float(y0), float(x0), float(y1), float(x1)]


def _resample(points: np.ndarray, step: float) -> np.ndarray:
    """About one point every `step` along the polyline, keeping its first and last point."""
    if len(points) < 3:
        return points
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    _, keep = np.unique(np.floor(arc / step), return_index=True)
    keep = np.union1d(keep, [len(points) - 1])
    return points[keep]


def _touching(a: np.ndarray, b: np.ndarray, reach: float) -> bool:
    """Do polylines a and b come within `reach` of each other? (Points resampled every reach/2,
    so two strokes crossing between their points are still found.)"""
    ba, bb = _box(a), _box(b)
    if ba[0] > bb[2] + reach or bb[0] > ba[2] + reach or ba[1] > bb[3] + reach or bb[1] > ba[3] + reach:
        return False
    pa, pb = _resample(a, reach / 2), _resample(b, reach / 2)
    d2 = ((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2)
    return bool(d2.min() <= reach * reach)


def _length(points: np.ndarray) -> float:
    return float(np.hypot(*np.diff(points, axis=0).T).sum()) if len(points) > 1 else 0.0


def group_strokes(strokes: list[np.ndarray]) -> list[list[int]]:
    """Strokes (float [k, 2] (x, y) in pad pixels) -> the indices of each digit's strokes,
    digits left to right (see the module's docstring); [] when there are none."""
    if not strokes:
        return []
    boxes = [_box(s) for s in strokes]
    tallest = max(max(b[2] - b[0], b[3] - b[1]) for b in boxes)
    reach = max(TOUCH * tallest, 1e-6)
    root = list(range(len(strokes)))

    def find(k):
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    for i in range(len(strokes)):
        for j in range(i + 1, len(strokes)):
            if find(i) != find(j) and _touching(strokes[i], strokes[j], reach):
                root[max(find(i), find(j))] = min(find(i), find(j))
    pieces: dict[int, dict] = {}
    for k, s in enumerate(strokes):
        r = find(k)
        # "area" (what _drop_specks weighs) is the ink's length; a dot counts as a short dash
        area = _length(s) + reach
        if r in pieces:
            p = pieces[r]
            p["box"] = [min(p["box"][0], boxes[k][0]), min(p["box"][1], boxes[k][1])] + [
                max(p["box"][2], boxes[k][2]),
                max(p["box"][3], boxes[k][3]),
            ]
            p["area"] += area
            p["labels"].add(k)
        else:
            pieces[r] = {"box": list(boxes[k]), "area": area, "labels": {k}}
    # The rules below see each box as the raster path sees the ink: with the pen's width around it
    # (a 4's stem, a zero-width line, overlaps the stroke it meets).
    pen = PEN / 2 * tallest
    groups = [
        {**g, "box": [g["box"][0] - pen, g["box"][1] - pen, g["box"][2] + pen, g["box"][3] + pen]}
        for g in _without_dots(list(pieces.values()))
    ]
    groups = _drop_specks(_attach_low(_attach_minor(_merge(groups)), 2 * pen))
    groups.sort(key=lambda g: g["box"][1] + g["box"][3])
    return [sorted(g["labels"]) for g in groups]


def _attach_low(groups: list[dict], pen: float) -> list[dict]:
    """Join a piece to a neighbour when it is less than LOW as tall and overlaps it in x or nearly
    reaches it (within MINOR_GAP of that one's height): a 7's bar drawn apart from its stem
    (_attach_minor compares with the median piece, which two pieces do not tell); a low and FLAT
    piece (a 5's flag, written right of the body's top) reaches further, FLAG_GAP; or when the two
    are stacked: overlapping by STACKED of the narrower in x, or one's middle over the other, but
    hardly in y (a 5 or 3 whose strokes do not meet, a 1 broken in two; digits side by side overlap
    in y). Of several such pairs, the nearest in x joins first. `pen`: what the boxes were grown by."""
    while len(groups) > 1:
        y0, x0, y1, x1 = (np.array([g["box"][k] for g in groups]) for k in range(4))
        h, w = y1 - y0 - pen, x1 - x0 - pen
        x_overlap = np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0) - pen
        y_overlap = np.minimum(y1[:, None], y1) - np.maximum(y0[:, None], y0) - pen
        flat = (w >= FLAT * h)[:, None]
        reach = np.where(flat, FLAG_GAP, MINOR_GAP) * h[None, :]
        low = (h[:, None] < LOW * h[None, :]) & (x_overlap + reach > 0)
        # (a 1 broken in two is so thin that its overlap in x says nothing: its middles do)
        middle = (x0 + x1) / 2
        over = (middle[:, None] >= x0[None, :]) & (middle[:, None] <= x1[None, :])
        stacked = ((x_overlap >= STACKED * np.minimum(w[:, None], w)) | over | over.T) & (
            y_overlap < STACKED * np.minimum(h[:, None], h)
        )
        join = (low | stacked) & ~np.eye(len(groups), dtype=bool)
        if not join.any():
            return groups
        # the pair that overlaps most in x for its size (a flag between two digits: the nearer one)
        nearness = np.where(join, x_overlap / np.maximum(h[None, :], 1e-9), -np.inf)
        i, j = np.unravel_index(np.argmax(nearness), join.shape)
        groups = [g for k, g in enumerate(groups) if k not in (i, j)] + [_join(groups[j], groups[i])]
    return groups


def _without_dots(groups: list[dict]) -> list[dict]:
    """Leave out dots: pieces much smaller on both sides than the median piece's height."""
    sides = np.array([max(g["box"][2] - g["box"][0], g["box"][3] - g["box"][1]) for g in groups])
    heights = np.array([g["box"][2] - g["box"][0] for g in groups])
    median = float(np.percentile(heights[sides >= DOT * sides.max()], 50))  # np.median imports numpy.ma
    kept = [g for g, side in zip(groups, sides) if side >= DOT * median]
    return kept or groups


def render_group(strokes: list[np.ndarray]) -> tuple[np.ndarray, tuple[float, float, float]]:
    """One digit's strokes (pad pixels) -> (ink float32 [h, w] in [0, 1], (y0, x0, scale)), where
    a pad point (x, y) is drawn at ((y - y0) * scale, (x - x0) * scale) of the ink.

    The group is drawn RENDER_SIDE px tall (half as many as it is wide, if that is more: a stroke
    through two digits), with round caps and a pen PEN of that, anti-aliased by the distance from
    each pixel's centre to the nearest stroke; normalize_digit then frames it like MNIST.
    """
    allp = np.concatenate(strokes)
    y0, x0, y1, x1 = _box(allp)
    size = max(y1 - y0, (x1 - x0) / 2, 1e-6)
    scale = RENDER_SIDE / size
    radius = PEN * RENDER_SIDE / 2
    margin = radius + 1
    h = int(np.ceil((y1 - y0) * scale + 2 * margin))
    w = int(np.ceil((x1 - x0) * scale + 2 * margin))
    a, b = [], []  # every segment's two ends, in ink pixels (x, y)
    for s in strokes:
        p = _resample((s - (x0, y0)) * scale + margin, STEP)
        a.append(p[:-1] if len(p) > 1 else p)
        b.append(p[1:] if len(p) > 1 else p)
    a, b = np.concatenate(a).astype(np.float32), np.concatenate(b).astype(np.float32)
    # Distance from every pixel centre (column vectors) to every segment (rows), in float32:
    # the one costly step of reading a digit, kept to a few whole-array operations.
    px = (np.arange(w, dtype=np.float32) + 0.5)[None, :].repeat(h, axis=0).reshape(-1, 1)
    py = (np.arange(h, dtype=np.float32) + 0.5)[:, None].repeat(w, axis=1).reshape(-1, 1)
    ax, ay = a[:, 0], a[:, 1]
    dx, dy = b[:, 0] - ax, b[:, 1] - ay
    inv = 1 / np.maximum(dx * dx + dy * dy, np.float32(1e-12))
    ex, ey = px - ax, py - ay  # [P, S]
    t = np.clip((ex * dx + ey * dy) * inv, 0, 1)
    ex -= t * dx
    ey -= t * dy
    d = np.sqrt((ex * ex + ey * ey).min(axis=1))
    ink = np.clip(radius + 0.5 - d, 0.0, 1.0).reshape(h, w).astype(np.float32)
    return ink, (y0 - margin / scale, x0 - margin / scale, scale)


def render_groups(strokes: list[np.ndarray], groups: list[list[int]]) -> list[tuple[np.ndarray, Piece, tuple, list]]:
    """Each group drawn on its own (render_group): [(ink, the Piece covering all its ink, (y0, x0,
    scale), the group)], ready for number.read_pieces."""
    parts = []
    for g in groups:
        ink, place = render_group([strokes[k] for k in g])
        piece = _tight(Piece((0, 0, ink.shape[0], ink.shape[1]), ink > INK_THRESHOLD))
        if piece is not None:
            parts.append((ink, piece, place, g))
    return parts


def read_strokes(model, strokes: list[np.ndarray]) -> dict:
    """The pad's strokes (float [k, 2] (x, y) in pad pixels) -> number.read_pieces's result for
    the digits they draw, with "boxes" (y0, x0, y1, x1) in pad pixels."""
    from .number import read_pieces
    from .regroup import digit_groups

    parts = render_groups(strokes, digit_groups(model, strokes))
    one_stroke = frozenset(k for k, part in enumerate(parts) if len(part[3]) == 1)
    out = read_pieces(model, [part[:2] for part in parts], min_cut_aspect=CUT_ASPECT, one_stroke=one_stroke)
    boxes = out["boxes"].astype(np.float64)
    for n, k in enumerate(out["parts"].tolist()):
        y0, x0, scale = parts[k][2]
        boxes[n] = boxes[n] / scale + (y0, x0, y0, x0)
    out["boxes"] = np.round(boxes).astype(np.int32).reshape(-1, 4)
    return out
