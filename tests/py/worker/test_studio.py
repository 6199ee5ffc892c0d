"""inkling.worker.studio: MNIST handed over as IDX bytes, a run in small chunks, the model handed to app."""

import time

import numpy as np
import pytest

from inkling.data import mnist
from inkling.worker import app, studio


@pytest.fixture(scope="module", autouse=True)
def data():
    for name in mnist.FILES:
        assert studio.set_data(name, mnist.read_checked(name))[0] in (60000, 10000)
    assert studio.has_data()


def test_small_run_learns_and_drives_predict():
    first = studio.start(model="mlp", hidden="32", lr=0.2, batch_size=32, epochs=1, subset=3000)
    assert first["step"] == 0 and first["total_steps"] == 3000 // 32
    state, calls = first, 0
    while not state["done"]:
        t0 = time.perf_counter()
        state = studio.run_chunk(1)  # about one step a call
        calls += 1
        assert time.perf_counter() - t0 < 2.0
    assert calls > 1 and state["step"] == state["total_steps"]
    assert state["test_accuracy"] > 0.8 and state["history"][0]["epoch"] == 1
    assert state["phase"] == "test" and state["tested"] == state["test_size"] == 10000
    assert state["elapsed_s"] > 0
    assert state["matmul"] == "matmul"  # CPython: numpy's BLAS (the page: "wasm")
    out = studio.finish()
    assert out["name"].startswith("my-mlp-") and out["test_accuracy"] == state["test_accuracy"]
    report = studio.report()
    confusion = report["confusion"].reshape(10, 10)
    assert confusion.sum() == report["tested"] == 10000
    assert np.trace(confusion) / 10000 == pytest.approx(out["test_accuracy"])
    wrong = report["misclassified"]
    assert 0 < len(wrong["index"]) <= 48 and wrong["total"] == 10000 - np.trace(confusion)
    assert (wrong["label"] != wrong["predicted"]).all()
    assert (wrong["label"] == mnist.load_raw("test")[1][wrong["index"]]).all()
    x = (mnist.load_raw("test")[0][0] > 128).astype(np.uint8) * 255
    r = app.predict(x.tobytes(), 28, 28, out["name"])
    assert r["digit"] is not None


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="hidden"):
        studio.start(hidden="0")
    with pytest.raises(ValueError, match="model"):
        studio.start(model="rnn")
    with pytest.raises(ValueError):
        studio.finish()


def test_chunk_loss_is_the_mean_of_the_chunks_batch_losses():
    studio.start(model="mlp", hidden="16", lr=0.2, batch_size=50, epochs=1, subset=5000)
    state = studio.run_chunk(1)  # a few of the 100 steps
    assert 0 < state["step"] < 100 and not state["done"]
    assert state["chunk_loss"] is not None and 0 < state["chunk_loss"] < 5
    # the chunk's point is the mean of its batches' own losses, not of the epoch's running means
    run = studio._run
    sums, steps = [], 0
    while steps < 20:
        before = run.state["step"]
        state = studio.run_chunk(1)
        steps = state["step"]
        sums.append((before, steps, state["chunk_loss"], state["loss"]))
    before, after, chunk_loss, running = sums[-1]
    assert after > before
    expected = (running * after - sums[-2][3] * before) / (after - before)
    assert chunk_loss == pytest.approx(expected, rel=1e-6)
    studio.finish()  # stopped before an evaluation ended
    assert studio.report() == {"tested": 0}


def test_make_config_defaults_are_the_panels():
    """The Train panel's form (web/index.html) and make_config() agree on the MLP's settings, and
    the MLP trains with BatchNorm (the one-epoch accuracy target needs it)."""
    import re
    from pathlib import Path

    html = (Path(__file__).resolve().parents[3] / "web" / "index.html").read_text()
    form = dict(re.findall(r'<input name="(hidden|lr|batch_size|epochs)"[^>]*?value="([^"]*)"', html))
    config = studio.make_config()
    assert form == {
        "hidden": ",".join(map(str, config.architecture["hidden"])),
        "lr": str(config.lr),
        "batch_size": str(config.batch_size),
        "epochs": str(config.epochs),
    }
    assert config.architecture["batchnorm"] and not config.augment
    assert studio.make_config(model="cnn").architecture == studio.SMALL_CNN
