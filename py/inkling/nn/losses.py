"""Softmax cross-entropy, with optional label smoothing, computed stably from logits.

Shapes: logits [N, K]; labels [N] integer classes. The loss is the batch mean of
-sum_k target[k] * log softmax(logits)[k], where target is the one-hot label, or with label
smoothing eps: (1 - eps) * one_hot + eps / K (Szegedy et al. 2016).
"""

import numpy as np


def log_softmax(logits):
    """[N, K] -> [N, K]; shifting by the row max keeps exp() from overflowing."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits):
    """[N, K] -> [N, K] probabilities, each row summing to 1."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def smoothed_targets(labels, num_classes, label_smoothing=0.0, dtype=np.float64):
    """[N] integer labels -> [N, K] target distributions."""
    labels = np.asarray(labels)
    targets = np.full((labels.shape[0], num_classes), label_smoothing / num_classes, dtype=dtype)
    targets[np.arange(labels.shape[0]), labels] += 1.0 - label_smoothing
    return targets


def softmax_cross_entropy(logits, labels, label_smoothing=0.0):
    """Mean loss (a Python float) and its gradient dL/dlogits [N, K] (in the logits' dtype).

    The gradient is (softmax(logits) - target) / N: the softmax and the log cancel, so it never
    divides by a probability and stays finite for any logits.
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    n, k = logits.shape
    targets = smoothed_targets(labels, k, label_smoothing, dtype=logits.dtype)
    log_probs = log_softmax(logits)
    loss = -float((targets * log_probs).sum(dtype=np.float64)) / n
    grad = (np.exp(log_probs) - targets) / logits.dtype.type(n)
    return loss, grad
