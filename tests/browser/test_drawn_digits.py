"""Digits drawn with the mouse are read correctly.

Each drawing is a REAL MNIST test digit (fixed seeded sample, every digit 0-9), traced into pen
strokes (strokes.py) and drawn with page.mouse at sizes from 35 % to 90 % of the pad and at
places all over it. At least 95 % must be read as their label; the test prints the accuracy
and every misread.
"""

from __future__ import annotations

import math
import os
import time

import harness
import numpy as np
from pen import draw_strokes, fit_strokes
from strokes import sample_per_digit, trace_strokes

SEED = 20250
PER_DIGIT = int(os.environ.get("INKLING_DRAWINGS_PER_DIGIT", "10"))  # 10 x 10 = 100 drawings
SIZES = (0.35, 0.5, 0.65, 0.8, 0.9)
MIN_ACCURACY = 0.95


def drawing_plan(labels: np.ndarray, per_digit: int = PER_DIGIT, seed: int = SEED):
    """[(mnist index, label, size, (fx, fy))]: fixed, seeded, covering every digit."""
    rng = np.random.default_rng(seed)
    plan = []
    for k, i in enumerate(sample_per_digit(labels, per_digit, seed)):
        size = SIZES[k % len(SIZES)]
        pos = (float(rng.uniform(0, 1)), float(rng.uniform(0, 1)))
        plan.append((int(i), int(labels[i]), size, pos))
    return plan


def _top_prob(p: harness.Prediction) -> float:
    vals = [v for v in p.probs if v is not None]
    return max(vals) if vals else float("nan")


def test_drawn_mnist_digits_are_read(app, mnist_test_raw, tmp_path_factory):
    images, labels = mnist_test_raw
    plan = drawing_plan(labels)
    assert len(plan) >= min(50, 10 * PER_DIGIT) and {lab for _, lab, _, _ in plan} == set(range(10))
    page = app
    box = harness.pad_box(page)
    out_dir = tmp_path_factory.mktemp("misreads")

    results = []  # (index, label, size, pos, Prediction)
    bad_probs = []
    timing = []  # (seconds drawing, seconds waiting for the prediction)
    for i, label, size, pos in plan:
        harness.clear_pad(page)
        strokes = fit_strokes(trace_strokes(images[i]), box, size, pos)
        t0 = time.perf_counter()
        draw_strokes(page, strokes)
        t1 = time.perf_counter()
        p = harness.wait_strokes(page, len(strokes))
        timing.append((t1 - t0, time.perf_counter() - t1))
        results.append((i, label, size, pos, p))
        if p.digit != label:
            page.screenshot(path=str(out_dir / f"mnist{i}-label{label}-read{p.text or 'none'}.png"))
        probs = p.probs
        if any(v is None or not math.isfinite(v) for v in probs):
            bad_probs.append(f"mnist #{i}: data-p0..p9 = {probs}")
        elif abs(sum(probs) - 1) > 1e-3 or (p.digit is not None and int(np.argmax(probs)) != p.digit):
            bad_probs.append(f"mnist #{i}: shows {p.text!r} but p = {[round(v, 4) for v in probs]}")
    harness.clear_pad(page)

    correct = sum(p.digit == label for _, label, _, _, p in results)
    accuracy = correct / len(results)
    misreads = [
        f"  mnist #{i:5d}: label {label}, read {p.text or '(none)'!r} "
        f"(p={_top_prob(p):.3f}) at size {size:.0%}, "
        f"pos ({pos[0]:.2f}, {pos[1]:.2f})"
        for i, label, size, pos, p in results
        if p.digit != label
    ]
    by_size = {s: [p.digit == lab for _, lab, sz, _, p in results if sz == s] for s in SIZES}
    print(
        f"\ndrawn-digit accuracy: {correct}/{len(results)} = {accuracy:.1%} "
        f"(pad {box['width']:.0f}x{box['height']:.0f} px)"
    )
    print("  by size: " + ", ".join(f"{s:.0%}: {sum(v)}/{len(v)}" for s, v in by_size.items()))
    draw_s, wait_s = (sum(t) for t in zip(*timing))
    print(f"  time: {draw_s:.1f} s drawing, {wait_s:.1f} s waiting for predictions")
    if misreads:
        print(f"misreads (screenshots in {out_dir}):\n" + "\n".join(misreads))
    assert not bad_probs, "probabilities do not match the shown digit:\n" + "\n".join(bad_probs)
    assert accuracy >= MIN_ACCURACY, (
        f"only {accuracy:.1%} of drawn digits read correctly (need {MIN_ACCURACY:.0%}):\n" + "\n".join(misreads)
    )
