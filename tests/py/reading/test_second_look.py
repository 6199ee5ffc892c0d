"""inkling.reading.second_look: a doubtful reading is the mean of five looks (the input and its
four one-pixel shifts); a sure one is read once."""

import numpy as np

from inkling.reading import second_look


class Linear:
    """A model whose logits are a fixed random linear map of the pixels, times `scale` (large:
    sure readings, small: doubtful ones); it keeps the size of every batch it is asked."""

    def __init__(self, scale: float):
        self.w = np.random.default_rng(0).normal(0, 1, (784, 10)).astype(np.float32) * scale
        self.batches = []

    def predict_proba(self, x):
        self.batches.append(len(x))
        logits = np.asarray(x, np.float32).reshape(len(x), -1) @ self.w
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def moved(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """x [H, W] moved by (dy, dx), blank where uncovered: np.roll with the wrapped edge cleared."""
    out = np.roll(x, (dy, dx), axis=(0, 1))
    if dy:
        out[0 if dy > 0 else -1, :] = 0
    if dx:
        out[:, 0 if dx > 0 else -1] = 0
    return out


def inputs(k: int) -> np.ndarray:
    return np.random.default_rng(1).uniform(0, 1, (k, 28, 28)).astype(np.float32)


def test_shifted_moves_every_input_one_pixel_each_way():
    x = inputs(3)
    got = second_look.shifted(x).reshape(len(second_look.SHIFTS), 3, 28, 28)
    for s, (dy, dx) in enumerate(second_look.SHIFTS):
        for k in range(3):
            np.testing.assert_array_equal(got[s, k], moved(x[k], dy, dx))
    assert sorted(second_look.SHIFTS) == [(-1, 0), (0, -1), (0, 1), (1, 0)]


def test_a_sure_reading_is_read_once():
    model, x = Linear(scale=1.0), inputs(4)
    proba = second_look.predict(model, x)
    assert (proba.max(axis=1) >= second_look.SECOND_LOOK).all()
    assert model.batches == [4]
    np.testing.assert_allclose(proba, model.predict_proba(x), rtol=1e-6)


def test_a_doubtful_reading_is_the_mean_of_five_looks_in_one_more_batch():
    model, x = Linear(scale=0.002), inputs(3)
    first = model.predict_proba(x)
    assert (first.max(axis=1) < second_look.SECOND_LOOK).all()
    model.batches.clear()
    proba = second_look.predict(model, x)
    assert model.batches == [3, 4 * 3]
    for k in range(3):
        looks = [x[k]] + [moved(x[k], dy, dx) for dy, dx in second_look.SHIFTS]
        np.testing.assert_allclose(proba[k], model.predict_proba(np.stack(looks)).mean(axis=0), rtol=1e-5)
    assert proba.dtype == np.float32 and np.allclose(proba.sum(axis=1), 1)


def test_only_the_doubtful_are_looked_at_again_and_given_probabilities_are_not_asked_twice():
    model, x = Linear(scale=0.002), inputs(3)
    first = model.predict_proba(x)
    first[1] = np.eye(10)[4]  # the caller's reading of input 1: sure
    model.batches.clear()
    proba = second_look.predict(model, x, first=first)
    assert model.batches == [4 * 2]  # inputs 0 and 2, four shifts each; nothing else
    np.testing.assert_array_equal(proba[1], np.eye(10)[4])
    assert not np.allclose(proba[0], first[0])
