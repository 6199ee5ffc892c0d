"""Dense's zero-input skipping (layers/dense.py): with it, forward and every gradient are those
of the plain product (finite differences and the plain layer agree), whichever matmul runs."""

import numpy as np
import pytest
from gradcheck import check_gradients

from inkling.nn import ops
from inkling.nn.layers import dense
from inkling.nn.layers.dense import Dense

TOLERANCE = 1e-6


@pytest.fixture(params=ops.available_backends())
def backend(request):
    ops.set_backend(request.param)
    yield request.param
    ops.set_backend(None)


def images_with_blank_columns(n=6, width=20, blank=8, seed=0):
    """[n, width] float64 with `blank` columns 0 in every row (an image batch's margins) and
    scattered zeros elsewhere."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, width)) * (rng.random((n, width)) < 0.6)
    x[:, rng.choice(width, blank, replace=False)] = 0.0
    return x


def pair(n_in=20, n_out=7):
    """Two Dense layers with the same float64 weights: one skipping zero columns, one plain."""
    skipping, plain = (Dense(n_in, n_out, rng=np.random.default_rng(3), dtype=np.float64) for _ in range(2))
    plain.params["b"][:] = skipping.params["b"][:] = np.linspace(-1, 1, n_out)
    skipping.skip_zero_inputs, plain.skip_zero_inputs = True, False
    return skipping, plain


def test_skipping_gives_the_plain_forward_and_gradients(backend):
    skipping, plain = pair()
    x = images_with_blank_columns()
    grad_out = np.random.default_rng(5).standard_normal((6, 7))
    np.testing.assert_allclose(
        skipping.forward(x, training=True), plain.forward(x, training=True), rtol=1e-12, atol=1e-12
    )
    assert skipping._cols is not None and len(skipping._cols) <= 12  # it did skip
    np.testing.assert_allclose(skipping.backward(grad_out), plain.backward(grad_out), rtol=1e-12)
    for name in ("W", "b"):
        np.testing.assert_allclose(skipping.grads[name], plain.grads[name], rtol=1e-12, atol=1e-12)
    blank = np.flatnonzero(~x.any(axis=0))
    assert not skipping.grads["W"][blank].any()
    skipping.backward_params(grad_out)  # the training path (no dL/dx) fills the same
    np.testing.assert_allclose(skipping.grads["W"], plain.grads["W"], rtol=1e-12, atol=1e-12)


def test_skipping_passes_the_gradient_check(backend):
    skipping, _ = pair()
    errors = check_gradients(skipping, images_with_blank_columns(seed=1))
    assert max(errors.values()) < TOLERANCE, errors


def test_a_batch_with_few_zero_columns_takes_the_plain_product():
    skipping, _ = pair()
    x = images_with_blank_columns(blank=1)
    x[x == 0] = 0.5
    x[:, 0] = 0.0  # 1 of 20 columns blank: not worth a gather
    skipping.forward(x, training=True)
    assert skipping._cols is None
    assert dense.SKIP_WHEN_NONZERO_SHARE * 20 < 19


def test_by_default_it_skips_only_without_a_blas():
    layer = Dense(20, 3)
    x = images_with_blank_columns().astype(np.float32)
    for backend, skips in (("matmul", False), ("einsum", True)):
        ops.set_backend(backend)
        try:
            layer.forward(x)
        finally:
            ops.set_backend(None)
        assert (layer._cols is not None) == skips, backend


def test_a_blank_batch_gives_the_bias_and_zero_weight_gradients(backend):
    skipping, _ = pair()
    x = np.zeros((3, 20))
    np.testing.assert_array_equal(skipping.forward(x, training=True), np.tile(skipping.params["b"], (3, 1)))
    skipping.backward_params(np.ones((3, 7)))
    assert skipping.grads["W"].shape == (20, 7) and not skipping.grads["W"].any()
    np.testing.assert_array_equal(skipping.grads["b"], np.full(7, 3.0))
