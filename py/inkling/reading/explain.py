"""Why the model reads what it reads: saliency, every layer's activations, the top three, and
whether to say "unsure".

Saliency is the gradient of the chosen class's score (its logit, before the softmax) with respect
to the 28x28 input, from the model's own backward pass: where a little more ink would raise the
score (> 0) or lower it (< 0). One forward pass serves both the saliency and the activations.

Unsure (thresholds measured on the 10,000 MNIST test digits with the shipped models, both
trained with label smoothing 0.1, so a clear digit reads at about 0.92, the median):
- the top probability is below P_UNSURE (CNN 1.1 % of MNIST test digits, MLP 2.5 %), or
- the entropy of the probabilities is above ENTROPY_UNSURE nats (CNN 0.8 %, MLP 2.2 %; beyond
  the first rule only 0.02 % / 0.16 %: a reading torn three ways; a uniform guess over 10 digits
  is 2.3 nats), or
- the input looks like no digit at all (0.03 % of MNIST):
  - ink covers more than COVERAGE_MAX of the 28x28 field (pixels > 0.5; MNIST: at most 0.33,
    99.9th percentile 0.29): a scribble or a filled blob, or
  - the ink falls apart into more than MAX_FRAGMENTS pieces of 3+ pixels (MNIST: 99.5 % one
    piece, none more than 3): scattered marks or noise.
Altogether the CNN is unsure of 1.1 % of MNIST test digits, among them 30 of its 44 errors (the
MLP: 2.6 %, 60 of its 80 errors).
"""

from __future__ import annotations

import numpy as np

from inkling.nn.losses import softmax

from . import second_look
from .segment import label_components

P_UNSURE = 0.6
ENTROPY_UNSURE = 1.4
COVERAGE_MAX = 0.38
MAX_FRAGMENTS = 3
TOP = 3


def trace(model, x: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Forward x [28, 28] through the model (inference mode), keeping each hidden layer's output.

    Returns (logits float32 [10], activations): one entry a hidden layer, taken after its ReLU,
    {"label": "conv 1" | "dense 1" | ..., "values": float32 [C, H, W] for conv feature maps or
    [units] for dense layers}, then {"label": "output", "values": logits [10]}. A float64 x runs
    in float64 (for gradient checks); anything else in float32.
    """
    x = np.asarray(x)
    out = (x if x.dtype == np.float64 else x.astype(np.float32))[None]  # float64: exact checks
    activations, kinds, last = [], {}, None
    for layer in model.layers:
        out = layer.forward(out, training=False)
        name = type(layer).__name__
        if name in ("Conv2D", "Dense"):
            kind = "conv" if name == "Conv2D" else "dense"
            kinds[kind] = kinds.get(kind, 0) + 1
            last = f"{kind} {kinds[kind]}"
        elif name == "ReLU" and last is not None:
            activations.append({"label": last, "values": np.asarray(out[0], np.float32).copy()})
    logits = np.asarray(out[0], np.float32)
    activations.append({"label": "output", "values": logits.copy()})
    return logits, activations


def saliency(model, digit: int) -> np.ndarray:
    """d(logit of `digit`) / d(input) float32 [28, 28], for the input of the model's last forward
    pass (trace() or forward(), one image). Fills the layers' grads as a side effect; harmless
    for a model used only to predict."""
    grad = np.zeros((1, 10), np.float32)
    grad[0, int(digit)] = 1.0
    return np.asarray(model.backward(grad), np.float32).reshape(28, 28)


def no_digit_reason(x: np.ndarray) -> str | None:
    """Why the 28x28 input x looks like no digit at all, or None if it could be one."""
    coverage = float(np.mean(x > 0.5))
    if coverage > COVERAGE_MAX:
        return "there is too much ink for a digit"
    labels, n = label_components(x > 0.35)
    fragments = int(np.count_nonzero(np.bincount(labels.reshape(-1))[1:] >= 3)) if n else 0
    if fragments > MAX_FRAGMENTS:
        return "the ink is scattered in many pieces"
    return None


def unsure_reason(probabilities: np.ndarray, x: np.ndarray) -> str | None:
    """Why to say "unsure" about this reading (see the module docstring), or None."""
    p = np.asarray(probabilities, np.float64)
    reason = no_digit_reason(x)
    if reason:
        return f"This doesn't look like a digit: {reason}."
    top = int(np.argmax(p))
    runner = int(np.argsort(p)[-2])
    if p[top] < P_UNSURE:
        return f"Not sure: {top} or {runner}?"
    entropy = float(-(p * np.log(np.clip(p, 1e-12, 1))).sum())
    if entropy > ENTROPY_UNSURE:
        return f"Not sure: the model spreads its bets ({top} or {runner}?)."
    return None


def explain(model, x: np.ndarray) -> dict:
    """Everything the page's "Why" section shows, for one 28x28 input x (ink = 1).

    Returns {"digit": int, "probabilities": float32 [10], "saliency": float32 [28, 28],
    "activations": [{"label", "values"}...] (see trace), "top": int32 [3], "top_p": float32 [3],
    "unsure": bool, "reason": str ("" when sure)}.
    """
    logits, activations = trace(model, x)
    digit = int(np.argmax(logits))
    why = saliency(model, digit)  # before any other forward pass: it reads the last one's caches
    # The reading the page shows (second_look: the model looks again when it doubts), so the
    # "Why" explains that; if the second look changed the digit, the saliency is of the new one.
    probabilities = second_look.predict(model, np.asarray(x)[None], first=softmax(logits[None]))[0]
    if int(np.argmax(probabilities)) != digit:
        digit = int(np.argmax(probabilities))
        trace(model, x)
        why = saliency(model, digit)
    top = np.argsort(probabilities)[::-1][:TOP].astype(np.int32)
    reason = unsure_reason(probabilities, x)
    return {
        "digit": digit,
        "probabilities": probabilities,
        "saliency": why,
        "activations": activations,
        "top": top,
        "top_p": probabilities[top],
        "unsure": reason is not None,
        "reason": reason or "",
    }
