"""A second look at what the model is unsure of: every reading of a digit goes through here.

    probabilities = second_look.predict(model, inputs)   # inputs float32 [k, 28, 28] -> [k, 10]

The model reads each input once. An input whose top probability is under SECOND_LOOK is read
four more times, moved one pixel up, down, left and right, and the five readings are averaged
(test-time augmentation). A digit the model is sure of costs nothing more; for a doubtful one the
four shifted copies are read in one batch, so reading a digit never costs more than five forward
passes. Why shifts and why only doubtful digits: a framed digit's position within a pixel is
chance (where the pen went), and the model's doubt about a digit is often doubt about where
its strokes fall; other views (turns, scales, thicker ink) helped less or harmed, and a sure
reading gains nothing from a second look (docs/benchmarks.md, "A second look").

Every caller that turns inputs into a reading uses this (number.py, regroup.py, explain.py,
occlusion.py, the worker's single-picture paths), so a digit reads the same in the number, in
the big Prediction and in the "Why".
"""

from __future__ import annotations

import numpy as np

SECOND_LOOK = 0.8  # below this top probability the model looks again (label smoothing: sure is ~0.92)
SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))  # (dy, dx) in pixels of the 28x28 input


def shifted(inputs: np.ndarray) -> np.ndarray:
    """inputs [k, H, W] -> [len(SHIFTS) * k, H, W]: every input moved by each of SHIFTS, shift by
    shift (all inputs moved by the first, then the second...), blank where the move uncovers."""
    _, h, w = inputs.shape
    padded = np.pad(inputs, ((0, 0), (1, 1), (1, 1)))
    return np.concatenate([padded[:, 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w] for dy, dx in SHIFTS])


def predict(model, inputs: np.ndarray, first: np.ndarray | None = None) -> np.ndarray:
    """float32 [k, 10]: model.predict_proba of inputs [k, 28, 28], with the doubtful ones (top
    probability < SECOND_LOOK) averaged with their shifted copies' readings. `first`: the
    model's own probabilities for inputs, when the caller already has them."""
    inputs = np.asarray(inputs, np.float32)
    proba = np.array(model.predict_proba(inputs) if first is None else first, np.float32).reshape(-1, 10)
    doubtful = np.flatnonzero(proba.max(axis=1) < SECOND_LOOK)
    if doubtful.size:
        again = np.asarray(model.predict_proba(shifted(inputs[doubtful])), np.float32)
        again = again.reshape(len(SHIFTS), doubtful.size, 10)
        proba[doubtful] = (proba[doubtful] + again.sum(axis=0)) / (len(SHIFTS) + 1)
    return proba
