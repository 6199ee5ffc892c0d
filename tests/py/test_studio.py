"""inkling.studio: MNIST handed over as IDX bytes, a run in small chunks, the model handed to app."""

import time

import numpy as np
import pytest

from inkling import app, mnist, studio


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
        state = studio.run_chunk(1)   # about one step a call
        calls += 1
        assert time.perf_counter() - t0 < 2.0
    assert calls > 1 and state["step"] == state["total_steps"]
    assert state["test_accuracy"] > 0.8 and state["history"][0]["epoch"] == 1
    assert state["phase"] == "test" and state["tested"] == state["test_size"] == 10000
    out = studio.finish()
    assert out["name"].startswith("my-mlp-") and out["test_accuracy"] == state["test_accuracy"]
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


def test_make_config_defaults_are_the_panels():
    """The Train panel's form (web/index.html) and make_config() agree on the MLP's settings, and
    the MLP trains with BatchNorm (the one-epoch accuracy target needs it)."""
    import re
    from pathlib import Path

    html = (Path(__file__).resolve().parents[2] / "web" / "index.html").read_text()
    form = dict(re.findall(r'<input name="(hidden|lr|batch_size|epochs)"[^>]*?value="([^"]*)"', html))
    config = studio.make_config()
    assert form == {"hidden": ",".join(map(str, config.architecture["hidden"])),
                    "lr": str(config.lr), "batch_size": str(config.batch_size),
                    "epochs": str(config.epochs)}
    assert config.architecture["batchnorm"] and not config.augment
    assert studio.make_config(model="cnn").architecture == studio.SMALL_CNN
