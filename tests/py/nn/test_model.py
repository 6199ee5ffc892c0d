"""Sequential and the two shipped architectures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inkling.nn.losses import softmax_cross_entropy
from inkling.nn.model import Sequential, cnn_config, mlp_config
from inkling.nn.optim import Adam


def _images(n, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28), dtype=np.float32)


@pytest.mark.parametrize("config,parameters", [(mlp_config(), 203_530), (cnn_config(), 185_034)])
def test_builders_config_round_trip_and_size(config, parameters):
    model = Sequential.from_config(config, seed=0)
    assert model.config() == config
    assert json.loads(json.dumps(model.config())) == config  # JSON-able
    assert Sequential.from_config(model.config()).config() == config
    assert model.parameter_count() == parameters
    assert sum(a.nbytes for a in model.arrays().values()) < 2 * 2**20


def test_cnn_builder_takes_sizes():
    config = cnn_config(channels=(8, 16, 32), kernel=3, padding=1, hidden=64, dropout=0.0, batchnorm=False)
    model = Sequential.from_config(config)
    assert model.forward(_images(2)).shape == (2, 10)
    assert not any(c["type"] in ("BatchNorm", "Dropout") for c in config)
    assert next(c for c in config if c["type"] == "Dense")["in"] == 32 * 3 * 3  # 28->14->7->3
    with pytest.raises(ValueError):
        cnn_config(channels=(8, 8, 8, 8, 8), kernel=5)


def test_a_cnn_stage_may_hold_several_convs_before_its_pool():
    config = cnn_config(channels=([8, 8], 16), kernel=3, padding=1, hidden=32, batchnorm=False)
    layers = [c["type"] for c in config]
    assert layers[1:7] == ["Conv2D", "ReLU", "Conv2D", "ReLU", "MaxPool2D", "Conv2D"]
    assert [c["in"] for c in config if c["type"] == "Conv2D"] == [1, 8, 8]
    assert next(c for c in config if c["type"] == "Dense")["in"] == 16 * 7 * 7  # 28->28->28->14->14->7
    assert Sequential.from_config(config).forward(_images(2)).shape == (2, 10)
    assert cnn_config(channels=([32], [64])) == cnn_config(channels=(32, 64))


def test_mlp_builder_options():
    config = mlp_config(hidden=(64, 32), dropout=0.2, batchnorm=True)
    assert [c["type"] for c in config] == [
        "Flatten",
        "Dense",
        "BatchNorm",
        "ReLU",
        "Dropout",
        "Dense",
        "BatchNorm",
        "ReLU",
        "Dropout",
        "Dense",
    ]
    assert Sequential.from_config(config).forward(_images(3)).shape == (3, 10)


def test_init_is_deterministic_by_seed_and_scaled():
    a, b = Sequential.from_config(cnn_config(), seed=5), Sequential.from_config(cnn_config(), seed=5)
    c = Sequential.from_config(cnn_config(), seed=6)
    for name, array in a.arrays().items():
        np.testing.assert_array_equal(array, b.arrays()[name])
    assert not np.array_equal(a.params()["1.W"], c.params()["1.W"])
    w = Sequential.from_config(mlp_config(hidden=(512,)), seed=0).params()["1.W"]
    assert w.dtype == np.float32
    assert abs(w.std() - np.sqrt(2 / 784)) < 0.05 * np.sqrt(2 / 784)  # He


def test_names_and_state():
    model = Sequential.from_config(cnn_config(), seed=0)
    assert list(model.params())[:4] == ["1.W", "1.b", "2.gamma", "2.beta"]
    assert model.grads().keys() == model.params().keys()
    state = set(model.arrays()) - set(model.params())
    assert "2.running_mean" in state and "2.running_var" in state and "2.gamma" not in state


def test_arrays_round_trip_reproduces_predictions():
    trained = Sequential.from_config(cnn_config(), seed=1)
    trained.forward(_images(16), training=True)  # moves BatchNorm running stats
    saved = {name: array.copy() for name, array in trained.arrays().items()}
    fresh = Sequential.from_config(cnn_config(), seed=2)
    x = _images(4, seed=9)
    assert not np.allclose(fresh.predict_proba(x), trained.predict_proba(x))
    fresh.load_arrays(saved)
    np.testing.assert_array_equal(fresh.predict_proba(x), trained.predict_proba(x))


def test_load_arrays_rejects_mismatches():
    model = Sequential.from_config(mlp_config(hidden=(16,)))
    arrays = {name: a.copy() for name, a in model.arrays().items()}
    with pytest.raises(KeyError, match="1.b"):
        model.load_arrays({k: v for k, v in arrays.items() if k != "1.b"})
    with pytest.raises(KeyError, match="9.W"):
        model.load_arrays({**arrays, "9.W": np.zeros(1)})
    with pytest.raises(ValueError, match="shape"):
        model.load_arrays({**arrays, "1.W": np.zeros((16, 784), np.float32)})


def test_predict_proba_is_batched_softmax_in_inference_mode():
    model = Sequential.from_config(cnn_config(), seed=0)
    x = _images(10)
    probs = model.predict_proba(x, batch_size=3)
    assert probs.shape == (10, 10) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(probs, model.predict_proba(x, batch_size=100), rtol=1e-5, atol=1e-7)
    # inference mode: dropout off, so repeated calls agree exactly
    np.testing.assert_array_equal(probs, model.predict_proba(x, batch_size=3))
    assert model.predict_proba(np.zeros((0, 28, 28))).shape == (0, 10)


def test_backward_returns_input_shaped_gradient():
    model = Sequential.from_config(cnn_config(channels=(4, 8), hidden=16), seed=0)
    logits = model.forward(_images(3), training=True)
    assert model.backward(np.ones_like(logits)).shape == (3, 28, 28)


def test_unknown_layer_type_is_an_error():
    with pytest.raises(ValueError, match="Conv3D"):
        Sequential.from_config([{"type": "Conv3D"}])


@pytest.mark.parametrize("config", [mlp_config(hidden=(32,)), cnn_config(channels=(4, 8), hidden=16, dropout=0.1)])
def test_a_few_adam_steps_fit_a_small_batch(config):
    model = Sequential.from_config(config, seed=0)
    x, labels = _images(32, seed=3), np.arange(32) % 10
    opt = Adam(lr=0.01)
    first = None
    for _ in range(30):
        loss, grad = softmax_cross_entropy(model.forward(x, training=True), labels)
        first = loss if first is None else first
        model.backward(grad)
        opt.step(model)
    assert loss < 0.3 * first


def test_init_false_draws_nothing_for_weights_about_to_be_loaded():
    model = Sequential.from_config(cnn_config(), seed=3, init=False)
    assert all(not p.any() for p in model.params().values() if p.ndim > 1)  # weights start at zero
    dropout = [layer for layer in model.layers if type(layer).__name__ == "Dropout"]
    assert dropout and all(layer._rng is None for layer in dropout)  # made on first training use
    x = np.random.default_rng(0).random((2, 28, 28), dtype=np.float32)
    model.forward(x, training=True)
    assert all(layer._rng is not None for layer in dropout)


def test_loading_a_model_to_predict_never_imports_numpy_random():
    """(In Pyodide that import is ~60 ms of a page load: the worker's warm-up pays it after ready.)"""
    code = (
        "import sys, numpy as np, inkling; m = inkling.load('cnn'); "
        "m.predict_proba(np.zeros((1, 28, 28), np.float32)); print('numpy.random' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "py")},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
