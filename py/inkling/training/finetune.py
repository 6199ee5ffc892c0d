"""Fine-tune a model on the user's own digits (the page's Teach mode), keeping its MNIST accuracy.

The user's samples are the 28x28 inputs the model saw for drawings it got wrong, each with the
digit the user says it is: a handful, so alone they would pull the model away from MNIST. Every
step therefore mixes 8 of them (lightly augmented, so the model learns the digit rather than the
exact pixels) with a replay batch of 248 MNIST training images, for 30 steps. Only the head
learns (split(): the last two Dense layers; a CNN's convolutions stay frozen), in inference
mode: BatchNorm keeps its running statistics (a handful of odd samples must not shift how every
later input is normalised) and dropout is off. Measured in CPython on 10-20 distorted digits the
shipped models misread: training the whole CNN with training-mode BatchNorm and 48 replay images
a step lost ~1 point of MNIST test accuracy; this recipe learns 70-100 % of the digits and
loses at most ~0.1 point (bench/finetune_bench.py --cpython). The frozen body also means MNIST's features
are computed once: replay and evaluation then cost only the head (inkling.worker.tuning).

Shapes: samples / images float32 [N, 28, 28] in [0, 1] (ink = 1); labels int [N] in 0..9.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from inkling.data.augment import AugmentConfig, augment
from inkling.nn.losses import softmax_cross_entropy
from inkling.nn.model import Sequential
from inkling.nn.optim import SGD

MAX_SAMPLES = 2000  # more than anyone draws; keeps a step's batch bounded


@dataclass(frozen=True)
class FinetuneConfig:
    steps: int = 30
    user_per_batch: int = 8  # user samples a step (drawn with replacement when fewer)
    replay_per_batch: int = 248  # MNIST images a step: cheap, only their features go through the head
    lr: float = 0.05
    momentum: float = 0.9
    label_smoothing: float = 0.1  # as the models were trained
    augmentation: dict = field(
        default_factory=lambda: {"shift": 1.5, "rotate": 10.0, "scale": 0.1, "elastic_alpha": 0.5}
    )
    seed: int = 0


def copy_model(model: Sequential) -> Sequential:
    """An independent copy (same architecture and arrays): fine-tuning never changes the original."""
    twin = Sequential.from_config(model.config())
    twin.load_arrays({key: value.copy() for key, value in model.arrays().items()})
    return twin


def accuracy(model: Sequential, images: np.ndarray, labels: np.ndarray) -> float | None:
    """Share of `images` the model reads as `labels` (None when there are none)."""
    if len(labels) == 0:
        return None
    return float((model.predict_proba(images).argmax(axis=1) == np.asarray(labels)).mean())


def check_samples(samples, labels) -> tuple[np.ndarray, np.ndarray]:
    """float32 [N, 28, 28] and int64 [N], refusing anything else with a clear ValueError."""
    samples = np.asarray(samples, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if samples.ndim == 2 and samples.shape[1] == 28 * 28:
        samples = samples.reshape(-1, 28, 28)
    if samples.shape[1:] != (28, 28) or len(samples) != len(labels):
        raise ValueError(f"samples {samples.shape} and labels {labels.shape} do not match ([N, 28, 28] and [N])")
    if len(labels) == 0:
        raise ValueError("no samples yet: choose the right digit under a wrong prediction first")
    if len(labels) > MAX_SAMPLES:
        raise ValueError(f"{len(labels)} samples; at most {MAX_SAMPLES} are used")
    if labels.min() < 0 or labels.max() > 9 or not np.isfinite(samples).all():
        raise ValueError("labels must be digits 0..9 and samples finite numbers")
    return np.clip(samples, 0.0, 1.0), labels


HEAD_DENSE = 2  # the head: the last two Dense layers and what follows them


def split(model: Sequential) -> tuple[Sequential, Sequential]:
    """(body, head) sharing `model`'s layers: the head starts at the last HEAD_DENSE Dense layers.

    Only the head is fine-tuned: a CNN's convolutions (and a wide MLP's first layer) stay as
    MNIST made them (a handful of samples cannot teach good filters), and the body's features of
    MNIST images can be computed once and reused for every step and every evaluation.
    """
    dense = [i for i, layer in enumerate(model.layers) if layer.config()["type"] == "Dense"]
    first = dense[-HEAD_DENSE] if len(dense) >= HEAD_DENSE else (dense[0] if dense else 0)
    return Sequential(model.layers[:first]), Sequential(model.layers[first:])


def features(body: Sequential, images: np.ndarray, batch_size: int = 250) -> np.ndarray:
    """body(images) in inference mode, float32 [N, ...], a batch at a time."""
    parts = [
        body.forward(np.asarray(images[i : i + batch_size], np.float32)) for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros((0,), np.float32)


def head_accuracy(head: Sequential, feats: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy from body features: the same figure as accuracy() on the images."""
    return float((head.predict_proba(feats).argmax(axis=1) == np.asarray(labels)).mean())


def tune_steps(
    tuned: Sequential,
    samples: np.ndarray,
    labels: np.ndarray,
    replay_features: np.ndarray,
    replay_labels: np.ndarray,
    config: FinetuneConfig = FinetuneConfig(),
):
    """Generator: trains the head of `tuned` in place (see split), one SGD step per next(),
    yielding the step number. A step: config.user_per_batch user samples, augmented, through
    the frozen body, plus config.replay_per_batch MNIST images' body features (replay_features,
    features() of MNIST training images prepared the way the model's inputs are)."""
    body, head = split(tuned)
    rng = np.random.default_rng(config.seed)
    shapes = AugmentConfig(**config.augmentation)
    optimizer = SGD(config.lr, momentum=config.momentum, nesterov=True)
    replay_labels = np.asarray(replay_labels, dtype=np.int64)
    for step in range(1, config.steps + 1):
        mine = rng.integers(0, len(labels), config.user_per_batch)
        replay = rng.integers(0, len(replay_labels), config.replay_per_batch)
        mine_features = body.forward(augment(samples[mine], rng, shapes))
        batch = np.concatenate([mine_features, replay_features[replay]]).astype(np.float32, copy=False)
        targets = np.concatenate([labels[mine], replay_labels[replay]])
        logits = head.forward(batch, training=False)  # BatchNorm frozen, no dropout
        _, grad = softmax_cross_entropy(logits, targets, config.label_smoothing)
        head.backward(grad, input_grad=False)
        optimizer.step(head)
        yield step


def finetune(
    model: Sequential,
    samples,
    labels,
    replay_images: np.ndarray,
    replay_labels: np.ndarray,
    config: FinetuneConfig = FinetuneConfig(),
) -> Sequential:
    """A fine-tuned copy of `model`: all of tune_steps at once, from replay images."""
    samples, labels = check_samples(samples, labels)
    tuned = copy_model(model)
    replay_features = features(split(tuned)[0], replay_images)
    for _ in tune_steps(tuned, samples, labels, replay_features, replay_labels, config):
        pass
    return tuned
