"""inkling.reading.strokes: the pad's strokes grouped into digits, each drawn at a pen fitting its size.

Grouping is pure geometry (no model; test_regroup.py has the model's say), except the cut of a
stroke through two digits, which asks the shipped model (weights/, or $INKLING_WEIGHTS)."""

import numpy as np
import pytest
from shapes import GLYPHS

from inkling.data.preprocess import normalize_digit
from inkling.reading import strokes as S


def written(digit: str, x: float, y: float, width: float, height: float) -> list[np.ndarray]:
    """shapes.GLYPHS[digit] as pen strokes (x, y) in the box (x, y, width, height)."""
    return [np.array([(x + u * width, y + v * height) for u, v in stroke], float) for stroke in GLYPHS[digit]]


def number(text: str, height: float = 100, gap: float = 0.15, x: float = 20) -> list[np.ndarray]:
    """The digits of `text`, each 0.6 * height wide, `gap` * height apart, on one baseline."""
    out = []
    for d in text:
        out += written(d, x, 50, 0.6 * height, height)
        x += (0.6 + gap) * height
    return out


def test_points_and_counts_become_strokes_or_are_refused():
    got = S.split_points(np.array([0, 0, 1, 1, 2, 2, 5, 5], np.float32), np.array([3, 1], np.int32))
    assert [s.tolist() for s in got] == [[[0, 0], [1, 1], [2, 2]], [[5, 5]]]
    with pytest.raises(ValueError, match="do not make strokes"):
        S.split_points(np.zeros(8, np.float32), np.array([3, 2], np.int32))
    with pytest.raises(ValueError, match="do not make strokes"):
        S.split_points(np.zeros(4, np.float32), np.array([2, 0], np.int32))
    with pytest.raises(ValueError, match="finite"):
        S.split_points(np.array([0, np.nan], np.float32), np.array([1], np.int32))


def test_a_digit_in_two_strokes_is_one_digit():
    for digit in ("4", "5"):
        strokes = written(digit, 30, 40, 60, 100)
        assert len(strokes) == 2
        assert S.group_strokes(strokes) == [[0, 1]], digit


def test_a_sevens_bar_and_a_stacked_digit_drawn_apart_stay_one():
    bar = np.array([[20.0, 20.0], [60.0, 20.0]])  # not touching the stem, above it
    stem = np.array([[62.0, 30.0], [40.0, 120.0]])
    assert S.group_strokes([bar, stem]) == [[0, 1]]
    top = np.array([[30.0, 20.0], [80.0, 20.0], [30.0, 60.0]])  # a 5's upper half...
    bottom = np.array([[35.0, 72.0], [80.0, 90.0], [30.0, 120.0]])  # ...and its belly, 12 px lower
    assert S.group_strokes([top, bottom]) == [[0, 1]]
    # a 1 broken in two (MNIST test digit 3851, traced), 7 px apart and offset by 4 in x: one digit
    assert S.group_strokes(
        [np.array([[443.0, 220.0], [447.0, 281.0]]), np.array([[443.0, 288.0], [438.0, 342.0]])]
    ) == [[0, 1]]


def test_a_fives_flag_drawn_well_apart_stays_with_its_digit():
    # MNIST test digits 694 and 1940 (tuning samples): the flag starts right of where the body's
    # top ends, 0.2-0.5 of its height away. Left alone it was a digit of its own, cut into "1"s.
    body = np.array([[70.0, 40.0], [62.0, 80.0], [90.0, 75.0], [100.0, 105.0], [85.0, 140.0], [55.0, 135.0]])
    for gap in (10.0, 25.0, 45.0):  # from the body's right edge; the body is 100 px tall
        flag = np.array([[100.0 + gap, 42.0], [150.0 + gap, 36.0]])
        assert S.group_strokes([flag, body]) == [[0, 1]], gap
    # ...and in a number it goes with the nearer digit, not with the taller or the one after it
    one = np.array([[300.0, 35.0], [300.0, 140.0]])
    flag = np.array([[125.0, 42.0], [175.0, 36.0]])
    assert S.group_strokes([body, flag, one]) == [[0, 1], [2]]


def test_digits_written_close_together_are_each_one_left_to_right():
    strokes = number("1404", gap=0.12)  # (shapes.GLYPHS has 0, 1, 4, 5 and 7)
    groups = S.group_strokes(strokes)
    assert len(groups) == 4
    assert groups == sorted(groups, key=lambda g: min(strokes[k][:, 0].min() for k in g))
    # written right to left, they still come out left to right
    reversed_strokes = strokes[::-1]
    firsts = [min(reversed_strokes[k][:, 0].min() for k in g) for g in S.group_strokes(reversed_strokes)]
    assert firsts == sorted(firsts) and len(firsts) == 4


def test_touching_digits_are_one_group_that_the_reading_may_cut():
    strokes = number("70", gap=-0.25)  # the 7's bar runs into the 0
    assert S.group_strokes(strokes) == [[0, 1]]


def test_a_dot_is_left_out_unless_it_is_all_there_is():
    seven = written("7", 30, 40, 60, 100)
    dot = [np.array([[120.0, 135.0]])]  # a tap: one point, well apart
    assert S.group_strokes(seven + dot) == [[0]]
    assert S.group_strokes(dot) == [[0]]
    assert S.group_strokes([]) == []


def test_each_digit_is_drawn_at_a_pen_that_fits_its_size():
    # The same 0 written tiny and huge on the pad reads the same to the model, with strokes about
    # as thick as MNIST's (2-3 px of its 20 px box).
    small = normalize_digit(S.render_group(written("0", 10, 10, 18, 30))[0])
    large = normalize_digit(S.render_group(written("0", 10, 10, 240, 400))[0])
    assert np.abs(small - large).mean() < 0.02
    row = large[14]  # across the middle: two strokes
    thickness = row.sum() / 2
    assert 1.8 <= thickness <= 3.5, thickness
    # ...and the ink comes back where the strokes were: place maps pad pixels to ink pixels
    ink, (y0, x0, scale) = S.render_group(written("1", 100, 50, 30, 200))
    y, x = (np.array([50, 250]) - y0) * scale, (115 - x0) * scale
    assert ink[int(y[0]) + 1, int(x)] > 0.5 and ink[int(y[1]) - 1, int(x)] > 0.5


def test_a_group_is_drawn_on_its_own_pixels():
    strokes = number("17")
    parts = S.render_groups(strokes, S.group_strokes(strokes))
    assert len(parts) == 2
    for ink, piece, _, _ in parts:
        assert piece.mask.any() and piece.mask.shape == (piece.height, piece.width)
        assert ink.dtype == np.float32 and ink.min() >= 0 and ink.max() <= 1


def test_numbers_are_read_from_strokes(model):
    out = S.read_strokes(model, number("1407"))
    assert out["text"] == "1407", out["text"]
    assert out["boxes"].shape == (4, 4) and (np.diff(out["boxes"][:, 1]) > 0).all()  # pad pixels, left to right
    assert out["inputs"].shape == (4, 28, 28)


def test_a_stroke_through_two_digits_is_still_split(model):
    # "01" without lifting the pen: round the 0, then on along the top and down the 1. One group,
    # cut by number.py. (Its second half keeps the joining line, so it reads as a 7 as often as a 1.)
    joined = np.array(
        [(80, 50), (110, 75), (110, 125), (80, 150), (50, 125), (50, 75), (80, 50), (190, 50), (190, 150)]
    )
    assert S.group_strokes([joined.astype(float)]) == [[0]]
    out = S.read_strokes(model, [joined.astype(float)])
    assert len(out["text"]) == 2 and out["text"][0] == "0", out["text"]
    assert out["parts"].tolist() == [0, 0]  # both from the one group
