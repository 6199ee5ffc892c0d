"""The training loop, free of I/O so the CLI (train.py) and, later, the browser can both drive it.

`TrainConfig` holds every hyper-parameter; `PRESETS` are the chosen ones per model (picked on the
validation split, never the test set), so `python -m inkling.training.train --model mlp` alone reproduces
the shipped weights. `Trainer.steps()` is a generator yielding after every batch, so a caller
that must stay responsive (a web worker) can run a few steps at a time; `Trainer.fit()` runs it
all with callbacks. Everything random (data order, augmentation, init, dropout) comes from the seed.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from inkling.data.augment import AugmentConfig, augment
from inkling.nn import optim, schedules
from inkling.nn.losses import softmax_cross_entropy
from inkling.nn.model import ARCHITECTURES, Sequential


@dataclass(frozen=True)
class TrainConfig:
    model: str = "mlp"  # key of model.ARCHITECTURES
    architecture: dict = field(default_factory=dict)  # keyword arguments of that builder
    epochs: int = 10
    batch_size: int = 128
    optimizer: str = "nesterov"  # "sgd", "nesterov", "adam" or "adamw"
    lr: float = 0.05  # peak learning rate
    momentum: float = 0.9  # SGD momentum (ignored by Adam)
    weight_decay: float = 5e-4
    schedule: str = "onecycle"  # "constant", "cosine", "onecycle" or "step"
    warmup_epochs: float = 0.0  # cosine only: linear warm-up
    label_smoothing: float = 0.0
    augment: bool = True
    augmentation: dict = field(default_factory=dict)  # AugmentConfig fields
    pen_share: float = 0.0  # share of each batch drawn as the pad draws (training/pen_twins.py's twins)
    seed: int = 0
    validation: int = 5000  # images held out of the training set
    subset: int | None = None  # train on this many images only (quick runs, tests)

    def to_dict(self) -> dict:
        return asdict(self)


PRESETS = {
    # Chosen on the 5000-image validation split, never the test set (the search: docs/benchmarks.md).
    # 784-512-128-10 (468,874 float32 parameters, 1.9 MB) is the widest pair under 2 MB.
    "mlp": TrainConfig(
        model="mlp",
        architecture={"hidden": [512, 128], "dropout": 0.0, "batchnorm": False},
        epochs=80,
        batch_size=128,
        optimizer="nesterov",
        lr=0.05,
        momentum=0.9,
        weight_decay=5e-4,
        schedule="onecycle",
        label_smoothing=0.1,
        augment=True,
        augmentation={
            "shift": 1.0,
            "rotate": 8.0,
            "scale": 0.08,
            "elastic_alpha": 0.5,
            "elastic_sigma": 4.0,
            "thickness": 0.0,
        },
    ),
    # Not tuned by a long search (an epoch takes about a minute on 2 CPU cores): the usual recipe for
    # this net (BatchNorm, dropout, one-cycle SGD, label smoothing) with a little more
    # augmentation than the MLP, which a convolutional net absorbs more easily.
    "cnn": TrainConfig(
        model="cnn",
        architecture={
            "channels": [32, 64],
            "kernel": 5,
            "padding": 0,
            "hidden": 128,
            "dropout": 0.3,
            "batchnorm": True,
        },
        # 40 epochs: validation accuracy still rose from 20 (docs/benchmarks.md).
        epochs=40,
        batch_size=128,
        optimizer="nesterov",
        lr=0.05,
        momentum=0.9,
        weight_decay=5e-4,
        schedule="onecycle",
        label_smoothing=0.1,
        augment=True,
        augmentation={
            "shift": 2.0,
            "rotate": 12.0,
            "scale": 0.12,
            "elastic_alpha": 1.0,
            "elastic_sigma": 4.0,
            "thickness": 0.3,
        },
        # 60 % of each batch drawn as the pad draws (data/tracer.py, training/pen_twins.py): the
        # higher mean of validation accuracy on the images and on their twins, of 0.3 and 0.6.
        pen_share=0.6,
    ),
}


def preset(model: str, **overrides) -> TrainConfig:
    """The chosen configuration for `model`, with any field overridden."""
    if model not in PRESETS:
        raise ValueError(f"no preset for model {model!r}; known: {sorted(PRESETS)}")
    return replace(PRESETS[model], **overrides)


def subset_indices(n: int, subset: int | None, seed: int) -> np.ndarray | None:
    """Sorted indices of a seeded random `subset` of range(n), or None for all of it."""
    if not subset or subset >= n:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, subset, replace=False))


def build_model(config: TrainConfig) -> Sequential:
    """A freshly initialised model for `config` (weights and dropout seeded by config.seed)."""
    return Sequential.from_config(ARCHITECTURES[config.model](**config.architecture), seed=config.seed)


def make_optimizer(config: TrainConfig) -> optim.Optimizer:
    name = config.optimizer
    if name in ("sgd", "nesterov"):
        return optim.SGD(
            config.lr, momentum=config.momentum, nesterov=name == "nesterov", weight_decay=config.weight_decay
        )
    if name in ("adam", "adamw"):
        cls = optim.AdamW if name == "adamw" else optim.Adam
        return cls(config.lr, weight_decay=config.weight_decay)
    raise ValueError(f"unknown optimizer {name!r}: sgd, nesterov, adam or adamw")


def make_schedule(config: TrainConfig, total_steps: int):
    """step -> learning rate over the whole run."""
    name, lr = config.schedule, config.lr
    if name == "constant":
        return lambda step: lr
    if name == "cosine":
        warmup = min(int(config.warmup_epochs * total_steps / max(config.epochs, 1)), total_steps - 1)
        return schedules.Cosine(lr, total_steps, warmup_steps=warmup)
    if name == "onecycle":
        # OneCycle needs a rise and a fall: at least 3 steps (tiny test runs may have fewer).
        return schedules.OneCycle(lr, max(total_steps, 3), pct_start=0.25)
    if name == "step":  # divide by 10 at 50 % and again at 75 % of the run
        return lambda step: lr * 0.1 ** ((step >= total_steps // 2) + (step >= 3 * total_steps // 4))
    raise ValueError(f"unknown schedule {name!r}: constant, cosine, onecycle or step")


def accuracy(model: Sequential, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> float:
    """Fraction of images [N, 28, 28] whose most probable class equals labels [N]."""
    if len(labels) == 0:
        return float("nan")
    predicted = model.predict_proba(images, batch_size=batch_size).argmax(axis=1)
    return float((predicted == labels).mean())


class Trainer:
    """Trains `model` on images [N, 28, 28] float32 / labels [N] int with `config`.

    pen_images (uint8 [N, 28, 28], optional): the same digits redrawn with the pad's pen
    (training/pen_twins.py); each image of a batch is swapped for its twin with probability
    config.pen_share, before augmentation. val_pen_images: the validation images' twins, whose
    accuracy each epoch reports too (how surely the model reads what the pad draws).
    """

    def __init__(
        self,
        model: Sequential,
        images: np.ndarray,
        labels: np.ndarray,
        config: TrainConfig,
        val_images=None,
        val_labels=None,
        pen_images=None,
        val_pen_images=None,
    ):
        self.model, self.config = model, config
        self.images = np.asarray(images, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.val_images, self.val_labels = val_images, val_labels
        if config.pen_share > 0 and (pen_images is None or len(pen_images) != len(self.labels)):
            raise ValueError("pen_share > 0 needs pen_images: one twin per training image")
        self.pen_images = pen_images if config.pen_share > 0 else None
        self.val_pen_images = val_pen_images
        # Independent streams from one seed: changing augmentation never changes the data order
        # (SeedSequence children are numbered, so adding the third left the first two as they were).
        order_seed, augment_seed, pen_seed = np.random.SeedSequence(config.seed).spawn(3)
        self.order_rng = np.random.default_rng(order_seed)
        self.augment_rng = np.random.default_rng(augment_seed)
        self.pen_rng = np.random.default_rng(pen_seed)
        self.augmentation = AugmentConfig(**config.augmentation)
        self.steps_per_epoch = max(1, len(self.labels) // config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        self.optimizer = make_optimizer(config)
        self.schedule = make_schedule(config, self.total_steps)
        self.step = 0
        self.history: list[dict] = []

    def train_batch(self, batch_images: np.ndarray, batch_labels: np.ndarray) -> tuple[float, float]:
        """One optimiser step; returns (loss, accuracy) on the batch."""
        if self.config.augment:
            batch_images = augment(batch_images, self.augment_rng, self.augmentation)
        logits = self.model.forward(batch_images, training=True)
        loss, grad = softmax_cross_entropy(logits, batch_labels, self.config.label_smoothing)
        self.model.backward(grad, input_grad=False)  # nothing needs dL/dimages here
        self.optimizer.lr = self.schedule(self.step)
        self.optimizer.step(self.model)
        self.step += 1
        return loss, float((logits.argmax(axis=1) == batch_labels).mean())

    def batch_images(self, batch: np.ndarray) -> np.ndarray:
        """float32 [len(batch), 28, 28]: the images at indices `batch`, some swapped for their twins."""
        images = self.images[batch]  # fancy indexing: a copy, safe to overwrite
        if self.pen_images is not None:
            swap = self.pen_rng.random(len(batch)) < self.config.pen_share
            images[swap] = self.pen_images[batch[swap]].astype(np.float32) / 255
        return images

    def steps(self):
        """Generator: trains every epoch, yielding a dict after each batch
        ({"epoch", "step", "total_steps", "loss", "accuracy", "lr"}: running means over the epoch)
        and one with "epoch_done": True and the epoch's record (also appended to self.history)."""
        size = self.config.batch_size
        for epoch in range(1, self.config.epochs + 1):
            started = time.perf_counter()
            order = self.order_rng.permutation(len(self.labels))
            loss_sum = correct_sum = 0.0
            for index in range(self.steps_per_epoch):
                batch = order[index * size : (index + 1) * size]  # leftover images wait a shuffle
                loss, acc = self.train_batch(self.batch_images(batch), self.labels[batch])
                loss_sum, correct_sum = loss_sum + loss, correct_sum + acc
                yield {
                    "epoch": epoch,
                    "step": self.step,
                    "total_steps": self.total_steps,
                    "loss": loss_sum / (index + 1),
                    "accuracy": correct_sum / (index + 1),
                    "lr": self.optimizer.lr,
                }
            record = {
                "epoch": epoch,
                "train_loss": loss_sum / self.steps_per_epoch,
                "train_accuracy": correct_sum / self.steps_per_epoch,
                "seconds": time.perf_counter() - started,
            }
            if self.val_labels is not None and len(self.val_labels):
                record["val_accuracy"] = accuracy(self.model, self.val_images, self.val_labels)
                if self.val_pen_images is not None:
                    pen = np.asarray(self.val_pen_images, np.float32) / 255
                    record["val_pen_accuracy"] = accuracy(self.model, pen, self.val_labels)
            self.history.append(record)
            yield {"epoch_done": True, **record}

    def fit(self, on_batch=None, on_epoch=None) -> list[dict]:
        """Run steps() to the end, calling on_batch(info) / on_epoch(record); returns the history."""
        for info in self.steps():
            callback = on_epoch if info.get("epoch_done") else on_batch
            if callback is not None:
                callback(info)
        return self.history
