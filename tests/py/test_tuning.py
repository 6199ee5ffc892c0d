"""inkling.tuning (+ inkling.finetune): fine-tuning on a few user samples in small chunks,
learning them without losing more than 0.5 points of MNIST test accuracy."""

import time

import numpy as np
import pytest

from inkling import app, mnist, studio, tuning


@pytest.fixture(scope="module")
def trained():
    """A small raw-input model, as the Train panel makes (MNIST / 255), and its wrong test digits."""
    for name in mnist.FILES:
        studio.set_data(name, mnist.read_checked(name))
    state = studio.start(model="mlp", hidden="64", lr=0.3, batch_size=64, epochs=1, subset=6000)
    while not state["done"]:
        state = studio.run_chunk(1000)
    name = studio.finish()["name"]
    test_x, test_y = mnist.load("test", normalized=False)
    wrong = np.flatnonzero(app.load_model(name).predict_proba(test_x).argmax(1) != test_y)
    # "User" digits: wrong ones shifted two pixels (their labels are the true digits).
    x, y = np.roll(test_x[wrong[:12]], 2, axis=2), test_y[wrong[:12]].astype(np.uint8)
    return name, x.astype(np.float32).tobytes(), y.tobytes()


def test_fine_tune_learns_the_samples_and_keeps_mnist(trained):
    name, x, y = trained
    r = tuning.fine_tune(name, x, y)
    assert r["name"] == f"{name}-tuned-1" and r["samples"] == 12 and r["mnist_test"] == 10000
    assert r["after"]["user"] > r["before"]["user"]
    assert r["after"]["mnist"] >= r["before"]["mnist"] - tuning.MAX_DROP
    assert r["input"] == "raw" and r["test_accuracy"] == r["after"]["mnist"]
    assert app.predict(np.zeros((28, 28), np.uint8).tobytes(), 28, 28, r["name"])["digit"] is None


def test_the_job_runs_in_short_chunks_through_its_phases(trained):
    name, x, y = trained
    state, phases, calls = tuning.start(name, x, y), set(), 0
    while not state["finished"]:
        t0 = time.perf_counter()
        state = tuning.chunk(1)
        assert time.perf_counter() - t0 < 1.0
        phases.add(state["phase"])
        calls += 1
    assert {"tune", "after"} <= phases and calls > 30     # "before" is cached from the first run
    assert tuning.finish()["name"].startswith(f"{name}-tuned-")
    with pytest.raises(ValueError, match="no finished"):
        tuning.finish()


def test_no_samples_is_refused(trained):
    with pytest.raises(ValueError, match="no samples"):
        tuning.fine_tune(trained[0], b"", b"")
