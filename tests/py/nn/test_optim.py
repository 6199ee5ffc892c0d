"""Optimisers against updates computed by hand (textbook formulas, written out here)."""

import numpy as np
import pytest

from inkling.nn.optim import SGD, Adam, AdamW


class TwoArrays:
    """A stand-in model: one weight matrix (decayed) and one bias (never decayed)."""

    def __init__(self, dtype=np.float64):
        self._params = {
            "0.W": np.array([[1.0, -2.0], [0.5, 3.0]], dtype=dtype),
            "0.b": np.array([0.25, -0.75], dtype=dtype),
        }
        self._grads = {
            "0.W": np.array([[0.1, 0.2], [-0.3, 0.4]], dtype=dtype),
            "0.b": np.array([0.5, -0.5], dtype=dtype),
        }

    def params(self):
        return self._params

    def grads(self):
        return self._grads


def _start():
    model = TwoArrays()
    return model, {k: v.copy() for k, v in model.params().items()}, model.grads()


def test_plain_sgd_updates_in_place():
    model, p0, g = _start()
    w_array = model.params()["0.W"]
    SGD(lr=0.1).step(model)
    assert model.params()["0.W"] is w_array
    for name in p0:
        np.testing.assert_allclose(model.params()[name], p0[name] - 0.1 * g[name])


@pytest.mark.parametrize("nesterov,second_factor", [(False, 1.9), (True, 2.71)])
def test_sgd_momentum_two_steps(nesterov, second_factor):
    # constant gradient g: v1 = g, v2 = 1.9 g. Classic steps: g, 1.9 g.
    # Nesterov steps g + 0.9 v: 1.9 g then g + 0.9 * 1.9 g = 2.71 g.
    model, p0, g = _start()
    opt = SGD(lr=0.1, momentum=0.9, nesterov=nesterov)
    opt.step(model)
    first_factor = 1.9 if nesterov else 1.0
    np.testing.assert_allclose(model.params()["0.W"], p0["0.W"] - 0.1 * first_factor * g["0.W"])
    opt.step(model)
    np.testing.assert_allclose(model.params()["0.W"], p0["0.W"] - 0.1 * (first_factor + second_factor) * g["0.W"])
    assert set(opt.state) == {"0.W", "0.b"}


def test_sgd_weight_decay_is_l2_on_weights_only():
    model, p0, g = _start()
    SGD(lr=0.1, weight_decay=0.01).step(model)
    np.testing.assert_allclose(model.params()["0.W"], p0["0.W"] - 0.1 * (g["0.W"] + 0.01 * p0["0.W"]))
    np.testing.assert_allclose(model.params()["0.b"], p0["0.b"] - 0.1 * g["0.b"])


def _textbook_adam(p, grads, lr, b1=0.9, b2=0.999, eps=1e-8):
    m = v = 0.0
    for t, grad in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return p


def test_adam_two_steps_with_changing_gradient():
    model, p0, g = _start()
    opt = Adam(lr=0.01)
    opt.step(model)
    # first step is lr * g / (|g| + eps): almost lr * sign(g)
    np.testing.assert_allclose(model.params()["0.W"], p0["0.W"] - 0.01 * np.sign(g["0.W"]), rtol=1e-6)
    second = {k: v * -3.0 for k, v in g.items()}
    model._grads = second
    opt.step(model)
    for name in p0:
        expected = _textbook_adam(p0[name], [g[name], second[name]], lr=0.01)
        np.testing.assert_allclose(model.params()[name], expected, rtol=1e-12)


def test_adam_l2_and_adamw_decoupled_decay():
    wd, lr = 0.1, 0.01
    model, p0, g = _start()
    Adam(lr=lr, weight_decay=wd).step(model)
    expected = _textbook_adam(p0["0.W"], [g["0.W"] + wd * p0["0.W"]], lr)
    np.testing.assert_allclose(model.params()["0.W"], expected, rtol=1e-12)

    model, p0, g = _start()
    AdamW(lr=lr, weight_decay=wd).step(model)
    decayed = p0["0.W"] * (1 - lr * wd)
    np.testing.assert_allclose(model.params()["0.W"], _textbook_adam(decayed, [g["0.W"]], lr), rtol=1e-12)
    np.testing.assert_allclose(model.params()["0.b"], _textbook_adam(p0["0.b"], [g["0.b"]], lr), rtol=1e-12)


def test_lr_is_read_at_every_step():
    model, p0, g = _start()
    opt = SGD(lr=0.1)
    opt.lr = 0.5
    opt.step(model)
    np.testing.assert_allclose(model.params()["0.b"], p0["0.b"] - 0.5 * g["0.b"])


def test_float32_stays_float32():
    model = TwoArrays(np.float32)
    for opt in (SGD(lr=0.1, momentum=0.9, weight_decay=1e-4), Adam(), AdamW()):
        opt.step(model)
        assert all(p.dtype == np.float32 for p in model.params().values())


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError):
        SGD(lr=0.1, nesterov=True)
