"""Finite-difference gradient checking: the analytic gradient a backward pass computes against
the central difference (L(v + eps) - L(v - eps)) / (2 eps), in float64. Used by the Lab's
exercises and by the test suite (tests/gradcheck.py)."""

from __future__ import annotations

import numpy as np


def relative_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||): 0 when equal, ~1 when unrelated; 0 when both are 0."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0.0 else float(np.linalg.norm(analytic - numeric) / scale)


def central_difference(loss, array, indices, eps=1e-6):
    """dloss/darray at `indices` (flat), perturbing `array` in place and restoring it."""
    flat = array.reshape(-1)  # a view: `array` must be contiguous
    grad = np.empty(len(indices))
    for k, index in enumerate(indices):
        original = flat[index]
        flat[index] = original + eps
        plus = loss()
        flat[index] = original - eps
        minus = loss()
        flat[index] = original
        grad[k] = (plus - minus) / (2 * eps)
    return grad


def numeric_gradient(loss, array, eps=1e-6):
    """dloss/darray for every entry of `array` (float64, contiguous), same shape."""
    return central_difference(loss, array, range(array.size), eps).reshape(array.shape)
