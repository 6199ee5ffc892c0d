"""The Lab's starter (py/inkling/lab/starter.py, what the editor opens on): run in the page, it
trains a from-scratch NumPy MLP on the site's MNIST to >= 97 % test accuracy, draws its charts,
and, used for the pad, reads drawn digits. Prints the accuracy and the time it took."""

from __future__ import annotations

import re
import time

import harness
from lab_page import open_lab, run
from pen import draw_strokes, fit_strokes
from strokes import sample_per_digit, trace_strokes

MIN_ACCURACY = 97.0
MIN_DRAWN = 0.9  # of the drawn digits read as their label


def test_the_starter_trains_to_97_percent_and_reads_the_pad(new_context, site, mnist_test_raw):
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    harness.open_app(page, site)
    open_lab(page)
    t0 = time.perf_counter()
    out = run(page, timeout_ms=600_000)
    took = time.perf_counter() - t0
    epochs = re.findall(r"test accuracy ([0-9.]+) %, (\d+) s", out)
    print(f"starter in the page: {epochs} (accuracy %, training s); whole run {took:.1f} s incl. MNIST")
    assert "✓ Done" in out, out[-2000:]
    assert epochs and float(epochs[-1][0]) >= MIN_ACCURACY, out[-2000:]
    points = page.eval_on_selector(".lab-chart[data-name=loss]", "f => Number(f.dataset.points)")
    assert points >= 10

    page.click("[data-testid=lab-use]")
    page.wait_for_function("(sel) => document.querySelector(sel).value === 'lab-1'", arg=harness.MODEL_SELECT)
    images, labels = mnist_test_raw
    page.locator(harness.PAD).scroll_into_view_if_needed()
    box = harness.pad_box(page)
    read = []
    for i in sample_per_digit(labels, 2, 7):
        harness.clear_pad(page)
        strokes = fit_strokes(trace_strokes(images[i]), box, 0.7)
        draw_strokes(page, strokes)
        read.append((int(labels[i]), harness.wait_strokes(page, len(strokes)).digit))
    right = sum(label == digit for label, digit in read)
    print(f"lab-1 read {right} of {len(read)} drawn digits: {read}")
    assert page.eval_on_selector(harness.MODEL_SELECT, "s => s.value") == "lab-1"
    assert right >= MIN_DRAWN * len(read)
