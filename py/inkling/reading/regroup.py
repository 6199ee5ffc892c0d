"""The model's say in grouping the pad's strokes: what geometry alone (strokes.group_strokes)
cannot tell, the model is asked, as number.py asks it where to cut touching digits.

    groups --rejoin--> neighbours that read much surer as one digit are one (a 4 in two strokes)
           --split-->  a group of touching digits parted between its strokes, where the parts read
                       surer apart (a 5 whose flag ran into the 7 beside it)

Both only try what could be so (sizes and overlaps below), so most drawings ask the model nothing
more. A stroke that itself runs through two digits cannot be parted between strokes: number.py's
cut of the rendered ink still handles it.
"""

from __future__ import annotations

import numpy as np

from inkling.data.preprocess import normalize_digit

from . import second_look
from .number import MAX_CUTS
from .strokes import _box, _touching, group_strokes, render_group

REJOIN_ASPECT = 0.75  # rejoin: two groups together narrower than this times their height...
REJOIN_GAP = 0.2  # ...and no further apart than this share of it...
REJOIN_GAIN = 0.3  # ...are one digit when it reads this much surer than the less sure of them,
REJOIN_NEAR = (0.08, 0.1)  # or this much surer (2nd) when their strokes come this near (1st, share of it)
# split: a group at least SPLIT_ASPECT times as wide as tall is parted between its strokes (left
# ones | right ones, by their middles) when each part is SPLIT_TALL as tall as the group, they
# overlap in x by at most SPLIT_OVERLAP of the narrower and neither's middle is over the other (a
# 4's stem crossing its bar is), and when
#     min(parts' confidence) - whole's confidence + SPLIT_WIDTH_BONUS * (aspect - 1) > SPLIT_THRESHOLD.
# Fitted on MNIST test digits 0-4999 drawn touching in pairs (bench/tune_strokes.py --touching)
# and checked on its numbers and single digits (docs/benchmarks.md, "Touching digits"): a smaller
# threshold or number.py's bonus for width reads a wide 4 drawn as a hook and a stem as "61", and
# parts only number.py's HALF_HEIGHT tall read a 9 drawn as a "c" and a stem so. Narrow groups are
# tried too: two MNIST 1s or 7s side by side are often narrower than tall.
SPLIT_ASPECT = 0.4
SPLIT_TALL = 0.7
SPLIT_OVERLAP = 0.3
SPLIT_WIDTH_BONUS = 0.3
SPLIT_THRESHOLD = 0.1


def _sureness(model, strokes: list[np.ndarray], groups: list[list[int]]) -> np.ndarray:
    """float32 [len(groups)]: the model's top probability for each group of strokes drawn alone."""
    inputs = np.stack([normalize_digit(render_group([strokes[k] for k in g])[0]) for g in groups])
    return second_look.predict(model, inputs).max(axis=1)


def rejoin(model, strokes: list[np.ndarray], groups: list[list[int]]) -> list[list[int]]:
    """Neighbouring groups that read much surer as one digit than apart are one digit (a 4 whose
    two strokes neither touch nor overlap enough): the reverse of number.py's cut, asked of the
    model too. Only pairs that could be one digit are tried: together narrower than
    REJOIN_ASPECT times their height, and no further apart than REJOIN_GAP of it. Strokes that
    nearly meet (a 9's stem drawn beside its loop) need less: two digits that close read no surer
    joined (MNIST tuning numbers: at most +0.08, where such 4s and 9s gained 0.11-0.37)."""
    boxes = [_box(np.concatenate([strokes[k] for k in g])) for g in groups]
    pairs, need = [], {}
    for i in range(len(groups) - 1):
        (ay0, ax0, ay1, ax1), (by0, bx0, by1, bx1) = boxes[i], boxes[i + 1]
        h = max(ay1, by1) - min(ay0, by0)
        if max(ax1, bx1) - min(ax0, bx0) < REJOIN_ASPECT * h and bx0 - ax1 < REJOIN_GAP * h:
            pairs.append(i)
            near = REJOIN_NEAR[0] * h
            a, b = ([strokes[k] for k in groups[n]] for n in (i, i + 1))
            need[i] = REJOIN_NEAR[1] if any(_touching(p, q, near) for p in a for q in b) else REJOIN_GAIN
    if not pairs:
        return groups
    sure = _sureness(model, strokes, groups + [groups[i] + groups[i + 1] for i in pairs])
    gains = sorted(
        ((float(sure[len(groups) + n] - min(sure[i], sure[i + 1])), i) for n, i in enumerate(pairs)), reverse=True
    )
    joined: dict[int, int] = {}  # first group of a pair -> second
    for gain, i in gains:
        if gain > need[i] and i not in joined and i + 1 not in joined and i - 1 not in joined.values():
            joined[i] = i + 1
    out = []
    for i, g in enumerate(groups):
        if i - 1 in joined:
            continue
        out.append(sorted(g + groups[i + 1]) if i in joined else g)
    return out


def _partitions(strokes: list[np.ndarray], group: list[int]) -> list[tuple[list[int], list[int], float]]:
    """The ways `group` could be two digits side by side: [(left strokes, right strokes, the
    group's width / height)], each part a run of its strokes ordered by their middles in x."""
    boxes = {k: _box(strokes[k]) for k in group}
    y0, x0, y1, x1 = _box(np.concatenate([strokes[k] for k in group]))
    height = max(y1 - y0, 1e-9)
    aspect = (x1 - x0) / height
    if len(group) < 2 or aspect < SPLIT_ASPECT:
        return []
    order = sorted(group, key=lambda k: boxes[k][1] + boxes[k][3])
    out = []
    for n in range(1, len(order)):
        left, right = sorted(order[:n]), sorted(order[n:])
        (ly0, lx0, ly1, lx1), (ry0, rx0, ry1, rx1) = (
            _box(np.concatenate([strokes[k] for k in p])) for p in (left, right)
        )
        if min(ly1 - ly0, ry1 - ry0) < SPLIT_TALL * height:
            continue  # a 5's flag, a 7's bar: part of a digit, not one
        overlap = min(lx1, rx1) - max(lx0, rx0)
        if overlap > SPLIT_OVERLAP * min(lx1 - lx0, rx1 - rx0) or rx0 <= (lx0 + lx1) / 2 or (rx0 + rx1) / 2 <= lx1:
            continue  # a 4's stem through its bar (a thin part's overlap says little: its middle does)
        out.append((left, right, aspect))
    return out


def split(model, strokes: list[np.ndarray], groups: list[list[int]]) -> list[list[int]]:
    """Groups of touching digits (strokes.group_strokes joins strokes that touch) parted between
    their strokes where the parts read surer apart (see SPLIT_THRESHOLD); the parts are tried
    again, up to MAX_CUTS rounds (eight digits in one group). Groups stay left to right."""
    tried: set[tuple[int, ...]] = set()
    for _ in range(MAX_CUTS):
        todo = [n for n, g in enumerate(groups) if tuple(g) not in tried]
        tried.update(tuple(groups[n]) for n in todo)
        candidates = [(n, *p) for n in todo for p in _partitions(strokes, groups[n])]
        if not candidates:
            break
        wholes = sorted({c[0] for c in candidates})
        sure = _sureness(model, strokes, [groups[n] for n in wholes] + [p for c in candidates for p in c[1:3]])
        whole = dict(zip(wholes, sure[: len(wholes)].tolist()))
        best: dict[int, tuple] = {}  # group index -> (score, left, right)
        for k, (n, left, right, aspect) in enumerate(candidates):
            parts = float(sure[len(wholes) + 2 * k : len(wholes) + 2 * k + 2].min())
            score = parts - whole[n] + SPLIT_WIDTH_BONUS * (aspect - 1) - SPLIT_THRESHOLD
            if score > 0 and score > best.get(n, (0.0,))[0]:
                best[n] = (score, left, right)
        if not best:
            break
        groups = [part for n, g in enumerate(groups) for part in (best[n][1:] if n in best else [g])]
    return groups


def digit_groups(model, strokes: list[np.ndarray]) -> list[list[int]]:
    """The indices of each digit's strokes, left to right, as strokes.read_strokes reads them:
    group_strokes, then rejoin, then split."""
    return split(model, strokes, rejoin(model, strokes, group_strokes(strokes)))
