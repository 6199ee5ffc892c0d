"""inkling.reading.explain: saliency (checked against finite differences), activations, top three, unsure."""

import numpy as np
import pytest
from shapes import glyph

from inkling.nn.model import Sequential, cnn_config, mlp_config
from inkling.reading import explain, second_look


def tiny_cnn(dtype=np.float64):
    """A small CNN of the shipped kind (conv, batchnorm, relu, pool, dense), float64 for FD."""
    model = Sequential.from_config(cnn_config(channels=(3, 4), kernel=5, hidden=16, dropout=0.5), seed=3, dtype=dtype)
    rng = np.random.default_rng(0)
    for name, array in model.arrays().items():  # non-trivial batchnorm statistics
        if name.endswith("running_mean"):
            array[...] = rng.normal(0, 0.1, array.shape)
        elif name.endswith("running_var"):
            array[...] = rng.uniform(0.5, 2.0, array.shape)
    return model


def seven_input():
    x = glyph(np.zeros((28, 28)), "7", 6, 4, 16, 20, 2.5)
    return x


def test_saliency_is_the_gradient_of_the_class_score():
    model = tiny_cnn()
    # Faint noise under the ink: no two windows tie exactly for a max-pool's maximum.
    x = seven_input() * 0.9 + np.random.default_rng(2).uniform(0, 0.05, (28, 28))
    logits, _ = explain.trace(model, x)
    digit = int(np.argmax(logits))
    grad = explain.saliency(model, digit)
    assert grad.shape == (28, 28)

    def score(image):
        return float(model.forward(image[None], training=False)[0, digit])

    eps = 1e-6
    rng = np.random.default_rng(1)
    pixels = [tuple(p) for p in rng.integers(0, 28, (40, 2))] + [(10, 14), (6, 12), (14, 14)]
    for i, j in pixels:
        plus, minus = x.copy(), x.copy()
        plus[i, j] += eps
        minus[i, j] -= eps
        numeric = (score(plus) - score(minus)) / (2 * eps)
        assert grad[i, j] == pytest.approx(numeric, rel=1e-4, abs=1e-7), (i, j)
    assert np.abs(grad).max() > 0


def test_saliency_of_another_class_differs():
    model = tiny_cnn()
    x = seven_input()
    explain.trace(model, x)
    a = explain.saliency(model, 3)
    explain.trace(model, x)
    b = explain.saliency(model, 4)
    assert not np.allclose(a, b)


def test_trace_gives_each_hidden_layer_and_the_logits():
    model = tiny_cnn(np.float32)
    x = seven_input().astype(np.float32)  # float32 in: runs as the page runs it
    logits, acts = explain.trace(model, x)
    assert [a["label"] for a in acts] == ["conv 1", "conv 2", "dense 1", "output"]
    assert [a["values"].shape for a in acts] == [(3, 24, 24), (4, 8, 8), (16,), (10,)]
    assert all(a["values"].dtype == np.float32 for a in acts)
    assert (acts[0]["values"] >= 0).all()  # after the ReLU
    np.testing.assert_allclose(acts[-1]["values"], logits)
    np.testing.assert_allclose(logits, model.forward(x[None])[0], rtol=1e-5, atol=1e-6)


def test_mlp_hidden_units_are_traced():
    model = Sequential.from_config(mlp_config(hidden=(32, 16)), seed=0)
    _, acts = explain.trace(model, seven_input())
    assert [(a["label"], a["values"].shape) for a in acts] == [
        ("dense 1", (32,)),
        ("dense 2", (16,)),
        ("output", (10,)),
    ]


def test_explain_gives_top_three_in_order_and_sure_or_not():
    model = tiny_cnn(np.float32)
    out = explain.explain(model, seven_input())
    p = out["probabilities"]
    assert out["top"].tolist() == np.argsort(p)[::-1][:3].tolist()
    np.testing.assert_allclose(out["top_p"], p[out["top"]])
    assert out["digit"] == out["top"][0]
    assert out["saliency"].shape == (28, 28)
    assert isinstance(out["unsure"], bool) and isinstance(out["reason"], str)
    assert out["unsure"] == (out["reason"] != "")


def test_the_why_explains_the_reading_after_a_second_look(monkeypatch):
    model, x = tiny_cnn(np.float32), seven_input()
    out = explain.explain(model, x)
    expected = second_look.predict(model, x[None])[0]
    assert expected.max() < second_look.SECOND_LOOK  # an untrained net doubts: it looked again
    np.testing.assert_allclose(out["probabilities"], expected, rtol=1e-5)
    # the saliency is of x itself, not of the shifted copies the second look read last
    explain.trace(model, x)
    np.testing.assert_allclose(out["saliency"], explain.saliency(model, out["digit"]), rtol=1e-5, atol=1e-7)
    # a second look that changes the digit: the "Why" is of the new one
    other = (out["digit"] + 1) % 10
    monkeypatch.setattr(second_look, "predict", lambda m, xs, first=None: np.eye(10, dtype=np.float32)[[other]])
    out = explain.explain(model, x)
    assert out["digit"] == other and out["top"][0] == other
    explain.trace(model, x)
    np.testing.assert_allclose(out["saliency"], explain.saliency(model, other), rtol=1e-5, atol=1e-7)


def _confident(digit=7, p=0.95):
    probs = np.full(10, (1 - p) / 9)
    probs[digit] = p
    return probs


def test_unsure_thresholds():
    x = seven_input()
    assert explain.unsure_reason(_confident(p=0.95), x) is None
    assert "7 or" in explain.unsure_reason(_confident(p=0.5), x)  # below P_UNSURE
    spread = np.array([0.61] + [0.39 / 9] * 9)  # p ok, entropy high
    assert explain.unsure_reason(spread, x) is not None


def test_a_scribble_or_scattered_marks_look_like_no_digit():
    scribble = np.zeros((28, 28))
    scribble[4:24, 4:24] = 1  # a filled blob
    assert "too much ink" in explain.no_digit_reason(scribble)
    dots = np.zeros((28, 28))
    for k in range(6):
        dots[4 + 3 * k : 6 + 3 * k, 4 + 3 * k : 6 + 3 * k] = 1  # six separate specks
    assert "scattered" in explain.no_digit_reason(dots)
    assert explain.no_digit_reason(seven_input()) is None
    assert "doesn't look like a digit" in explain.unsure_reason(_confident(), scribble)


def test_mnist_digits_are_rarely_unsure(mnist_test_raw):
    """The no-digit checks must leave real digits alone (they use the input only, no model)."""
    from inkling.data.preprocess import normalize_batch

    images, _ = mnist_test_raw
    x = normalize_batch(images[:2000])
    flagged = sum(explain.no_digit_reason(im) is not None for im in x)
    assert flagged / len(x) < 0.005
