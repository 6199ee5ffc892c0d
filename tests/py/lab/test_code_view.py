"""inkling.lab.code_view: a model's layers with their installed sources and the shapes through them."""

import numpy as np

import inkling
from inkling.lab import code_view
from inkling.nn import weights
from inkling.nn.layers.conv2d import Conv2D


def test_trace_of_the_shipped_cnn_gives_shapes_sources_and_numbers():
    model = inkling.load("cnn")
    x = np.zeros((1, 28, 28), np.float32)
    x[0, 8:20, 12:15] = 1
    layers = code_view.trace(model, x)
    assert len(layers) == len(model.layers)
    conv = next(layer for layer in layers if layer["type"] == "Conv2D")
    assert conv["input"]["shape"] == [1, 1, 28, 28] and conv["output"]["shape"] == [1, 32, 24, 24]
    assert conv["forward"]["code"].startswith("def forward(self, x")
    assert conv["backward"]["code"].startswith("def backward(self, grad_out")
    assert conv["forward"]["file"].endswith("inkling/nn/layers/conv2d.py")
    assert layers[-1]["output"]["shape"] == [1, 10]
    shown = np.array(layers[-1]["output"]["numbers"].replace("[", " ").replace("]", " ").split(), float)
    np.testing.assert_allclose(shown, model.forward(x)[0], atol=2e-3)  # the logits, as numpy prints them
    assert Conv2D.forward.__code__.co_firstlineno == conv["forward"]["line"]


def test_model_from_zip_reads_an_export():
    model = inkling.load("mlp")
    again = code_view.model_from_zip(weights.to_zip(model, "mlp"))
    x = np.random.default_rng(0).random((1, 28, 28), np.float32)
    np.testing.assert_array_equal(again.forward(x), model.forward(x))
