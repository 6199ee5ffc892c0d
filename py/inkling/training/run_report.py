"""What a finished training run got wrong: the confusion matrix and the misclassified test digits.

Computed from the run's final evaluation on the 10k test set (labels [N], probabilities [N, 10]);
the Train panel shows both once a run ends. Plain NumPy, the same in CPython and Pyodide.
"""

from __future__ import annotations

import numpy as np

CLASSES = 10


def confusion_matrix(labels, predicted, classes: int = CLASSES) -> np.ndarray:
    """int64 [classes, classes]: row = true label, column = predicted label, value = count.

    Its sum is len(labels) and its trace the number read right (so trace / sum = accuracy)."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    predicted = np.asarray(predicted, dtype=np.int64).reshape(-1)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels {labels.shape} and predicted {predicted.shape} differ in length")
    for name, values in (("labels", labels), ("predicted", predicted)):
        if values.size and (values.min() < 0 or values.max() >= classes):
            raise ValueError(f"{name} must lie in 0..{classes - 1}")
    # bincount wants the platform's index type: int32 in Pyodide (wasm32), int64 in CPython.
    counts = np.bincount((labels * classes + predicted).astype(np.intp), minlength=classes * classes)
    return counts.reshape(classes, classes).astype(np.int64)


def misclassified(images, labels, proba, limit: int = 48) -> dict:
    """Up to `limit` test digits the model read wrong, the surest mistakes first (ties: lower index).

    images uint8 or float [N, 28, 28]; labels [N]; proba [N, 10]. Returns plain arrays for the page:
    index int32 [k] (position in the test set), label int32 [k], predicted int32 [k],
    proba float32 [k * 10] (row-major), images uint8 [k * 784] (0..255, ink = 255), total (all wrong)."""
    proba = np.asarray(proba, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    images = np.asarray(images)
    if proba.ndim != 2 or len(proba) != len(labels) or len(images) != len(labels):
        raise ValueError(
            f"images {images.shape}, labels {labels.shape} and proba {proba.shape} must hold the same number of digits"
        )
    predicted = proba.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = proba[wrong, predicted[wrong]]
    order = wrong[np.lexsort((wrong, -confidence))][: max(0, int(limit))]
    picked = images[order]
    if picked.dtype != np.uint8:  # float [0, 1] -> bytes
        picked = np.clip(np.rint(picked.astype(np.float32) * 255), 0, 255).astype(np.uint8)
    return {
        "index": order.astype(np.int32),
        "label": labels[order].astype(np.int32),
        "predicted": predicted[order].astype(np.int32),
        "proba": proba[order].reshape(-1).astype(np.float32),
        "images": picked.reshape(-1),
        "total": int(len(wrong)),
    }


def report(images, labels, proba, limit: int = 48) -> dict:
    """Both, flattened for the worker: confusion int32 [100] (row-major), accuracy, the gallery."""
    labels = np.asarray(labels).reshape(-1)
    matrix = confusion_matrix(labels, np.asarray(proba).argmax(axis=1))
    return {
        "confusion": matrix.reshape(-1).astype(np.int32),
        "tested": int(matrix.sum()),
        "accuracy": float(np.trace(matrix) / max(1, matrix.sum())),
        "misclassified": misclassified(images, labels, proba, limit),
    }
