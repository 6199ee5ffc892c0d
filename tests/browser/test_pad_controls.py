"""Undo, Clear, and drawing while the page is still loading."""

from __future__ import annotations

import harness
from pen import draw_strokes, fit_strokes
from strokes import trace_strokes

# A "7" in two strokes ([0, 1] pad coordinates): the top bar, then the slanted stem.
SEVEN = [
    [(0.20, 0.15), (0.50, 0.15), (0.80, 0.15)],
    [(0.80, 0.15), (0.62, 0.52), (0.45, 0.90)],
]


def _digit_strokes(mnist_test_raw, label: int, min_strokes: int = 2, max_strokes: int = 3):
    """The first MNIST test digit `label` that the tracer draws in min..max strokes."""
    images, labels = mnist_test_raw
    for i in (i for i in range(len(labels)) if labels[i] == label):
        s = trace_strokes(images[i])
        if min_strokes <= len(s) <= max_strokes:
            return i, s
    raise AssertionError(f"no MNIST {label} traces into {min_strokes}..{max_strokes} strokes")


def test_undo_removes_last_stroke_and_prediction_follows(app):
    page = app
    harness.clear_pad(page)
    box = harness.pad_box(page)
    first, second = fit_strokes(SEVEN, box, 0.7)

    draw_strokes(page, [first])
    after_one = harness.wait_strokes(page, 1)
    draw_strokes(page, [second])
    after_two = harness.wait_strokes(page, 2)
    pad_after_two = harness.canvas_data_url(page, harness.PAD)
    assert after_two.text != "", "no prediction after drawing two strokes"

    page.click(harness.UNDO)
    undone = harness.wait_strokes(page, 1)
    assert undone.text == after_one.text, (
        f"after Undo the prediction should be the one-stroke prediction {after_one.text!r}, got {undone.text!r}"
    )
    diffs = [abs(a - b) for a, b in zip(undone.probs, after_one.probs) if a is not None and b is not None]
    assert diffs and max(diffs) < 0.05, (
        f"after Undo probabilities {undone.probs} differ from the one-stroke ones {after_one.probs}"
    )
    if pad_after_two is not None:
        assert harness.canvas_data_url(page, harness.PAD) != pad_after_two, "Undo left the pad's pixels unchanged"

    page.click(harness.UNDO)
    empty = harness.wait_strokes(page, 0)
    assert empty.text == "", f"prediction left after undoing every stroke: {empty}"


def test_clear_empties_prediction_and_pad(app, mnist_test_raw):
    page = app
    harness.clear_pad(page)
    blank_pad = harness.canvas_data_url(page, harness.PAD)
    blank_input = harness.canvas_data_url(page, harness.MODEL_INPUT)

    _, strokes = _digit_strokes(mnist_test_raw, 4)
    pts = fit_strokes(strokes, harness.pad_box(page), 0.6)
    draw_strokes(page, pts)
    drawn = harness.wait_strokes(page, len(pts))
    assert drawn.text != "", "no prediction after drawing a digit"
    if blank_pad is not None:
        assert harness.canvas_data_url(page, harness.PAD) != blank_pad, "the pad shows no ink"

    page.click(harness.CLEAR)
    cleared = harness.wait_strokes(page, 0)
    assert cleared.text == "", f"prediction shown after Clear: {cleared}"
    if blank_pad is not None:
        assert harness.canvas_data_url(page, harness.PAD) == blank_pad, "ink left on the pad after Clear"
    if blank_input is not None:
        assert harness.canvas_data_url(page, harness.MODEL_INPUT) == blank_input, (
            "the 28x28 model-input view still shows a digit after Clear"
        )


def test_drawing_before_ready_yields_prediction_once_ready(new_context, site, app, mnist_test_raw):
    """Strokes drawn while Python is still loading are predicted as soon as it is ready.

    The worker's files (worker/, pyodide/, weights/) are held back until the drawing is done,
    so the page is certainly still loading while we draw; the result must equal what the same
    strokes give on a page that was already ready.
    """
    label = 4
    _, strokes = _digit_strokes(mnist_test_raw, label)

    ctx = new_context(viewport=app.viewport_size)
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    def worker_file(url: str) -> bool:
        return any(f"/inkling/{d}/" in url for d in ("worker", "pyodide", "weights"))

    ctx.route(worker_file, hold)
    page = ctx.new_page()
    harness.open_app(page, site, wait=False)
    assert page.evaluate(harness.STATE_JS) == "loading"
    pts = fit_strokes(strokes, harness.pad_box(page), 0.6)
    draw_strokes(page, pts)
    state_after_drawing = page.evaluate(harness.STATE_JS)
    released.append(True)
    for r in held:
        r.continue_()
    assert state_after_drawing == "loading", (
        f"could not keep the page loading while drawing (held {len(held)} requests; "
        f"data-state={state_after_drawing!r}): the test proves nothing"
    )

    harness.wait_ready(page)
    early = harness.wait_strokes(page, len(pts))
    assert early.text != "", f"no prediction for strokes drawn before ready: {early}"

    # The same strokes on the page that was ready all along.
    harness.clear_pad(app)
    draw_strokes(app, fit_strokes(strokes, harness.pad_box(app), 0.6))
    reference = harness.wait_strokes(app, len(pts))
    harness.clear_pad(app)
    assert early.text == reference.text, (
        f"drawn before ready: read {early.text!r}; the same strokes on a ready page: {reference.text!r} (label {label})"
    )


# Strokes sent faster than a reading takes: events dispatched in one turn of the page, so the
# first stroke's reading is still in flight when the next two end (one reading queued), and
# the fourth stroke is half drawn when it comes back.
QUICK_STROKES = """([x, y, w]) => {
  const pad = document.querySelector('[data-testid=pad]');
  const at = (type, fx, fy) => pad.dispatchEvent(new PointerEvent(type, {
    pointerId: 1, pointerType: 'mouse', isPrimary: true, button: 0, buttons: type === 'pointerup' ? 0 : 1,
    clientX: x + fx * w, clientY: y + fy * w, bubbles: true, cancelable: true}));
  const stroke = (points, lift = true) => {
    at('pointerdown', ...points[0]);
    for (const p of points.slice(1)) at('pointermove', ...p);
    if (lift) at('pointerup', ...points[points.length - 1]);
  };
  stroke([[0.2, 0.2], [0.3, 0.5], [0.2, 0.8]]);
  stroke([[0.4, 0.2], [0.4, 0.8]]);
  stroke([[0.55, 0.2], [0.55, 0.8]]);
  stroke([[0.7, 0.2], [0.75, 0.4]], false);
}"""
LIFT = """([x, y, w]) => document.querySelector('[data-testid=pad]').dispatchEvent(new PointerEvent('pointerup', {
  pointerId: 1, pointerType: 'mouse', isPrimary: true, button: 0, clientX: x + 0.8 * w, clientY: y + 0.8 * w,
  bubbles: true}))"""
SHOWN = """() => { const out = document.querySelector('[data-testid=prediction]'); const seen = window.__shown = [];
  new MutationObserver(() => seen.push(out.dataset.strokes)).observe(out, {attributes: true,
  attributeFilter: ['data-strokes']}); }"""


def test_a_half_drawn_stroke_is_never_read(app):
    """A reading queued behind another waits for the stroke being drawn: data-strokes counts
    finished strokes, and no reading is shown while a stroke is half drawn."""
    page = app
    harness.clear_pad(page)
    box = harness.pad_box(page)
    page.evaluate(SHOWN)
    where = [box["x"], box["y"], box["width"]]
    page.evaluate(QUICK_STROKES, where)
    page.wait_for_timeout(1000)  # the queued reading has long come back
    assert "4" not in page.evaluate("() => window.__shown"), "a reading of the half-drawn fourth stroke was shown"
    page.evaluate(LIFT, where)
    assert harness.wait_strokes(page, 4).strokes == 4
