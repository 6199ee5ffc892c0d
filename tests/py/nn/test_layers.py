"""Layers: gradients against finite differences (cases shared with the Pyodide run, in
tests/engine_checks.py), conv against naive loops, and each layer's own behaviour."""

import numpy as np
import pytest
from engine_checks import GRADIENT_CASES, GRADIENT_TOLERANCE, conv_reference_error, gradient_errors
from gradcheck import check_gradients

from inkling.nn import ops
from inkling.nn.layers import LAYER_TYPES, BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU, Reshape


@pytest.fixture(params=ops.available_backends())
def backend(request):
    ops.set_backend(request.param)
    yield request.param
    ops.set_backend(None)


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradients_match_finite_differences(name, backend):
    errors = gradient_errors(name)
    assert "x" in errors
    bad = {array: error for array, error in errors.items() if not error < GRADIENT_TOLERANCE}
    assert not bad, f"{name} ({backend}): relative errors above {GRADIENT_TOLERANCE}: {bad}"


def test_gradient_check_catches_a_wrong_backward():
    class DenseDoublesBiasGrad(Dense):
        def backward(self, grad_out):
            grad_x = super().backward(grad_out)
            self.grads["b"] = 2 * self.grads["b"]
            return grad_x

    class ReLUIgnoringMask(ReLU):
        def backward(self, grad_out):
            return grad_out  # ignores the mask

    x = np.random.default_rng(0).standard_normal((3, 5))
    errors = check_gradients(DenseDoublesBiasGrad(5, 4, dtype=np.float64), x)
    assert errors["W"] < GRADIENT_TOLERANCE and errors["b"] > 0.1
    assert check_gradients(ReLUIgnoringMask(), x)["x"] > 0.1


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
def test_conv_forward_matches_naive_loops(stride, padding):
    assert conv_reference_error(stride, padding) < 1e-12


def test_conv_output_shape_and_params():
    layer = Conv2D(3, 8, 5, stride=2, padding=2)
    out = layer.forward(np.zeros((4, 3, 28, 28), np.float32))
    assert out.shape == (4, 8, 14, 14) and out.flags.c_contiguous
    assert layer.params["W"].shape == (8, 3, 5, 5) and layer.params["b"].shape == (8,)


def _float32_layers():
    return [Dense(12, 4), Conv2D(3, 2, 2), MaxPool2D(2), ReLU(), Dropout(0.5), BatchNorm(3), Flatten(), Reshape([3, 4])]


def _input_for(layer, dtype):
    shape = (2, 12) if isinstance(layer, (Dense, Reshape)) else (2, 3, 4, 4)
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layers_compute_in_the_input_dtype_and_store_grads_in_the_param_dtype(dtype):
    for layer in _float32_layers():
        x = _input_for(layer, dtype)
        out = layer.forward(x, training=True)
        assert out.dtype == dtype, type(layer).__name__
        assert layer.backward(np.ones_like(out)).dtype == dtype, type(layer).__name__
        for name, grad in layer.grads.items():
            assert grad.dtype == np.float32 and grad.shape == layer.params[name].shape


def test_every_layer_config_round_trips():
    for layer in _float32_layers():
        config = layer.config()
        rebuilt = LAYER_TYPES[config["type"]].from_config(config)
        assert rebuilt.config() == config


def test_maxpool_forward_and_tie_splitting():
    x = np.array([[[[1.0, 5.0, 2.0, 2.0], [3.0, 4.0, 2.0, 2.0], [0.0, 0.0, 9.0, 8.0], [0.0, 0.0, 7.0, 6.0]]]])
    pool = MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x)[0, 0], [[5.0, 2.0], [0.0, 9.0]])
    grad = pool.backward(np.array([[[[1.0, 4.0], [8.0, 2.0]]]]))[0, 0]
    expected = [
        [0.0, 1.0, 1.0, 1.0],
        [0.0, 0.0, 1.0, 1.0],  # four tied 2s share the window's gradient of 4
        [2.0, 2.0, 2.0, 0.0],  # four tied 0s share 8
        [2.0, 2.0, 0.0, 0.0],
    ]
    np.testing.assert_array_equal(grad, expected)


def test_maxpool_overlapping_windows_match_a_loop():
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 9))
    out = MaxPool2D(3, stride=2).forward(x)
    assert out.shape == (2, 3, 3, 4)
    for r in range(3):
        for c in range(4):
            np.testing.assert_array_equal(
                out[:, :, r, c], x[:, :, 2 * r : 2 * r + 3, 2 * c : 2 * c + 3].max(axis=(2, 3))
            )


def test_relu_values_and_mask():
    relu = ReLU()
    np.testing.assert_array_equal(relu.forward(np.array([[-2.0, 0.0, 3.0]])), [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_dropout_is_identity_at_inference_and_inverted_in_training():
    x = np.ones((200, 500), np.float32)
    layer = Dropout(0.25, seed=3)
    assert layer.forward(x) is x and layer.backward(x) is x
    out = layer.forward(x, training=True)
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)  # survivors scaled up
    np.testing.assert_array_equal(layer.backward(np.full_like(x, 2.0)) != 0, kept)
    again = Dropout(0.25, seed=3).forward(x, training=True)
    np.testing.assert_array_equal(again, out)  # seeded: reproducible


def test_batchnorm_training_normalises_and_updates_running_stats():
    rng = np.random.default_rng(0)
    x = (3.0 + 2.0 * rng.standard_normal((16, 3, 5, 5))).astype(np.float64)
    layer = BatchNorm(3, momentum=0.8, dtype=np.float64)
    out = layer.forward(x, training=True)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-3)
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(layer.state["running_mean"], 0.2 * mean)
    np.testing.assert_allclose(layer.state["running_var"], 0.8 + 0.2 * var)


def test_batchnorm_inference_uses_running_stats_for_dense_input():
    layer = BatchNorm(2, eps=0.0, dtype=np.float64)
    layer.state["running_mean"][:] = [1.0, -1.0]
    layer.state["running_var"][:] = [4.0, 0.25]
    layer.params["gamma"][:] = [2.0, 1.0]
    layer.params["beta"][:] = [0.5, 0.0]
    out = layer.forward(np.array([[3.0, 0.0]]))
    np.testing.assert_allclose(out, [[2.0 * (3 - 1) / 2 + 0.5, (0 + 1) / 0.5]])


def test_flatten_and_reshape_shapes():
    x = np.zeros((5, 28, 28), np.float32)
    assert Flatten().forward(x).shape == (5, 784)
    reshape = Reshape([1, 28, 28])
    assert reshape.forward(x).shape == (5, 1, 28, 28)
    assert reshape.backward(np.zeros((5, 1, 28, 28))).shape == (5, 28, 28)
