"""Several digits in one picture -> one piece of ink per digit, left to right.

    ink [H, W] --max-pool to <= WORK_SIDE--> binary mask --label_components--> components
        --merge (broken strokes: heavy overlap in x)--> drop specks --> order by x
        --> pieces: (box, mask) at full resolution, each ready for normalize_digit

Labelling works on runs (horizontal stretches of ink), not pixels: a run in one row touches a run
in the next when their column ranges overlap or meet diagonally (8-connectivity). Runs are found
with one np.diff, their contacts with two np.searchsorted, and the components with a vectorised
union-find (hook roots to the smaller root, then pointer-jump), so there is no per-pixel Python
loop: fast in Pyodide too.

Touching digits come out as one piece; `cut_columns` proposes where it might be cut and
`cut_piece` cuts it there; number.py decides, by asking the model, which cut (if any) is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inkling.data.preprocess import INK_THRESHOLD

WORK_SIDE = 256  # labelling runs on the ink max-pooled so its longer side is at most this
MERGE_OVERLAP = 0.5  # merge pieces whose x-ranges overlap by this share of the narrower one,
CONTAINED = 0.85  # unless both are nearly full height (a slanted 1 leaning over an 8)
FULL_HEIGHT = 0.75  # and the overlap is below CONTAINED: that is two digits
SPECK_AREA = 0.08  # a piece with less ink than this share of the largest is a speck
MINOR_HEIGHT = 0.5  # a piece lower than this share of the median height is part of a digit
MINOR_GAP = 0.15  # ...that it overlaps in x, or is this close to (share of that one's height)
MAX_COMPONENTS = 64  # noise guard: only the largest components are considered
CUT_BAND = (0.2, 0.8)  # a cut is searched in this span of the piece's width


@dataclass
class Piece:
    """One digit's ink: `box` (y0, x0, y1, x1) in the picture's pixels, `mask` bool [y1-y0, x1-x0]."""

    box: tuple
    mask: np.ndarray

    @property
    def height(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def width(self) -> int:
        return self.box[3] - self.box[1]

    def ink(self, ink: np.ndarray) -> np.ndarray:
        """This piece's ink, float32 [h, w]: the picture's ink in the box, other pieces blanked."""
        y0, x0, y1, x1 = self.box
        return np.where(self.mask, ink[y0:y1, x0:x1], 0).astype(np.float32)


def runs(mask: np.ndarray):
    """Horizontal runs of True in mask [H, W], in row-major order: (row, start, end) int arrays,
    end exclusive. mask[mask] lists the pixels in the same order as the runs cover them."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)  # [H, W+1]: +1 where a run starts, -1 after
    row, start = np.nonzero(step == 1)
    _, end = np.nonzero(step == -1)
    return row, start, end


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of mask bool [H, W] -> (labels int32 [H, W], 0 = background, n)."""
    mask = np.asarray(mask, dtype=bool)
    h, w = mask.shape
    row, start, end = runs(mask)
    n = len(row)
    labels = np.zeros((h, w), dtype=np.int32)
    if n == 0:
        return labels, 0
    # Run b (row r+1) touches run a (row r) when start_a <= end_b and start_b <= end_a (end
    # exclusive, so a diagonal contact counts). Keys row*stride+col sort the runs globally, so
    # the runs of row r touching b are one contiguous range [lo, hi).
    stride = w + 2
    key_start, key_end = row * stride + start, row * stride + end
    above = (row - 1) * stride
    lo = np.searchsorted(key_end, above + start, side="left")
    hi = np.searchsorted(key_start, above + end, side="right")
    count = np.maximum(hi - lo, 0)
    b = np.repeat(np.arange(n), count)
    a = np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    parent = np.arange(n)
    while True:
        root_a, root_b = parent[a], parent[b]
        if np.array_equal(root_a, root_b):
            break
        low = np.minimum(root_a, root_b)  # hook each root to the smaller one
        np.minimum.at(parent, root_a, low)
        np.minimum.at(parent, root_b, low)
        while True:  # pointer jumping: every run -> its root
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    roots, component = np.unique(parent, return_inverse=True)
    labels[mask] = np.repeat(component.reshape(-1) + 1, end - start)
    return labels, len(roots)


def _pool(ink: np.ndarray, factor: int) -> np.ndarray:
    """Max of ink [H, W] over factor x factor blocks -> [ceil(H/f), ceil(W/f)] (keeps thin strokes)."""
    if factor == 1:
        return ink
    h, w = ink.shape
    ph, pw = -h % factor, -w % factor
    padded = np.pad(ink, ((0, ph), (0, pw)))
    return padded.reshape((h + ph) // factor, factor, (w + pw) // factor, factor).max(axis=(1, 3))


def _groups(labels: np.ndarray, n: int, ink: np.ndarray) -> list[dict]:
    """Per component: bounding box (y0, x0, y1, x1), "area" (its ink: sum of the pooled ink, so
    faint anti-aliasing counts for little), and the set of labels it holds."""
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    area = np.bincount(lab, weights=ink[ys, xs], minlength=n + 1)
    big = np.argsort(area[1:])[::-1][:MAX_COMPONENTS] + 1
    y0 = np.full(n + 1, labels.shape[0])
    x0 = np.full(n + 1, labels.shape[1])
    y1 = np.zeros(n + 1, int)
    x1 = np.zeros(n + 1, int)
    np.minimum.at(y0, lab, ys)
    np.minimum.at(x0, lab, xs)
    np.maximum.at(y1, lab, ys + 1)
    np.maximum.at(x1, lab, xs + 1)
    return [
        {"box": [int(y0[k]), int(x0[k]), int(y1[k]), int(x1[k])], "area": float(area[k]), "labels": {int(k)}}
        for k in big
    ]


def _merge(groups: list[dict]) -> list[dict]:
    """Merge groups overlapping heavily in x (a digit's strokes drawn apart: a 5's flag, a 4's
    stem): every pair whose x-ranges overlap by MERGE_OVERLAP of the narrower one joins (see
    CONTAINED for the exception), and since a merged group is wider and may now overlap
    another, this repeats until none do."""
    while len(groups) > 1:
        y0, x0, y1, x1 = np.array([g["box"] for g in groups]).T
        overlap = np.maximum(0, np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0))
        share = overlap / np.maximum(1, np.minimum((x1 - x0)[:, None], x1 - x0))
        h = y1 - y0
        both_tall = np.minimum(h[:, None], h) >= FULL_HEIGHT * np.maximum(h[:, None], h)
        join = (share >= MERGE_OVERLAP) & ((share >= CONTAINED) | ~both_tall)
        i, j = np.nonzero(np.triu(join, k=1))
        if i.size == 0:
            break
        root = list(range(len(groups)))

        def find(k, root=root):
            while root[k] != k:
                root[k] = root[root[k]]
                k = root[k]
            return k

        for a, b in zip(i.tolist(), j.tolist()):
            ra, rb = find(a), find(b)
            root[max(ra, rb)] = min(ra, rb)
        joined: dict[int, dict] = {}
        for k, g in enumerate(groups):
            r = find(k)
            if r not in joined:
                joined[r] = {"box": list(g["box"]), "area": g["area"], "labels": set(g["labels"])}
                continue
            t = joined[r]
            t["box"] = [
                min(t["box"][0], g["box"][0]),
                min(t["box"][1], g["box"][1]),
                max(t["box"][2], g["box"][2]),
                max(t["box"][3], g["box"][3]),
            ]
            t["area"] += g["area"]
            t["labels"] |= g["labels"]
        groups = list(joined.values())
    return groups


def _join(a: dict, b: dict) -> dict:
    box = [
        min(a["box"][0], b["box"][0]),
        min(a["box"][1], b["box"][1]),
        max(a["box"][2], b["box"][2]),
        max(a["box"][3], b["box"][3]),
    ]
    return {"box": box, "area": a["area"] + b["area"], "labels": a["labels"] | b["labels"]}


def _attach_minor(groups: list[dict]) -> list[dict]:
    """Join each low piece (a 5's flag, a 7's bar drawn apart) to the full-height piece it
    overlaps most in x, or failing that the nearest one within MINOR_GAP; low pieces with no
    such neighbour stay (a dash, or noise for _drop_specks)."""
    if len(groups) < 2:
        return groups
    heights = np.array([g["box"][2] - g["box"][0] for g in groups])
    median = float(np.percentile(heights, 50))  # np.median imports numpy.ma, which the pad need not fetch
    major = [g for g, h in zip(groups, heights) if h >= MINOR_HEIGHT * median]
    out = list(major)
    for g, h in zip(groups, heights):
        if h >= MINOR_HEIGHT * median:
            continue
        # overlap > 0, or a negative overlap (a gap) no wider than MINOR_GAP of the host's height
        reach = [
            min(g["box"][3], m["box"][3]) - max(g["box"][1], m["box"][1]) + MINOR_GAP * (m["box"][2] - m["box"][0])
            for m in out
        ]
        k = int(np.argmax(reach)) if reach else -1
        if k >= 0 and reach[k] > 0:
            out[k] = _join(out[k], g)
        else:
            out.append(g)
    return out


def _drop_specks(groups: list[dict]) -> list[dict]:
    if not groups:
        return groups
    largest = max(g["area"] for g in groups)
    return [g for g in groups if g["area"] >= SPECK_AREA * largest]


def segment(ink: np.ndarray) -> list[Piece]:
    """ink float [H, W] (ink = 1) -> the digits' pieces, left to right; [] when there is no ink."""
    ink = np.asarray(ink, dtype=np.float32)
    h, w = ink.shape
    factor = max(1, -(-max(h, w) // WORK_SIDE))
    pooled = _pool(ink, factor)
    labels, n = label_components(pooled > INK_THRESHOLD)
    groups = _drop_specks(_attach_minor(_merge(_groups(labels, n, pooled))))
    groups.sort(key=lambda g: g["box"][1] + g["box"][3])
    pieces = []
    for g in groups:
        sy0, sx0, sy1, sx1 = g["box"]
        member = np.isin(labels[sy0:sy1, sx0:sx1], list(g["labels"]))
        # Back to full resolution: each pooled cell stands for factor x factor pixels.
        big = np.repeat(np.repeat(member, factor, axis=0), factor, axis=1)
        y0, x0 = sy0 * factor, sx0 * factor
        y1, x1 = min(h, sy1 * factor), min(w, sx1 * factor)
        mask = big[: y1 - y0, : x1 - x0] & (ink[y0:y1, x0:x1] > INK_THRESHOLD)
        pieces.append(_tight(Piece((y0, x0, y1, x1), mask)))
    return [p for p in pieces if p is not None]


def _tight(piece: Piece) -> Piece | None:
    """The piece with its box shrunk to its own ink (None if it has none)."""
    rows, cols = np.flatnonzero(piece.mask.any(axis=1)), np.flatnonzero(piece.mask.any(axis=0))
    if rows.size == 0:
        return None
    y0, x0 = piece.box[:2]
    mask = piece.mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return Piece((y0 + int(rows[0]), x0 + int(cols[0]), y0 + int(rows[-1]) + 1, x0 + int(cols[-1]) + 1), mask)


def cut_columns(mask: np.ndarray, band=CUT_BAND, evenly: int = 7, minima: int = 3) -> list[int]:
    """Columns where a piece of touching digits might be cut, within `band` of its width: `evenly`
    spaced ones plus the `minima` columns where the ink is thinnest (column projection, lightly
    smoothed). Several, because the thinnest column is often the wrong one: the middle of a 0
    holds two thin strokes while the place where two digits touch holds a lot of ink."""
    w = mask.shape[1]
    lo, hi = max(1, int(np.floor(band[0] * w))), min(w - 1, int(np.ceil(band[1] * w)))
    if hi <= lo:
        return []
    projection = np.convolve(mask.sum(axis=0).astype(np.float32), np.ones(3, np.float32) / 3, mode="same")
    thinnest = lo + np.argsort(projection[lo:hi], kind="stable")[:minima]
    spaced = np.linspace(band[0] * w, band[1] * w, evenly).round().astype(int)
    return sorted({int(c) for c in np.concatenate([thinnest, spaced]) if lo <= c < hi})


def cut_piece(piece: Piece, column: int) -> list[Piece]:
    """The piece split at `column` (of its box) into left and right; [] if a side holds no ink."""
    y0, x0, y1, x1 = piece.box
    left = _tight(Piece((y0, x0, y1, x0 + column), piece.mask[:, :column]))
    right = _tight(Piece((y0, x0 + column, y1, x1), piece.mask[:, column:]))
    return [left, right] if left is not None and right is not None else []
