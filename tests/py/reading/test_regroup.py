"""inkling.reading.regroup: the model's say in grouping the pad's strokes (rejoin, split).

Which pairs or partitions are tried is geometry, checked with models that must not be asked or
that answer as told; what the shipped model says (weights/, or $INKLING_WEIGHTS) is checked on
clear drawings."""

import numpy as np
from test_strokes import number, written

from inkling.reading import regroup as R
from inkling.reading import strokes as S


class _Refuses:
    """A model that must not be asked."""

    def predict_proba(self, x):
        raise AssertionError("the model was asked about strokes that cannot be so")


class _Answers:
    """A model reading the first `first` inputs `sure_first` sure and the rest `sure_rest`. (A
    reading under second_look.SECOND_LOOK is asked again, shifted: its copies come first too.)"""

    def __init__(self, first: int, sure_first: float, sure_rest: float):
        self.first, self.sure = first, (sure_first, sure_rest)

    def predict_proba(self, x):
        sure = np.where(np.arange(len(x)) < self.first, *self.sure)
        return np.stack([sure] + [(1 - sure) / 9] * 9, axis=1)


def test_rejoin_asks_the_model_only_about_neighbours_that_could_be_one_digit(model):
    far = number("11", gap=1.5)
    assert R.rejoin(model, far, S.group_strokes(far)) == [[0], [1]]


def test_rejoin_leaves_close_digits_that_are_together_wider_than_one_digit():
    # Two digits written close, together 0.8-1.2 times as wide as tall, used to be read joined
    # and kept joined when that read surer than the less sure of them (MNIST tuning numbers: a
    # 9 and a 9 read as one 4); one digit in two strokes that neither touch nor overlap is narrower.
    one = [np.array([[30.0, 50.0], [30.0, 150.0]])]
    for strokes in (one + written("7", 40, 50, 70, 100), written("4", 0, 50, 60, 100) + [one[0] + (48, 0)]):
        groups = S.group_strokes(strokes)
        assert len(groups) == 2
        assert R.rejoin(_Refuses(), strokes, groups) == groups


def test_rejoin_needs_less_when_the_strokes_nearly_meet():
    # A 9's loop with its stem drawn beside it (MNIST test digit 4383, traced): 0.15 surer joined
    # is enough when the strokes come within 0.08 of the height, not when they stay apart.
    t = np.linspace(0, 2 * np.pi, 24)
    loop = np.c_[40 + 22 * np.cos(t), 40 + 22 * np.sin(t)]
    for gap, joined in ((6.0, True), (14.0, False)):  # about 100 px tall: 0.06 and 0.14 of it
        stem = np.array([[62 + gap, 40.0], [62 + gap, 120.0]])
        groups = S.group_strokes([loop, stem])
        assert groups == [[0], [1]], gap
        assert R.rejoin(_Answers(2, 0.8, 0.95), [loop, stem], groups) == ([[0, 1]] if joined else groups), gap


def fifty_seven() -> list[np.ndarray]:
    """A 5 whose flag runs on into the 7 written right after it: two digits, one group."""
    return written("5", 20, 50, 60, 100) + written("7", 78, 50, 60, 100)


def test_touching_digits_are_parted_between_their_strokes(model):
    strokes = fifty_seven()
    assert S.group_strokes(strokes) == [[0, 1, 2]]  # the strokes touch
    assert R.split(model, strokes, [[0, 1, 2]]) == [[0, 1], [2]]
    out = S.read_strokes(model, strokes)
    assert out["text"] == "57", out["text"]
    assert out["parts"].tolist() == [0, 1]  # each drawn from its own strokes


def test_split_is_the_models_call():
    strokes = fifty_seven()  # one way to part it: the 5's two strokes | the 7 (the flag alone is too low)
    # parts (the 2nd and 3rd inputs) less sure than the whole: one digit
    assert R.split(_Answers(1, 0.9, 0.8), strokes, [[0, 1, 2]]) == [[0, 1, 2]]
    # parts surer by more than SPLIT_THRESHOLD (with the width's small bonus): two
    assert R.split(_Answers(1, 0.5, 0.9), strokes, [[0, 1, 2]]) == [[0, 1], [2]]


def test_one_digits_strokes_are_never_offered_as_two():
    # a 4 (its stem crosses its bar), a 5 (its flag is low), one stroke, a group too narrow
    four, five = written("4", 20, 50, 60, 100), written("5", 20, 50, 60, 100)
    stacked = [np.array([[50.0, 50.0], [50.0, 100.0]]), np.array([[50.0, 102.0], [50.0, 150.0]])]
    for strokes in (four, five, written("0", 20, 50, 140, 100), stacked):
        groups = [list(range(len(strokes)))]
        assert R.split(_Refuses(), strokes, groups) == groups
