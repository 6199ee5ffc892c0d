"""The Lab's exercises: a backward pass to complete, checked against finite differences.

Each exercise gives a forward computation and asks for its gradient. `check(id, code)` runs the
user's code, calls their function on random float64 inputs, and compares what it returns with the
central differences of a scalar loss built from the forward pass (inkling.lab.gradcheck). It
passes when the relative error is under TOLERANCE; the largest entry-wise error is reported
either way.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .gradcheck import numeric_gradient, relative_error

TOLERANCE = 1e-6  # central differences in float64 agree with a right gradient to ~1e-9 here


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    text: str
    function: str  # the name the user's code must define
    template: str
    # (user's function, rng) -> [(what, analytic gradient, numeric gradient)]
    compare: Callable


def _relu(fn, rng):
    x = rng.uniform(0.1, 1.0, (4, 5)) * rng.choice([-1.0, 1.0], (4, 5))  # away from the kink at 0
    g = rng.standard_normal((4, 5))  # L = sum(relu(x) * g), so dL/dy = g
    numeric = numeric_gradient(lambda: float((np.maximum(x, 0) * g).sum()), x)
    return [("dL/dx", fn(x.copy(), g.copy()), numeric)]


def _cross_entropy_loss(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(labels)), labels].mean())


def _softmax_ce(fn, rng):
    logits = rng.standard_normal((5, 10))
    labels = rng.integers(0, 10, 5)
    numeric = numeric_gradient(lambda: _cross_entropy_loss(logits, labels), logits)
    return [("dL/dlogits", fn(logits.copy(), labels.copy()), numeric)]


def _dense(fn, rng):
    x, w, b = rng.standard_normal((4, 6)), rng.standard_normal((6, 3)), rng.standard_normal(3)
    g = rng.standard_normal((4, 3))  # L = sum((x W + b) * g)

    def loss():
        return float(((x @ w + b) * g).sum())

    numeric = [numeric_gradient(loss, a) for a in (x, w, b)]
    got = fn(x.copy(), w.copy(), b.copy(), g.copy())
    if not (isinstance(got, tuple) and len(got) == 3):
        raise ValueError("dense_backward should return a tuple (dx, dW, db)")
    return list(zip(("dL/dx", "dL/dW", "dL/db"), got, numeric))


EXERCISES = [
    Exercise(
        "relu",
        "ReLU's backward",
        "y = max(x, 0). Given x and dL/dy (grad_out), return dL/dx.",
        "relu_backward",
        '''import numpy as np


def relu_backward(x, grad_out):
    """x: the ReLU's input [N, D]; grad_out: dL/dy, same shape. Return dL/dx."""
    return grad_out  # TODO: the gradient passes only where x > 0
''',
        _relu,
    ),
    Exercise(
        "softmax-ce",
        "Softmax cross-entropy's gradient",
        "L = mean over the batch of -log softmax(logits)[label]. Return dL/dlogits.",
        "cross_entropy_backward",
        '''import numpy as np


def cross_entropy_backward(logits, labels):
    """logits [N, 10], labels [N] (ints 0-9). L is the mean cross-entropy. Return dL/dlogits [N, 10]."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return p  # TODO: subtract the one-hot labels, and remember the mean over N
''',
        _softmax_ce,
    ),
    Exercise(
        "dense",
        "A Dense layer's backward",
        "y = x W + b. Given dL/dy (grad_out), return (dL/dx, dL/dW, dL/db).",
        "dense_backward",
        '''import numpy as np


def dense_backward(x, W, b, grad_out):
    """x [N, D_in], W [D_in, D_out], b [D_out], grad_out = dL/dy [N, D_out].
    Return (dx, dW, db) with the shapes of x, W and b."""
    dx = grad_out @ W.T
    dW = x @ grad_out  # TODO: fix the shapes: dW must be [D_in, D_out]
    db = grad_out[0]   # TODO: every row of the batch adds to db
    return dx, dW, db
''',
        _dense,
    ),
]
BY_ID = {e.id: e for e in EXERCISES}


def check(exercise_id: str, code: str, seed: int = 0) -> dict:
    """{"passed", "max_error" (largest |analytic - numeric| entry, or None), "relative_error",
    "message"}: the user's `code` run, its function checked on random inputs."""
    exercise = BY_ID.get(exercise_id)
    if exercise is None:
        raise ValueError(f"no exercise {exercise_id!r}; there are {', '.join(BY_ID)}")
    namespace = {"__name__": "__exercise__"}
    try:
        exec(compile(code, f"{exercise.id}.py", "exec"), namespace)  # noqa: S102 - running the user's code is the point
        fn = namespace.get(exercise.function)
        if not callable(fn):
            return _failed(f"define a function called {exercise.function}")
        results = exercise.compare(fn, np.random.default_rng(seed))
    except Exception as error:  # noqa: BLE001 - whatever the user's code raises is the answer
        return _failed(traceback.format_exception_only(type(error), error)[-1].strip())
    worst, worst_relative = 0.0, 0.0
    for what, analytic, numeric in results:
        analytic = np.asarray(analytic, np.float64)
        if analytic.shape != numeric.shape:
            return _failed(f"{what} has shape {list(analytic.shape)}, expected {list(numeric.shape)}")
        worst = max(worst, float(np.abs(analytic - numeric).max()))
        worst_relative = max(worst_relative, relative_error(analytic, numeric))
    passed = bool(worst_relative < TOLERANCE)
    verdict = "Pass" if passed else "Fail"
    return {
        "passed": passed,
        "max_error": worst,
        "relative_error": worst_relative,
        "message": f"{verdict}: largest error {worst:.2e} against finite differences "
        f"(relative {worst_relative:.1e}; pass below {TOLERANCE:.0e})",
    }


def _failed(message: str) -> dict:
    return {"passed": False, "max_error": None, "relative_error": None, "message": f"Fail: {message}"}
