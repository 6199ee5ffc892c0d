"""Hold up (issue 6): a worker that dies is restarted, and the drawing on the pad is kept.

Three deaths the page must notice: the worker closing itself with a request pending (no event at
all: only the messenger's watchdog sees it), an uncaught error in the worker (the Worker's
`error` event), and a worker that dies at every boot (bounded restarts, then "Try again").
"""

from __future__ import annotations

import re
import time

import harness
from pen import draw_strokes, fit_strokes
from strokes import trace_strokes

STATUS = "#status .status-text"
RESTART_TIMEOUT_MS = 120_000  # the watchdog (10 s), the backoff, then a fresh Pyodide boot
TRAIN_TIMEOUT_MS = 240_000

# The worker answers the pad's next prediction by closing itself instead: the request is
# pending and the worker is gone, as if it had been killed while computing.
DIE_INSTEAD_OF_ANSWERING = """() => {
  const post = self.postMessage.bind(self);
  self.postMessage = (message, transfer) => {
    if (message?.result?.probabilities) { self.close(); return; }
    post(message, transfer);
  };
}"""


def take_expected(guard, pattern: str) -> list[str]:
    """Remove (and return) the problems the guard recorded that match `pattern`: a test that
    kills the worker on purpose expects exactly those; anything else still fails it."""
    fresh = guard.problems[guard._cursor :]
    expected = [p for p in fresh if re.search(pattern, p)]
    guard.problems[guard._cursor :] = [p for p in fresh if p not in expected]
    return expected


def pad_pixels(page) -> str:
    return harness.canvas_data_url(page, harness.PAD)


def status_text(page) -> str:
    return page.inner_text(STATUS)


def wait_restarted_and_read(page, n_strokes: int) -> harness.Prediction:
    """Wait until the page went back to loading, then ready on a new worker, and read the pad."""
    page.wait_for_function("document.documentElement.dataset.state !== 'ready'", timeout=30_000)
    harness.wait_ready(page, RESTART_TIMEOUT_MS)
    page.wait_for_function(
        "(sel) => /restarted after the Python worker stopped/.test(document.querySelector(sel).textContent)"
        " && /read in/.test(document.querySelector('#status .status-detail').textContent)",
        arg=STATUS,
        timeout=harness.PREDICT_TIMEOUT_MS,
    )
    return harness.wait_strokes(page, n_strokes)


def digit_strokes(mnist_test_raw, label: int):
    images, labels = mnist_test_raw
    for i in (i for i in range(len(labels)) if labels[i] == label):
        s = trace_strokes(images[i])
        if 2 <= len(s) <= 3:
            return s
    raise AssertionError(f"no MNIST {label} traces into 2..3 strokes")


def open_page(new_context, site):
    ctx = new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    harness.open_app(page, site)
    return page


def test_worker_killed_mid_prediction_and_mid_training_restarts_keeping_the_drawing(new_context, site, mnist_test_raw):
    page = open_page(new_context, site)
    strokes = fit_strokes(digit_strokes(mnist_test_raw, 4), harness.pad_box(page), 0.6)
    draw_strokes(page, strokes[:-1])
    harness.wait_strokes(page, len(strokes) - 1)
    before_worker = page.workers[0]
    before_worker.evaluate(DIE_INSTEAD_OF_ANSWERING)
    draw_strokes(page, strokes[-1:])  # its prediction is pending when the worker goes
    t0 = time.perf_counter()
    drawn = pad_pixels(page)
    first = wait_restarted_and_read(page, len(strokes))
    print(f"\nkilled mid-prediction: read again {time.perf_counter() - t0:.1f} s later")
    assert pad_pixels(page) == drawn, "the drawing changed across the restart"
    assert first.digit is not None, first
    said = [h["text"] for h in harness.state_history(page) if h["state"] == "loading"][-1]
    assert "Restarting Python (the Python worker stopped responding" in said, said
    assert page.workers[-1] is not before_worker

    # Mid-training: open the panel, start a run, kill the worker while it trains.
    page.click("[data-testid=train-open]")
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
    page.eval_on_selector(".train-advanced", "d => { d.open = true; }")
    page.fill(".train-form [name=hidden]", "128")
    page.fill(".train-form [name=epochs]", "1")
    page.fill(".train-form [name=subset]", "")  # the full 60,000: still running when killed
    page.click("[data-testid=train-start]")
    page.wait_for_function("document.querySelector('[data-testid=train-progress]').value > 2", timeout=60_000)
    page.workers[-1].evaluate("() => { setTimeout(() => self.close(), 0); }")
    page.wait_for_function("document.querySelector('.train').dataset.interrupted === 'true'", timeout=30_000)
    train_status = page.inner_text("[data-testid=train-status]")
    assert train_status.startswith("Interrupted") and "stopped responding" in train_status, train_status
    second = wait_restarted_and_read(page, len(strokes))
    assert pad_pixels(page) == drawn
    assert second.text == first.text, (first, second)
    # The panel loads MNIST into the new worker and can train again.
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
    page.fill(".train-form [name=subset]", "2000")
    page.click("[data-testid=train-start]")
    page.wait_for_function(
        "document.querySelector('.train').dataset.running === 'false' && "
        "/^Done/.test(document.querySelector('[data-testid=train-status]').textContent)",
        timeout=TRAIN_TIMEOUT_MS,
    )
    assert page.input_value(harness.MODEL_SELECT).startswith("my-mlp-")


def test_uncaught_error_in_worker_restarts_it(new_context, site, mnist_test_raw):
    page = open_page(new_context, site)
    strokes = fit_strokes(digit_strokes(mnist_test_raw, 7), harness.pad_box(page), 0.6)
    draw_strokes(page, strokes)
    harness.wait_strokes(page, len(strokes))
    drawn = pad_pixels(page)
    page.workers[0].evaluate("() => { setTimeout(() => { throw new Error('test: worker crash'); }, 0); }")
    t0 = time.perf_counter()
    again = wait_restarted_and_read(page, len(strokes))
    print(f"\nuncaught error in the worker: read again {time.perf_counter() - t0:.1f} s later")
    assert pad_pixels(page) == drawn
    assert again.digit is not None
    said = [h["text"] for h in harness.state_history(page) if h["state"] == "loading"][-1]
    assert "Restarting Python (the Python worker failed: Uncaught Error: test: worker crash" in said, said


def test_worker_that_dies_at_every_boot_ends_in_try_again(new_context, site, net_guard):
    ctx = new_context(viewport={"width": 800, "height": 900})
    broken = {"on": True}

    def worker(route):
        if broken["on"]:
            route.fulfill(
                status=200, content_type="text/javascript", body="throw new Error('test: worker dies at boot');"
            )
        else:
            route.continue_()

    ctx.route(re.compile(r".*/worker/inkling-worker\.js$"), worker)
    page = ctx.new_page()
    harness.open_app(page, site, wait=False)
    page.wait_for_function("document.documentElement.dataset.state === 'error'", timeout=60_000)
    text = status_text(page)
    assert "4 times" in text, text
    assert page.is_visible("#status .retry")
    booted = [h["state"] for h in harness.state_history(page)]
    assert booted.count("loading") >= 1 and booted[-1] == "error"
    take_expected(net_guard, r"test: worker dies at boot")  # if the browser logs the error we caused

    broken["on"] = False
    page.click("#status .retry")
    harness.wait_ready(page)
