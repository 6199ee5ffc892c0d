"""A "Why" for a model that is only a `predict_proba`: occlusion sensitivity.

A Lab script's model (inkling.worker.lab_session) has no layers and no backward pass, so there is
no gradient saliency (explain.py) to give. Instead each PATCH x PATCH square of the 28x28 input
that holds ink (a square every STRIDE pixels) is blanked in turn, and the drop in the read digit's
probability measured; the input and all its blanked copies go through predict_proba as one batch
(at most 1 + 13 x 13 = 170 images). A pixel's value is the mean drop over the squares covering it,
times its ink: > 0 where the ink makes the model surer of its digit, < 0 where the ink makes it
less sure, 0 where there is no ink (blanking nothing changes nothing). Squares rather than single
pixels: a stroke is 2-3 pixels wide, and one pixel less rarely moves a reading.

`explain(model, x)` returns explain.explain's keys, so the page shows it in the same view.
"""

from __future__ import annotations

import numpy as np

from inkling.data.preprocess import SIZE

from . import second_look
from .explain import TOP, unsure_reason

PATCH = 4
STRIDE = 2
_STARTS = range(0, SIZE - PATCH + 1, STRIDE)  # 0, 2, ..., 24: the squares cover every pixel


def _coverage() -> np.ndarray:
    count = np.zeros((SIZE, SIZE), np.float32)
    for r in _STARTS:
        for c in _STARTS:
            count[r : r + PATCH, c : c + PATCH] += 1
    return count


_COVERAGE = _coverage()  # how many squares cover each pixel


def _read_occluded(predict_proba, x: np.ndarray) -> tuple[list, np.ndarray]:
    """(the inked squares [(row, col)], probabilities float32 [1 + squares, 10]): x [28, 28] and
    a copy of it with each square blanked, read in one batch."""
    squares = [(r, c) for r in _STARTS for c in _STARTS if x[r : r + PATCH, c : c + PATCH].any()]
    batch = np.repeat(x[None], len(squares) + 1, axis=0)
    for k, (r, c) in enumerate(squares, 1):
        batch[k, r : r + PATCH, c : c + PATCH] = 0
    return squares, np.asarray(predict_proba(batch), np.float32)


def _drop_map(x: np.ndarray, squares: list, p: np.ndarray, digit: int) -> np.ndarray:
    """The occlusion map float32 [28, 28] for `digit` from _read_occluded's squares and p."""
    total = np.zeros((SIZE, SIZE), np.float32)
    for (r, c), drop in zip(squares, p[0, digit] - p[1:, digit]):
        total[r : r + PATCH, c : c + PATCH] += drop
    return (total / _COVERAGE * x).astype(np.float32)


def occlusion(predict_proba, x: np.ndarray, digit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """x float32 [28, 28] -> (probabilities float32 [10] of x as it is, the occlusion map float32
    [28, 28] for `digit`, by default the digit read; see the module docstring)."""
    x = np.asarray(x, np.float32).reshape(SIZE, SIZE)
    squares, p = _read_occluded(predict_proba, x)
    return p[0], _drop_map(x, squares, p, int(np.argmax(p[0])) if digit is None else int(digit))


def explain(model, x: np.ndarray) -> dict:
    """What the page's "Why" shows, for a model with only predict_proba: explain.explain's keys,
    the saliency being the occlusion map and the activations only the output's probabilities
    (there are no layers to look into)."""
    x = np.asarray(x, np.float32).reshape(SIZE, SIZE)
    squares, p = _read_occluded(model.predict_proba, x)
    # the reading the page shows (second_look), so the "Why" explains that digit: its map comes
    # from the same batch, whichever digit the second look settles on
    probabilities = second_look.predict(model, x[None], first=p[:1])[0]
    digit = int(np.argmax(probabilities))
    saliency = _drop_map(x, squares, p, digit)
    top = np.argsort(probabilities)[::-1][:TOP].astype(np.int32)
    reason = unsure_reason(probabilities, x)
    return {
        "digit": digit,
        "probabilities": probabilities,
        "saliency": saliency,
        "activations": [{"label": "output", "values": probabilities.copy()}],
        "top": top,
        "top_p": probabilities[top],
        "unsure": reason is not None,
        "reason": reason or "",
    }
