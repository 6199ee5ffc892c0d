"""inkling.lab.exercises: every template fails its gradient check, a right answer passes, and the
largest error is reported either way."""

import pytest
from lab_answers import RIGHT

from inkling.lab import exercises


def test_there_are_at_least_three_and_each_has_a_right_answer_here():
    assert len(exercises.EXERCISES) >= 3
    assert set(RIGHT) == set(exercises.BY_ID)


@pytest.mark.parametrize("exercise", exercises.EXERCISES, ids=lambda e: e.id)
def test_the_template_fails(exercise):
    r = exercises.check(exercise.id, exercise.template)
    assert r["passed"] is False and r["message"].startswith("Fail")


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_a_right_answer_passes_with_a_tiny_largest_error(exercise_id):
    r = exercises.check(exercise_id, RIGHT[exercise_id])
    assert r["passed"] is True, r
    assert r["max_error"] < 1e-6 and "largest error" in r["message"]


def test_an_almost_right_answer_fails_with_its_error():
    r = exercises.check("dense", RIGHT["dense"].replace("grad_out.sum(axis=0)", "grad_out.sum(axis=0) * 1.001"))
    assert r["passed"] is False and r["max_error"] > 1e-4


def test_errors_in_the_code_are_a_failure_that_says_why():
    assert exercises.check("relu", "def relu_backward(x, g):\n    return g[:1]\n")["message"].startswith(
        "Fail: dL/dx has shape"
    )
    assert "NameError" in exercises.check("relu", "def relu_backward(x, g):\n    return nope\n")["message"]
    assert "define a function called relu_backward" in exercises.check("relu", "x = 1\n")["message"]
    with pytest.raises(ValueError):
        exercises.check("no-such", "")
