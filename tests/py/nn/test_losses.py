"""Softmax cross-entropy: values by hand, gradient by finite differences, numerical stability."""

import numpy as np
import pytest
from gradcheck import central_difference, relative_error

from inkling.nn.losses import log_softmax, softmax, softmax_cross_entropy


def test_uniform_logits_give_log_k():
    loss, grad = softmax_cross_entropy(np.zeros((4, 10)), np.array([0, 3, 9, 9]))
    assert loss == pytest.approx(np.log(10))
    expected = np.full((4, 10), 0.1)
    expected[np.arange(4), [0, 3, 9, 9]] -= 1
    np.testing.assert_allclose(grad, expected / 4)


def test_hand_computed_two_class_loss_with_and_without_smoothing():
    logits = np.array([[2.0, 0.0]])
    p = np.exp(2) / (np.exp(2) + 1)
    loss, _ = softmax_cross_entropy(logits, np.array([0]))
    assert loss == pytest.approx(-np.log(p))
    # smoothing 0.2 over 2 classes: targets 0.9 / 0.1
    loss, grad = softmax_cross_entropy(logits, np.array([0]), label_smoothing=0.2)
    assert loss == pytest.approx(-0.9 * np.log(p) - 0.1 * np.log(1 - p))
    np.testing.assert_allclose(grad, [[p - 0.9, (1 - p) - 0.1]])


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_gradient_matches_finite_differences(smoothing):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((5, 7)) * 3, rng.integers(0, 7, 5)
    _, grad = softmax_cross_entropy(logits, labels, smoothing)

    def loss():
        return softmax_cross_entropy(logits, labels, smoothing)[0]

    numeric = central_difference(loss, logits, np.arange(logits.size))
    assert relative_error(grad.reshape(-1), numeric) < 1e-7


def test_extreme_logits_stay_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-1e30, 1e30, 5.0]], dtype=np.float32)
    loss, grad = softmax_cross_entropy(logits, np.array([1, 1]))
    assert np.isfinite(loss) and np.all(np.isfinite(grad)) and grad.dtype == np.float32
    assert loss == pytest.approx(1e4, rel=1e-6)  # first row: -log softmax = 2e4 / 2 rows
    assert np.all(np.isfinite(log_softmax(logits)))


def test_softmax_rows_sum_to_one_and_keep_order():
    logits = np.random.default_rng(1).standard_normal((6, 10)).astype(np.float32) * 50
    probs = softmax(logits)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(probs.argmax(axis=1), logits.argmax(axis=1))


def test_invalid_smoothing_is_rejected():
    with pytest.raises(ValueError):
        softmax_cross_entropy(np.zeros((1, 3)), np.array([0]), label_smoothing=1.0)
