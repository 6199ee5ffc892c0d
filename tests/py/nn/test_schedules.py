"""Learning-rate schedules: values at known steps."""

import math

import pytest

from inkling.nn.schedules import Cosine, OneCycle, StepDecay


def test_step_decay():
    schedule = StepDecay(0.1, step_size=10, gamma=0.5)
    assert [schedule(s) for s in (0, 9, 10, 19, 20, 35)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125])


def test_cosine_without_warmup():
    schedule = Cosine(1.0, total_steps=100, min_lr=0.1)
    assert schedule(0) == pytest.approx(1.0)
    assert schedule(50) == pytest.approx(0.55)
    assert schedule(25) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 4)))
    assert schedule(100) == pytest.approx(0.1) and schedule(500) == pytest.approx(0.1)


def test_cosine_with_warmup():
    schedule = Cosine(0.4, total_steps=110, warmup_steps=10)
    assert [schedule(s) for s in (0, 4, 9)] == pytest.approx([0.04, 0.2, 0.4])
    assert schedule(10) == pytest.approx(0.4)
    assert schedule(60) == pytest.approx(0.2)
    assert schedule(110) == pytest.approx(0.0)


def test_one_cycle():
    schedule = OneCycle(1.0, total_steps=101, pct_start=0.3, div_factor=25, final_div_factor=1e4)
    assert schedule.peak_step == 30
    assert schedule(0) == pytest.approx(0.04)
    assert schedule(15) == pytest.approx(0.52)  # halfway up the cosine
    assert schedule(30) == pytest.approx(1.0)
    assert schedule(65) == pytest.approx((1.0 + 4e-6) / 2)  # halfway down
    assert schedule(100) == pytest.approx(4e-6)
    values = [schedule(s) for s in range(101)]
    assert values.index(max(values)) == 30


@pytest.mark.parametrize("make", [lambda: StepDecay(0.1, 0), lambda: Cosine(0.1, 10, 10), lambda: OneCycle(0.1, 1)])
def test_invalid_arguments(make):
    with pytest.raises(ValueError):
        make()
