"""A handwritten digit's image -> the pen strokes that drew it, for tests and training.

A 28x28 MNIST image becomes a list of strokes: polylines of (x, y) points in [0, 1]
image coordinates (x to the right, y down; the image's top-left corner is (0, 0)).

    image --upsample--> ink_mask (which pixels a pen drew) --skeletonize--> 8-connected pixel graph
          --prune spurs--> segments between endpoints/junctions (+ pure loops)
          --chain segments through junctions by good continuation--> strokes
          --Ramer-Douglas-Peucker--> simplified polylines

The browser tests and benchmarks replay these strokes with the mouse (tests/browser/pen.py), and
training redraws MNIST with them as the pad draws strokes (training/pen_twins.py). CPython only: it needs
scikit-image and SciPy (requirements-dev.txt), which the app in Pyodide never loads.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .ink_mask import THRESHOLD, ink_mask

# Work on an upsampled image so the skeleton is smooth: MNIST strokes are ~2-3 px wide.
UPSCALE = 4
SPUR_PX = 1.5  # drop side branches shorter than this (28-px units)
MIN_STROKE_PX = 1.5  # drop isolated bits shorter than this (28-px units)
SIMPLIFY_PX = 0.3  # RDP tolerance (28-px units)

_DIRS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]

Stroke = np.ndarray  # float [k, 2]: (x, y) in [0, 1], k >= 2


# ----------------------------------------------------------------------------- tracing


def _upsample(image: np.ndarray, k: int) -> np.ndarray:
    from skimage.transform import resize

    img = np.asarray(image, dtype=np.float32)
    if img.max() > 1.0:  # uint8 0..255
        img = img / 255.0
    return resize(img, (img.shape[0] * k, img.shape[1] * k), order=1, anti_aliasing=False, mode="edge").astype(
        np.float32
    )


def _adjacency(skel: np.ndarray) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """8-connected pixel graph, without the diagonal shortcuts of L-shaped corners.

    A diagonal edge p-q is dropped when p and q share an orthogonal neighbour that is on
    the skeleton: the path through that neighbour already connects them, and keeping the
    diagonal would turn every corner into a fake three-way junction.
    """
    pts = set(zip(*map(lambda a: a.tolist(), np.nonzero(skel))))
    adj: dict[tuple[int, int], list[tuple[int, int]]] = {p: [] for p in pts}
    for r, c in pts:
        for dr, dc in _DIRS:
            q = (r + dr, c + dc)
            if q not in pts:
                continue
            if dr and dc and ((r + dr, c) in pts or (r, c + dc) in pts):
                continue
            adj[(r, c)].append(q)
    return adj


def _walk(adj, start, first):
    """Walk from `start` through `first` along degree-2 pixels; return the pixel path."""
    path = [start, first]
    prev, cur = start, first
    while len(adj[cur]) == 2 and cur != start:
        a, b = adj[cur]
        nxt = a if a != prev else b
        path.append(nxt)
        prev, cur = cur, nxt
    return path


def _prune_spurs(adj, max_len: float) -> None:
    """Remove, in place, branches from an endpoint to a junction shorter than max_len."""
    for _ in range(3):
        changed = False
        for p in [p for p, n in adj.items() if len(n) == 1]:
            if p not in adj or len(adj[p]) != 1:
                continue
            path = _walk(adj, p, adj[p][0])
            end = path[-1]
            if len(adj[end]) < 3 or _length(path) >= max_len:
                continue
            for q in path[:-1]:
                for n in adj.pop(q):
                    if n in adj and q in adj[n]:
                        adj[n].remove(q)
            changed = True
        if not changed:
            break


def _length(path) -> float:
    a = np.asarray(path, dtype=np.float64)
    return float(np.sum(np.hypot(*np.diff(a, axis=0).T))) if len(a) > 1 else 0.0


def _segments(adj) -> list[list[tuple[int, int]]]:
    """Split the graph into pixel paths between non-degree-2 pixels, plus pure loops."""
    seen: set[frozenset] = set()
    segs = []

    def trace(start, first):
        path = [start, first]
        seen.add(frozenset((start, first)))
        prev, cur = start, first
        while len(adj[cur]) == 2 and cur != start:
            a, b = adj[cur]
            nxt = a if a != prev else b
            e = frozenset((cur, nxt))
            if e in seen:
                break
            seen.add(e)
            path.append(nxt)
            prev, cur = cur, nxt
        return path

    for p in sorted(adj):
        if len(adj[p]) == 0:
            segs.append([p])
        elif len(adj[p]) != 2:
            for q in adj[p]:
                if frozenset((p, q)) not in seen:
                    segs.append(trace(p, q))
    for p in sorted(adj):  # what is left: loops of degree-2 pixels
        for q in adj[p]:
            if frozenset((p, q)) not in seen:
                segs.append(trace(p, q))
    return segs


def _end_direction(seg, at_start: bool, reach: int = 6) -> np.ndarray:
    pts = np.asarray(seg if at_start else seg[::-1], dtype=np.float64)
    k = min(reach, len(pts) - 1)
    v = pts[k] - pts[0]
    n = np.hypot(*v)
    return v / n if n else v


def _chain(segs, adj) -> list[list[tuple[int, int]]]:
    """Join segments through junctions, pairing the ends that continue most straight."""
    # ends[(i, 0)] is the start of segment i, ends[(i, 1)] its end.
    at_node: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, s in enumerate(segs):
        if len(s) < 2:
            continue
        for e, node in ((0, s[0]), (1, s[-1])):
            if len(adj.get(node, ())) >= 3:
                at_node.setdefault(node, []).append((i, e))
    partner: dict[tuple[int, int], tuple[int, int]] = {}
    for ends in at_node.values():
        dirs = {end: _end_direction(segs[end[0]], end[1] == 0) for end in ends}
        pairs = sorted((float(dirs[a] @ dirs[b]), a, b) for ia, a in enumerate(ends) for b in ends[ia + 1 :])
        for cos, a, b in pairs:
            if cos > -0.2:  # turning by more than ~80 degrees: lift the pen instead
                break
            if a in partner or b in partner:
                continue
            partner[a], partner[b] = b, a

    used = [False] * len(segs)
    strokes = []

    def follow(i, reverse):
        pts: list = []
        while True:
            used[i] = True
            s = segs[i][::-1] if reverse else segs[i]
            pts.extend(s if not pts or pts[-1] != s[0] else s[1:])
            out_end = (i, 0 if reverse else 1)
            nxt = partner.get(out_end)
            if nxt is None or used[nxt[0]]:
                return pts
            i, reverse = nxt[0], nxt[1] == 1

    # Open chains first, from an end with no partner; then closed chains.
    for i in range(len(segs)):
        if used[i]:
            continue
        if (i, 0) not in partner:
            strokes.append(follow(i, False))
        elif (i, 1) not in partner:
            strokes.append(follow(i, True))
    for i in range(len(segs)):
        if not used[i]:
            strokes.append(follow(i, False))
    return strokes


def _extend_ends(rc: np.ndarray, path, adj, mask, dist, reach: int = 6) -> np.ndarray:
    """Lengthen a stroke's free ends (graph endpoints) to where the medial axis would end.

    Thinning eats into a stroke's ends; walk on along the end's direction while inside the
    ink, and stop half the local stroke width short of the ink's edge (the pen adds it back).
    """
    h, w = mask.shape
    out = [rc]
    for at_start in (True, False):
        node = tuple(path[0] if at_start else path[-1])
        if len(adj.get(node, ())) != 1:
            continue
        pts = rc if at_start else rc[::-1]
        k = min(reach, len(pts) - 1)
        v = pts[0] - pts[k]
        n = np.hypot(*v)
        if n == 0:
            continue
        v = v / n
        half = float(dist[int(pts[0][0]), int(pts[0][1])])
        t, p = 0.0, pts[0]
        while True:
            q = pts[0] + (t + 0.5) * v
            r, c = int(round(q[0])), int(round(q[1]))
            if not (0 <= r < h and 0 <= c < w) or not mask[r, c]:
                break
            t += 0.5
        t -= half
        if t > 0.5:
            p = pts[0] + t * v
            out = [p[None], out[0]] if at_start else [out[0], p[None]]
            out = [np.concatenate(out)]
    return out[0]


def _rdp(points: np.ndarray, eps: float) -> np.ndarray:
    if len(points) < 3:
        return points
    a, b = points[0], points[-1]
    ab = b - a
    n = np.hypot(*ab)
    if n == 0:
        d = np.hypot(*(points - a).T)
    else:
        d = np.abs(ab[0] * (points[:, 1] - a[1]) - ab[1] * (points[:, 0] - a[0])) / n
    i = int(np.argmax(d))
    if d[i] <= eps:
        return np.stack([a, b])
    return np.concatenate([_rdp(points[: i + 1], eps)[:-1], _rdp(points[i:], eps)])


def trace_strokes(
    image: np.ndarray,
    *,
    upscale: int = UPSCALE,
    threshold: float = THRESHOLD,
    spur_px: float = SPUR_PX,
    min_stroke_px: float = MIN_STROKE_PX,
    simplify_px: float = SIMPLIFY_PX,
) -> list[Stroke]:
    """Strokes (polylines in [0, 1] x/y coordinates) that draw the digit in `image`.

    `image` is 28x28 (or any HxW) with ink high: float in [0, 1] or uint8 0..255.
    Every stroke has at least two distinct points. Raises ValueError on a blank image.
    """
    from skimage.morphology import skeletonize

    big = _upsample(image, upscale)
    mask = ink_mask(big, threshold, upscale)
    if not mask.any():
        raise ValueError("blank image: nothing to trace")
    skel = skeletonize(mask)
    dist = ndimage.distance_transform_edt(mask)
    adj = _adjacency(skel)
    _prune_spurs(adj, spur_px * upscale)
    paths = _chain(_segments(adj), adj)

    h, w = big.shape
    strokes = []
    for path in paths:
        if _length(path) < min_stroke_px * upscale:
            continue
        rc = np.asarray(path, dtype=np.float64)
        if len(rc) > 2 and tuple(path[0]) != tuple(path[-1]):
            rc = _extend_ends(rc, path, adj, mask, dist)
        rc = _rdp(rc, simplify_px * upscale)
        xy = np.stack([(rc[:, 1] + 0.5) / w, (rc[:, 0] + 0.5) / h], axis=1)
        strokes.append(xy)
    if not strokes:  # a dot or a speck: draw it as a tiny dash
        r, c = np.argwhere(mask).mean(axis=0)
        x, y = (c + 0.5) / w, (r + 0.5) / h
        strokes.append(np.array([[x - 0.5 / 28, y], [x + 0.5 / 28, y]]))
    return strokes
