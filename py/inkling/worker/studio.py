"""Training in the browser: what the worker's train-handlers.js calls (plain values in and out).

One training run at a time. The worker hands over the four MNIST IDX files (already checked
against dist/mnist/manifest.json and decompressed), starts a run, then calls `run_chunk(ms)`
over and over: each call trains (or evaluates) for about `ms` milliseconds and returns where the
run stands, so the worker can answer predictions, Pause and Stop between chunks. `finish()` hands
the trained model to inkling.worker.app under a new name, so the pad can use it at once.
"""

from __future__ import annotations

import time

import numpy as np

from inkling.data import mnist
from inkling.nn import ops
from inkling.training import run_report
from inkling.training.trainer import TrainConfig, Trainer, build_model, subset_indices

from . import app

_data: dict[str, np.ndarray] = {}  # "train-images" ... -> parsed arrays
_run: Run | None = None
_count = 0  # trained models so far: names my-mlp-1, my-cnn-2, ...
_report_proba = None  # test probabilities [10000, 10] of the last finished run, for report()

# The small CNN: the widest whose epoch stays well within 2 minutes in the page; wider ones gain
# about 0.1 point for 1.5-3.4x the work (docs/benchmarks.md, the Train panel's small CNN).
SMALL_CNN = {"channels": [8, 16], "kernel": 5, "padding": 0, "hidden": 64, "dropout": 0.0, "batchnorm": True}
EVAL_BATCH = 250  # test images a step of the evaluation: short enough to keep chunks ~100 ms


def set_data(name: str, raw) -> list[int]:
    """Store one raw (decompressed) IDX file; returns its shape."""
    if name not in mnist.FILES:
        raise ValueError(f"unknown MNIST file {name!r}; known: {sorted(mnist.FILES)}")
    array = mnist.parse_idx(bytes(raw), name)
    _data[name] = array
    return list(array.shape)


def has_data() -> bool:
    return set(_data) == set(mnist.FILES)


def data(name: str) -> np.ndarray:
    """The parsed MNIST file `name` ("train-images": uint8 [N, 28, 28], ...) for other modules
    (inkling.worker.library's fine-tuning); ValueError until the worker has loaded it."""
    if name not in _data:
        raise ValueError("MNIST is not loaded yet: it downloads with the Train panel's data")
    return _data[name]


def _images(name: str, pick=None) -> np.ndarray:
    # Raw MNIST / 255, not normalize_digit: MNIST digits are already framed the way the pad's
    # drawings are normalised (20x20 box, centred by mass), and re-framing 60,000 images in
    # Pyodide would cost more than an epoch of the small MLP.
    images = _data[name] if pick is None else _data[name][pick]
    return _scaled(images)


def _scaled(images: np.ndarray) -> np.ndarray:
    """uint8 images -> float32 in [0, 1], in one allocation: the worker's wasm heap keeps its
    high-water mark for good, so no float32 temporary the size of the data set."""
    return np.multiply(images, np.float32(1 / 255), dtype=np.float32)


def parse_hidden(text) -> list[int]:
    sizes = [int(s) for s in str(text).replace(" ", "").split(",") if s]
    if not sizes or any(not 1 <= s <= 4096 for s in sizes) or len(sizes) > 4:
        raise ValueError(f"hidden sizes {text!r}: one to four whole numbers in 1..4096, e.g. 256,128")
    return sizes


def make_config(
    model="mlp",
    hidden="128",
    optimizer="nesterov",
    lr=1.0,
    batch_size=128,
    epochs=1,
    augment=False,
    subset=None,
    seed=0,
) -> TrainConfig:
    """The run's TrainConfig; the defaults are the Train panel's for the MLP (web/index.html).

    The MLP has BatchNorm after each hidden Dense: with it, one epoch of 784-128-10 reaches
    97.5 % on MNIST's test set at a high learning rate, without it not (docs/benchmarks.md).
    """
    if model == "mlp":
        architecture = {"hidden": parse_hidden(hidden), "dropout": 0.0, "batchnorm": True}
    elif model == "cnn":
        architecture = dict(SMALL_CNN)
    else:
        raise ValueError(f"model must be mlp or cnn, not {model!r}")
    if not (0 < float(lr) <= 10 and 1 <= int(batch_size) <= 4096 and 1 <= int(epochs) <= 100):
        raise ValueError("learning rate in (0, 10], batch size in 1..4096, epochs in 1..100")
    return TrainConfig(
        model=model,
        architecture=architecture,
        epochs=int(epochs),
        batch_size=int(batch_size),
        optimizer=optimizer,
        lr=float(lr),
        schedule="onecycle",
        label_smoothing=0.1,
        augment=bool(augment),
        augmentation={"shift": 1.0, "rotate": 8.0, "scale": 0.08},
        seed=int(seed),
        validation=0,
        subset=int(subset) if subset else None,
    )


class Run:
    """One training run as a generator of small steps: a batch, or a slice of the evaluation."""

    def __init__(self, config: TrainConfig):
        if not has_data():
            raise ValueError("MNIST is not loaded yet")
        pick = subset_indices(len(_data["train-labels"]), config.subset, config.seed)
        labels = _data["train-labels"] if pick is None else _data["train-labels"][pick]
        self.config = config
        self.model = build_model(config)
        self.trainer = Trainer(self.model, _images("train-images", pick), labels, config)
        self.test_images = _data["test-images"]  # uint8, scaled a batch at a time
        self.test_labels = _data["test-labels"].astype(np.int64)
        self.steps = self._steps()
        self.state = {
            "epoch": 0,
            "epochs": config.epochs,
            "step": 0,
            "total_steps": self.trainer.total_steps,
            "loss": None,
            "test_accuracy": None,
            "history": [],
            "images_per_s": 0.0,
            "eta_s": None,
            "done": False,
            "phase": "train",
            "tested": 0,
            "test_size": len(self.test_labels),
            "chunk_loss": None,
            "elapsed_s": 0.0,
            "train_s": 0.0,
            "matmul": ops.backend(),
        }  # who does the products: "wasm" in the page
        self.train_seconds = 0.0
        self.test_proba = None  # [10000, 10] float32 of the last finished evaluation
        self.batch_loss = None  # the last batch's own loss (the trainer reports epoch means)
        self._epoch_loss_sum = 0.0

    def _steps(self):
        for info in self.trainer.steps():
            if not info.get("epoch_done"):
                self.state.update(epoch=info["epoch"], step=info["step"], loss=info["loss"], phase="train")
                done = info["step"] - (info["epoch"] - 1) * self.trainer.steps_per_epoch
                loss_sum = info["loss"] * done  # mean over the epoch so far * batches
                self.batch_loss = loss_sum - (self._epoch_loss_sum if done > 1 else 0.0)
                self._epoch_loss_sum = loss_sum
                yield "train"
                continue
            correct = 0
            all_proba = np.empty((len(self.test_labels), 10), np.float32)
            for start in range(0, len(self.test_labels), EVAL_BATCH):
                proba = self.model.predict_proba(_scaled(self.test_images[start : start + EVAL_BATCH]))
                all_proba[start : start + EVAL_BATCH] = proba
                correct += int((proba.argmax(axis=1) == self.test_labels[start : start + EVAL_BATCH]).sum())
                self.state.update(phase="test", tested=min(start + EVAL_BATCH, len(self.test_labels)))
                yield "evaluate"
            acc = correct / len(self.test_labels)
            self.test_proba = all_proba
            self.state["test_accuracy"] = acc
            self.state["history"].append(
                {"epoch": info["epoch"], "train_loss": info["train_loss"], "test_accuracy": acc}
            )

    def chunk(self, budget_ms: float) -> dict:
        begin = time.perf_counter()
        end = begin + budget_ms / 1000
        losses = []  # this chunk's batch losses: one smoothed point for the live chart
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            kind = next(self.steps, None)
            if kind is None:
                self.state["done"] = True
                break
            if kind == "train":
                self.train_seconds += time.perf_counter() - t0
                losses.append(self.batch_loss)
        s = self.state
        s["chunk_loss"] = float(np.mean(losses)) if losses else None
        s["elapsed_s"] += time.perf_counter() - begin
        images = s["step"] * self.config.batch_size
        s["train_s"] = self.train_seconds
        s["images_per_s"] = images / self.train_seconds if self.train_seconds else 0.0
        left = (s["total_steps"] - s["step"]) * self.config.batch_size
        s["eta_s"] = left / s["images_per_s"] if s["images_per_s"] else None
        return dict(s, history=list(s["history"]))


def start(**options) -> dict:
    """Begin a run (replacing any other); options as make_config's."""
    global _run
    _run = Run(make_config(**options))
    return _run.chunk(0)


def run_chunk(budget_ms: float = 100) -> dict:
    if _run is None:
        raise ValueError("no training run: start one first")
    return _run.chunk(budget_ms)


def finish() -> dict:
    """End the run (done or stopped) and give its model to inkling.worker.app as my-<kind>-<n>."""
    global _run, _count, _report_proba
    if _run is None:
        raise ValueError("no training run to finish")
    run, _run = _run, None
    _report_proba = run.test_proba  # not the run: it holds the training images
    _count += 1
    name = f"my-{run.config.model}-{_count}"
    app.register_model(name, run.model)
    return {
        "name": name,
        "test_accuracy": run.state["test_accuracy"],
        "parameters": run.model.parameter_count(),
        "steps": run.state["step"],
    }


def report(limit: int = 48) -> dict:
    """The confusion matrix and the surest mistakes of the last finished run's final evaluation
    on the 10k test set (see run_report.report); {"tested": 0} when it stopped before one."""
    if _count == 0:
        raise ValueError("no finished training run to report on")
    if _report_proba is None:
        return {"tested": 0}
    return run_report.report(_data["test-images"], _data["test-labels"], _report_proba, limit)
