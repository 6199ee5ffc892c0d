"""Teach mode's fine-tuning as a job the worker steps through in ~100 ms chunks (like a training
run in inkling.worker.studio), so the pad keeps answering while MNIST is prepared, the model tuned
(inkling.training.finetune) and MNIST accuracy measured before and after.

Only the model's head is tuned (finetune.split), so MNIST images go through the frozen body once
per model body: those features (cached here, keyed by the body's arrays) make every replay step
and both evaluations cost the head alone. The first fine-tuning of a CNN in a session pays for
reading 13,000 images through its convolutions; later ones take seconds.

That one-time part is also a job of its own (Prep: prepare(model), prepare_chunk(budget_ms)), which
the page starts in the background when the user shows intent (a taught sample), so that the click
on "Fine-tune" finds the features cached and waits for the training and the evaluations alone.

start(model, samples, labels) -> state; chunk(budget_ms) -> state, until state["finished"];
finish() registers <model>-tuned-<n> (inkling.worker.library) and returns the figures. fine_tune() does
all three at once (CPython, tests, bench/finetune_bench.py).

MNIST is the Train panel's data (inkling.studio.data), prepared the way the model's inputs were
in training (library.input_kind): "normalized" = preprocess.normalize_digit of each image (the
shipped models), "raw" = MNIST / 255 (models trained in the page). The MNIST figures are on all
10,000 test images; "user" is accuracy on the taught samples themselves.
"""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np

from inkling.nn import weights
from inkling.training import finetune

from . import app, library, studio

REPLAY = 3000  # MNIST training images replayed (a seeded pick)
MAX_DROP = 0.005  # fine-tuning may cost at most 0.5 points of MNIST test accuracy
ATTEMPTS = 3  # the learning rate is halved after a run that lost more
SLICE = 250  # images prepared or evaluated between two looks at the clock

_prepared: dict[tuple, tuple] = {}  # (split, input kind) -> (images float32, labels int64)
_features: dict[tuple, np.ndarray] = {}  # (body digest, split, input kind) -> body features
MAX_FEATURES = 4  # cached feature sets (a CNN's test set: 41 MB)
_job: Job | None = None
_prep: Prep | None = None


def _prepare(split: str, kind: str, state: dict):
    """Generator returning MNIST `split` prepared for `kind`, a slice per step; cached."""
    if (split, kind) in _prepared:
        return _prepared[(split, kind)]
    images, labels = studio.data(f"{split}-images"), studio.data(f"{split}-labels")
    if split == "train":
        pick = np.sort(np.random.default_rng(0).choice(len(labels), REPLAY, replace=False))
        images, labels = images[pick], labels[pick]
    if kind == "normalized":
        from inkling.data.preprocess import normalize_batch

        parts = []
        for start in range(0, len(images), SLICE):
            parts.append(normalize_batch(images[start : start + SLICE]))
            state.update(phase=f"prepare-{split}", done=start + len(parts[-1]), total=len(images))
            yield
        x = np.concatenate(parts)
    else:
        x = images.astype(np.float32) * np.float32(1 / 255)
    _prepared[(split, kind)] = (x, labels.astype(np.int64))
    return _prepared[(split, kind)]


def body_digest(body) -> str:
    """Names a body by its layers and arrays: tuned models share their parent's body."""
    digest = hashlib.sha256(json.dumps(body.config(), sort_keys=True).encode())
    for key, array in sorted(body.arrays().items()):
        digest.update(key.encode() + np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _features_of(body, images, key: tuple, state: dict):
    """Generator returning finetune.features(body, images), a slice per step; cached by key."""
    if key not in _features:
        parts = []
        for start in range(0, len(images), SLICE):
            parts.append(finetune.features(body, images[start : start + SLICE]))
            state.update(phase=f"features-{key[1]}", done=start + len(parts[-1]), total=len(images))
            yield
        while len(_features) >= MAX_FEATURES:
            del _features[next(iter(_features))]
        _features[key] = np.concatenate(parts)
    return _features[key]


class Prep:
    """The one-time part of fine-tuning `model`: MNIST prepared for its input kind and read
    through its frozen body, left in the caches above. The page runs it as soon as the user
    shows intent (a taught sample), so that a later Job finds everything cached; a Job runs
    the same steps itself (at once when cached)."""

    def __init__(self, model: str, weights_dir=app.WEIGHTS_DIR):
        if not studio.has_data():
            raise ValueError("MNIST is not loaded yet: it downloads with the Train panel's data")
        self.model, self.weights_dir = model, weights_dir
        self.base = app.load_model(model, weights_dir)
        self.kind = library.input_kind(library.metadata(model, weights_dir))
        self.state = {"phase": "start", "done": 0, "total": 0, "attempt": 1, "finished": False}
        self.times = {"prepare_s": 0.0, "features_s": 0.0, "tune_s": 0.0, "eval_s": 0.0}
        self.phases: list[str] = []  # the phases that did work (none when all was cached)
        self.work = self._work()

    def _timed(self, key, generator):
        """Run a sub-generator, adding its time (not the pauses between chunks) to self.times."""
        while True:
            t0 = time.perf_counter()
            try:
                next(generator)
            except StopIteration as stop:
                self.times[key] += time.perf_counter() - t0
                return stop.value
            self.times[key] += time.perf_counter() - t0
            if self.state["phase"] not in self.phases:
                self.phases.append(self.state["phase"])
            yield

    def _prepared(self):
        """Generator returning (head, test features, test labels, replay features, replay labels)."""
        s = self.state
        test_x, test_y = yield from self._timed("prepare_s", _prepare("test", self.kind, s))
        replay_x, replay_y = yield from self._timed("prepare_s", _prepare("train", self.kind, s))
        body, head = finetune.split(self.base)
        digest = body_digest(body)
        test_f = yield from self._timed("features_s", _features_of(body, test_x, (digest, "test", self.kind), s))
        replay_f = yield from self._timed("features_s", _features_of(body, replay_x, (digest, "train", self.kind), s))
        return head, test_f, test_y, replay_f, replay_y

    def _work(self):
        yield from self._prepared()

    def chunk(self, budget_ms: float) -> dict:
        end = time.perf_counter() + budget_ms / 1000
        while not self.state["finished"] and time.perf_counter() < end:
            if next(self.work, StopIteration) is StopIteration:
                self.state["finished"] = True
        return {**self.state, **self.times, "phases": list(self.phases)}


class Job(Prep):
    """Fine-tuning `model` on the user's samples: Prep's steps (cached after a Prep), then the
    head trained and evaluated before and after."""

    def __init__(self, model: str, samples, labels, weights_dir=app.WEIGHTS_DIR):
        x = np.frombuffer(bytes(samples), np.float32).reshape(-1, 28, 28)
        y = np.frombuffer(bytes(labels), np.uint8).astype(np.int64)
        self.x, self.y = finetune.check_samples(x, y)
        super().__init__(model, weights_dir)
        self.result = None

    def _work(self):
        s = self.state
        head, test_f, test_y, replay_f, replay_y = yield from self._prepared()
        t0 = time.perf_counter()
        before = {
            "user": finetune.accuracy(self.base, self.x, self.y),
            "mnist": finetune.head_accuracy(head, test_f, test_y),
        }
        self.times["eval_s"] += time.perf_counter() - t0
        config = finetune.FinetuneConfig()
        for attempt in range(1, ATTEMPTS + 1):
            tuned = finetune.copy_model(self.base)
            steps = finetune.tune_steps(tuned, self.x, self.y, replay_f, replay_y, config)
            s.update(phase="tune", done=0, total=config.steps, attempt=attempt)
            while True:  # one training step per step of the job
                t0 = time.perf_counter()
                step = next(steps, None)
                self.times["tune_s"] += time.perf_counter() - t0
                if step is None:
                    break
                s["done"] = step
                yield
            t0 = time.perf_counter()
            after = {
                "user": finetune.accuracy(tuned, self.x, self.y),
                "mnist": finetune.head_accuracy(finetune.split(tuned)[1], test_f, test_y),
            }
            self.times["eval_s"] += time.perf_counter() - t0
            if after["mnist"] >= before["mnist"] - MAX_DROP:
                break
            config = finetune.FinetuneConfig(lr=config.lr / 2)
        self.result = {
            "tuned": tuned,
            "before": before,
            "after": after,
            "lr": config.lr,
            "attempts": attempt,
            "mnist_test": len(test_y),
        }

    def finish(self) -> dict:
        r, model, n = self.result, self.model, len(self.y)
        name = library.tuned_name(model, self.weights_dir)
        meta = {
            "input": self.kind,
            "source": f"fine-tuned from {model} on {n} of your digits",
            "parent": model,
            "test_accuracy": r["after"]["mnist"],
            "tuned_samples": n,
            "tuned_lr": r["lr"],
        }
        registered = library.register(r["tuned"], name, meta, self.weights_dir)
        return {
            **registered,
            "before": r["before"],
            "after": r["after"],
            "samples": n,
            "mnist_test": r["mnist_test"],
            "lr": r["lr"],
            "attempts": r["attempts"],
            **self.times,
            "phases": list(self.phases),
            "zip": np.frombuffer(weights.to_zip(r["tuned"], name, meta), np.uint8),
        }


def start(model: str, samples, labels, weights_dir=app.WEIGHTS_DIR) -> dict:
    """Begin fine-tuning `model` on samples (float32 bytes [N*784]) / labels (uint8 bytes [N])."""
    global _job
    _job = Job(model, samples, labels, weights_dir)
    return dict(_job.state)


def chunk(budget_ms: float = 100) -> dict:
    if _job is None:
        raise ValueError("no fine-tuning in progress: start one first")
    return _job.chunk(budget_ms)


def finish() -> dict:
    """The finished job's model registered as <model>-tuned-<n>; its figures and .zip export."""
    global _job
    if _job is None or not _job.state["finished"]:
        raise ValueError("no finished fine-tuning to hand over")
    job, _job = _job, None
    return job.finish()


def fine_tune(model: str, samples, labels, weights_dir=app.WEIGHTS_DIR) -> dict:
    """start + chunk to the end + finish, at once."""
    start(model, samples, labels, weights_dir)
    while not chunk(1000)["finished"]:
        pass
    return finish()


def prepare(model: str, weights_dir=app.WEIGHTS_DIR) -> dict:
    """Begin preparing to fine-tune `model` (Prep) in the background, replacing any preparation."""
    global _prep
    _prep = Prep(model, weights_dir)
    return dict(_prep.state)


def prepare_chunk(budget_ms: float = 100) -> dict:
    """Work on the preparation for about budget_ms: its state, times and the phases that did work."""
    global _prep
    if _prep is None:
        raise ValueError("no preparation in progress: start one first")
    state = _prep.chunk(budget_ms)
    if state["finished"]:
        _prep = None
    return state
