"""Sequential.backward(..., input_grad=False): the training path that skips dL/dimages.

It must fill exactly the same gradients as the full backward pass (so training is unchanged,
bit for bit) while returning None and never computing the first trainable layer's input
gradient."""

import numpy as np
import pytest

from inkling.nn import ops
from inkling.nn.layers.conv2d import Conv2D
from inkling.nn.layers.dense import Dense
from inkling.nn.losses import softmax_cross_entropy
from inkling.nn.model import Sequential, cnn_config, mlp_config


def _grads_after(model, images, labels, **kwargs):
    logits = model.forward(images, training=True)
    _, grad = softmax_cross_entropy(logits, labels)
    returned = model.backward(grad, **kwargs)
    return returned, {name: value.copy() for name, value in model.grads().items()}


@pytest.mark.parametrize("backend", ops.available_backends())
@pytest.mark.parametrize(
    "config", [mlp_config(hidden=(32, 16)), cnn_config(channels=(4, 8), hidden=16, dropout=0.0)], ids=["mlp", "cnn"]
)
def test_same_grads_without_the_input_gradient(backend, config):
    ops.set_backend(backend)
    try:
        rng = np.random.default_rng(0)
        images = rng.random((6, 28, 28), dtype=np.float32)
        labels = rng.integers(0, 10, 6)
        full, expected = _grads_after(Sequential.from_config(config, seed=1), images, labels)
        skipped, got = _grads_after(Sequential.from_config(config, seed=1), images, labels, input_grad=False)
    finally:
        ops.set_backend(None)
    assert full.shape == images.shape and skipped is None
    assert got.keys() == expected.keys()
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


@pytest.mark.parametrize(
    "config,layer_type", [(mlp_config(hidden=(8,)), Dense), (cnn_config(channels=(2, 2), hidden=8), Conv2D)]
)
def test_first_trainable_layer_never_computes_its_input_gradient(monkeypatch, config, layer_type):
    model = Sequential.from_config(config)
    first = next(layer for layer in model.layers if layer.params)
    assert isinstance(first, layer_type)
    monkeypatch.setattr(first, "backward", lambda grad: pytest.fail("input gradient computed"))
    logits = model.forward(np.zeros((2, 28, 28), np.float32), training=True)
    assert model.backward(np.ones_like(logits), input_grad=False) is None
    assert all(np.isfinite(g).all() for g in model.grads().values())
