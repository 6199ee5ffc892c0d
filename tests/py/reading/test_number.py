"""inkling.reading.number: several digits read left to right, touching ones cut by asking the model.

The accuracy tests need the shipped weights (weights/manifest.json, or $INKLING_WEIGHTS) and
MNIST; the full benchmark is bench/read_numbers.py."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from prereq import require
from shapes import glyph

import inkling
from inkling.reading import number, strokes

REPO = Path(__file__).resolve().parents[3]


class ConstantModel:
    """Reads every input as `digit` with probability `p` (and counts what it was shown)."""

    def __init__(self, digit=3, p=0.93):
        self.digit, self.p, self.seen = digit, p, 0

    def predict_proba(self, x):
        self.seen += len(x)
        out = np.full((len(x), 10), (1 - self.p) / 9, np.float32)
        out[:, self.digit] = self.p
        return out


def test_nothing_to_read():
    out = number.read_number(ConstantModel(), np.zeros((50, 80), np.float32))
    assert out["text"] == "" and out["digits"].shape == (0,) and out["boxes"].shape == (0, 4)
    assert out["inputs"].shape == (0, 28, 28) and out["confidence"].shape == (0,)


def test_each_piece_is_read_once_and_described():
    ink = np.zeros((100, 330), np.float32)
    for k, d in enumerate("1740"):
        glyph(ink, d, 15 + 80 * k, 10, 45, 80, 7)
    model = ConstantModel()
    out = number.read_number(model, ink)
    assert out["text"] == "3333" and out["digits"].dtype == np.int32
    np.testing.assert_allclose(out["confidence"], 0.93)
    assert (np.diff(out["boxes"][:, 1]) > 0).all()  # left to right
    assert out["inputs"].shape == (4, 28, 28) and out["inputs"].max() <= 1
    assert model.seen == 4  # confident, narrow: no cut tried


def test_a_dash_is_one_piece_not_a_row_of_digits():
    # An unsure model reads the halves as surely as the whole, so only the width bonus speaks:
    # without the halves' shape check, the bar was cut three times, into 8 "digits".
    ink = np.zeros((60, 260), np.float32)
    ink[25:37, 20:240] = 1
    out = number.read_number(ConstantModel(p=0.5), ink)
    assert out["text"] == "3"


class NarrowIsSure:
    """Reads an input surely (0.95) when its ink is narrower than tall, else doubtfully (0.3), as
    2: a wide piece's halves read surer than the whole, so number.py would cut it."""

    def predict_proba(self, x):
        out = []
        for image in np.asarray(x) > 0.5:
            rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
            narrow = cols[-1] - cols[0] < rows[-1] - rows[0]
            out.append(np.eye(10)[2] * 0.9 + 0.01 if narrow else np.eye(10)[2] * 0.2 + 0.08)
        return np.array(out, np.float32)


def test_a_piece_drawn_in_one_stroke_is_cut_only_where_the_cut_crosses_it_once():
    t = np.linspace(0, 2 * np.pi, 80)
    ring = np.c_[100 + 80 * np.cos(t), 50 + 40 * np.sin(t)]  # twice as wide as tall: a cut crosses it twice
    left, right = np.c_[50 + 30 * np.cos(t), 50 + 40 * np.sin(t)], np.c_[150 - 30 * np.cos(t), 50 + 40 * np.sin(t)]
    loops = np.concatenate([left, right])  # "00" without lifting the pen: one line between the two
    for stroke, pieces in ((ring, 1), (loops, 2)):
        parts = [part[:2] for part in strokes.render_groups([stroke], [[0]])]
        assert len(number.read_pieces(NarrowIsSure(), parts)["text"]) == 2  # any piece, when many strokes
        assert len(number.read_pieces(NarrowIsSure(), parts, one_stroke=frozenset({0}))["text"]) == pieces


def _bench():
    spec = importlib.util.spec_from_file_location("read_numbers", REPO / "bench" / "read_numbers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cnn():
    manifest = inkling.weights_dir() / "manifest.json"
    require(manifest.is_file(), f"{manifest} missing (shipped weights; or set INKLING_WEIGHTS)")
    return inkling.load(inkling.weights_dir(), model="cnn")


def test_four_digit_numbers_from_mnist(cnn, mnist_test_raw):
    images, labels = mnist_test_raw
    bench = _bench()
    rng = np.random.default_rng(123)
    right = sum(
        number.read_number(cnn, ink)["text"] == truth
        for ink, truth in (bench.make_number(rng, images, labels) for _ in range(100))
    )
    assert right >= 90, f"{right} of 100 four-digit numbers read right"


def test_touching_digits_are_cut(cnn, mnist_test_raw):
    images, labels = mnist_test_raw
    rng = np.random.default_rng(7)
    bench = _bench()
    right = tried = 0
    while tried < 30:
        a, b = rng.integers(len(images), size=2)
        left, right_part = (bench._scale(bench._crop(images[i]), 70) for i in (a, b))
        ink = np.zeros((100, left.shape[1] + right_part.shape[1] + 20), np.float32)
        ink[15:85, 10 : 10 + left.shape[1]] = left
        x = 10 + left.shape[1] - 3  # overlap by 3 px
        np.maximum(ink[15:85, x : x + right_part.shape[1]], right_part, out=ink[15:85, x : x + right_part.shape[1]])
        from inkling.reading.segment import label_components

        if label_components(ink > 0.05)[1] != 1:
            continue  # not touching after all
        tried += 1
        right += number.read_number(cnn, ink)["text"] == f"{labels[a]}{labels[b]}"
    assert right >= 21, f"{right} of {tried} touching pairs read right"
