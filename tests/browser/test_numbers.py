"""Numbers, not just digits: several digits on the pad or in a picture are segmented and read
left to right ([data-testid=number], each digit's confidence beside it); touching digits are
cut apart. The 4-digit benchmark itself is bench/read_numbers.py (CPython)."""

from __future__ import annotations

import harness
import numpy as np
import pictures as P
import pytest
from pen import draw_strokes, fit_strokes
from strokes import trace_strokes

from inkling.reading.segment import label_components


@pytest.fixture(scope="module")
def page(chromium, net_guard, site):
    return P.shared_app(chromium, net_guard, site)


def test_a_number_drawn_on_the_pad(page, mnist_test_raw):
    images, labels = mnist_test_raw
    P.reset(page)
    box = harness.pad_box(page)
    total = 0
    for k, digit in enumerate([2, 0, 2, 6]):
        i = P.CLEAR[digit][0]
        strokes = fit_strokes(trace_strokes(images[i]), box, 0.22, (k / 3, 0.5))
        draw_strokes(page, strokes)
        total += len(strokes)
    harness.wait_strokes(page, total)
    state = P.wait_why(page, total)
    assert state["number"] == "2026", state
    assert state["numberVisible"]
    confidence = [float(c) for c in state["confidence"].split(",")]
    assert len(confidence) == 4 and all(0 < c <= 1 for c in confidence)
    shown = page.locator(".number-digits li").all_inner_texts()
    assert [s.split()[0] for s in shown] == list("2026") and all("%" in s for s in shown)


def test_one_digit_is_a_one_digit_number_and_nothing_is_empty(page, mnist_test_raw):
    images, labels = mnist_test_raw
    P.reset(page)
    assert P.read_state(page)["number"] == ""
    p = P.draw_digit(page, images, labels, 5)
    state = P.wait_why(page, p.strokes)
    assert state["number"] == "5" and not state["numberVisible"]  # the prediction says it all
    harness.clear_pad(page)
    assert P.read_state(page)["number"] == ""


def test_touching_digits_in_a_picture_are_cut_apart(page, mnist_test_raw):
    images, labels = mnist_test_raw
    P.reset(page)
    bench = P.bench_module()
    parts = [bench._scale(bench._crop(images[P.CLEAR[d][0]]), 120) for d in (4, 7, 3)]
    ink = np.zeros((140, sum(p.shape[1] for p in parts) + 20), np.float32)
    x = 10
    for part in parts:  # each digit overlaps the one before by 6 px
        region = ink[10:130, x : x + part.shape[1]]
        np.maximum(region, part, out=region)
        x += part.shape[1] - 6
    assert label_components(ink > 0.5)[1] == 1  # really one piece of ink
    before = P.seq(page, P.NUMBER)
    P.upload(page, P.encode(P.paper(ink), "PNG"), "touching.png", "image/png")
    state = P.wait_picture_read(page, before)
    assert state["number"] == "473", state
