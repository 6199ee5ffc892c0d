"""inkling.worker.tuning (+ inkling.training.finetune): fine-tuning on a few user samples in small chunks,
learning them without losing more than 0.5 points of MNIST test accuracy."""

import time
from pathlib import Path

import numpy as np
import pytest

from inkling.data import mnist
from inkling.data.augment import AugmentConfig, augment
from inkling.worker import app, studio, tuning

SHIPPED = Path(__file__).resolve().parents[3] / "weights"


@pytest.fixture(scope="module", autouse=True)
def data():
    for name in mnist.FILES:
        studio.set_data(name, mnist.read_checked(name))


def misread(model, images, labels, n, seed=0):
    """`n` MNIST training digits rotated 35 degrees (a slanted hand) that `model` reads wrong:
    (float32 bytes, uint8 label bytes) as the page sends them."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(labels), 2000, replace=False)
    slanted = augment(images[pick], rng, AugmentConfig(rotate=35))
    wrong = np.flatnonzero(model.predict_proba(slanted).argmax(1) != labels[pick])[:n]
    assert len(wrong) == n
    return slanted[wrong].astype(np.float32).tobytes(), labels[pick][wrong].astype(np.uint8).tobytes()


def test_fine_tune_learns_a_slanted_hand_and_keeps_mnist():
    """The shipped MLP (inputs through normalize_digit) on 10 slanted digits it misreads."""
    x, y = misread(app.load_model("mlp", SHIPPED), *mnist.load("train"), 10)
    r = tuning.fine_tune("mlp", x, y, SHIPPED)
    assert r["name"] == "mlp-tuned-1" and r["samples"] == 10 and r["mnist_test"] == 10000
    assert r["input"] == "normalized" and r["before"]["user"] == 0.0
    assert r["after"]["user"] >= 0.5
    assert r["before"]["mnist"] == pytest.approx(0.992)  # the manifest's measured figure
    assert r["after"]["mnist"] >= r["before"]["mnist"] - tuning.MAX_DROP
    assert r["test_accuracy"] == r["after"]["mnist"]


def test_a_page_trained_model_runs_in_short_chunks_through_its_phases():
    """A raw-input model as the Train panel makes; the job answers within its budget."""
    state = studio.start(model="mlp", hidden="64", lr=0.3, batch_size=64, epochs=1, subset=6000)
    while not state["done"]:
        state = studio.run_chunk(1000)
    name = studio.finish()["name"]
    train_x, train_y = mnist.load("train", normalized=False)
    x, y = misread(app.load_model(name), train_x, train_y, 6)
    state, phases, calls = tuning.start(name, x, y), set(), 0
    while not state["finished"]:
        t0 = time.perf_counter()
        state = tuning.chunk(1)
        assert time.perf_counter() - t0 < 1.0
        phases.add(state["phase"])
        calls += 1
    assert {"features-test", "features-train", "tune"} <= phases and calls >= 30
    r = tuning.finish()
    assert r["name"] == f"{name}-tuned-1" and r["input"] == "raw"
    assert r["after"]["mnist"] >= r["before"]["mnist"] - tuning.MAX_DROP
    assert app.predict(np.zeros((28, 28), np.uint8).tobytes(), 28, 28, r["name"])["digit"] is None
    with pytest.raises(ValueError, match="no finished"):
        tuning.finish()


def test_no_samples_is_refused():
    with pytest.raises(ValueError, match="no samples"):
        tuning.fine_tune("mlp", b"", b"", SHIPPED)


def test_a_preparation_ahead_leaves_the_fine_tuning_only_the_training(monkeypatch):
    """tuning.prepare (the page starts it when a sample is taught) fills the caches: the
    fine-tuning after it prepares nothing and reads no MNIST image through the body."""
    monkeypatch.setattr(tuning, "_prepared", {})
    monkeypatch.setattr(tuning, "_features", {})
    x, y = misread(app.load_model("mlp", SHIPPED), *mnist.load("train"), 5, seed=2)
    state = tuning.prepare("mlp", SHIPPED)
    while not state["finished"]:
        state = tuning.prepare_chunk(50)
    assert state["phases"] == ["prepare-test", "prepare-train", "features-test", "features-train"]
    assert state["prepare_s"] > 0 and state["features_s"] > 0
    with pytest.raises(ValueError, match="no preparation"):
        tuning.prepare_chunk()
    r = tuning.fine_tune("mlp", x, y, SHIPPED)
    assert r["phases"] == [] and r["mnist_test"] == 10000
    assert r["after"]["mnist"] >= r["before"]["mnist"] - tuning.MAX_DROP
