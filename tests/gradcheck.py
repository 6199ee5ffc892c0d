"""Finite-difference gradient checking, shared by the pytest suite and the in-Pyodide run.

A layer (or a Sequential) is reduced to a scalar loss L = sum(forward(x) * R) with a fixed
random R, so backward(R) must return dL/dx and fill dL/dparam. Each checked entry is compared
with the central difference (L(v + eps) - L(v - eps)) / (2 eps), computed in float64.
"""

import numpy as np

from inkling.lab.gradcheck import central_difference, relative_error  # noqa: F401 (used by the tests too)


def check_gradients(layer, x, training=True, before_forward=None, max_checks=60, eps=1e-6, seed=0):
    """Relative error of the analytic gradient for x and every parameter: {"x": e, "W": e, ...}.

    layer: has forward(x, training), backward(grad_out) and params (a dict, or a method returning
        one, as on Sequential). Use float64 parameters and a float64 x.
    before_forward: called before every forward (e.g. to replay the same dropout mask).
    max_checks: entries checked per array, chosen at random (all when the array is smaller).
    """
    if x.dtype != np.float64:
        raise ValueError("gradient checks need float64 inputs; float32 is too coarse for eps")
    rng = np.random.default_rng(seed)
    params = layer.params() if callable(layer.params) else layer.params
    for name, value in params.items():
        if value.dtype != np.float64:
            raise ValueError(f"parameter {name} is {value.dtype}; build the layer in float64")
    x = np.ascontiguousarray(x).copy()

    def forward():
        if before_forward is not None:
            before_forward(layer)
        return layer.forward(x, training=training)

    projection = rng.standard_normal(forward().shape)

    def loss():
        return float(np.sum(forward() * projection))

    forward()
    grad_x = layer.backward(projection.copy())
    grads = layer.grads() if callable(layer.grads) else layer.grads
    analytic = {"x": grad_x, **{name: grads[name].copy() for name in params}}
    arrays = {"x": x, **params}

    errors = {}
    for name, array in arrays.items():
        if analytic[name].shape != array.shape:
            raise AssertionError(f"gradient of {name} has shape {analytic[name].shape}, expected {array.shape}")
        count = min(array.size, max_checks)
        indices = rng.choice(array.size, size=count, replace=False)
        numeric = central_difference(loss, array, indices, eps)
        errors[name] = relative_error(analytic[name].reshape(-1)[indices], numeric)
    return errors
