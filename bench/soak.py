"""Soak: does the worker's memory stay put over thousands of predictions and a few training runs?

Used by bench/benchmark.py's `soak` section and by tests/browser/test_soak.py (fewer calls).

How it is measured, in headless chromium on the page opened with ?debug (main.js then exposes
window.__inkling, a handle on the same WorkerMessenger the pad uses):
* A digit is drawn on the pad with the mouse; each prediction sends the pad's own snapshot as the
  pad does ({type: "predict", model, width, height, alpha}, the alpha buffer transferred), one
  after another, to the worker's `predict` handler.
* Memory is the worker's `memory` request: the wasm heap (bytes; it only grows), the bytes
  malloc has handed out and not had back (dlmalloc's mallinfo), and Python's gc-tracked objects
  after a gc.collect() (inkling.worker.app.memory).
* The Train panel is opened (MNIST loaded into the worker) before the baseline, since a training
  run needs it; each run (MLP, 1 epoch on a small subset, through the panel's Start button) keeps
  its trained model, as the page does, so a little growth per run is by design.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

import harness  # noqa: E402
from pen import draw_strokes, fit_strokes  # noqa: E402

FIGURES = ("wasmHeapBytes", "mallocBytes", "gcObjects")
SEVEN = [[(0.20, 0.15), (0.50, 0.15), (0.80, 0.15)], [(0.80, 0.15), (0.62, 0.52), (0.45, 0.90)]]

# n predictions of the pad's drawing through the page's messenger; the Python time of each.
PREDICT_N = """async (n) => {
  const app = window.__inkling, ms = [];
  for (let i = 0; i < n; i++) {
    const { width, height, alpha } = app.snapshot();
    const r = await app.request({ type: "predict", model: app.model(), width, height, alpha }, [alpha.buffer]);
    if (r.digit === null) throw new Error("the pad's drawing was read as empty");
    ms.push(r.ms);
  }
  return ms;
}"""


def open_debug_page(browser, site, guard=None):
    """(context, page): the app with ?debug, ready, with a "7" drawn on the pad."""
    ctx = harness.make_context(browser, guard, viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    page.goto(site.url + "?debug", wait_until="domcontentloaded")
    harness.wait_ready(page)
    draw_strokes(page, fit_strokes(SEVEN, harness.pad_box(page), 0.7))
    harness.wait_strokes(page, 2)
    return ctx, page


def memory(page) -> dict:
    return page.evaluate("window.__inkling.request({type: 'memory'})")


def predict(page, n: int) -> list[float]:
    return page.evaluate(PREDICT_N, n)


def load_mnist(page) -> None:
    page.click("[data-testid=train-open]")
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=180_000)


def train(page, subset: int = 2000) -> str:
    """One short run through the Train panel (MLP-128, 1 epoch on `subset` images)."""
    page.eval_on_selector(".train-advanced", "d => { d.open = true; }")
    for name, value in (("hidden", "128"), ("epochs", "1"), ("subset", str(subset))):
        page.fill(f".train-form [name={name}]", value)
    page.click("[data-testid=train-start]")
    page.wait_for_function("document.querySelector('.train').dataset.running === 'true'")
    page.wait_for_function("document.querySelector('.train').dataset.running === 'false'", timeout=300_000)
    status = page.inner_text("[data-testid=train-status]")
    if not status.startswith("Done"):
        raise RuntimeError(f"training run did not finish: {status}")
    return status


def growth(before: dict, after: dict) -> dict:
    """Per figure, the growth from `before` to `after` in % (negative: it shrank)."""
    return {k: 100.0 * (after[k] - before[k]) / before[k] for k in FIGURES}


def run(
    browser, site, predictions: int = 5000, baseline_after: int = 100, runs: int = 3, subset: int = 2000, log=print
) -> dict:
    """The soak: MNIST loaded, `baseline_after` predictions -> baseline, `predictions` more,
    `runs` training runs; memory after each stage."""
    ctx, page = open_debug_page(browser, site)
    try:
        shipped = page.input_value(harness.MODEL_SELECT)
        load_mnist(page)
        warm = predict(page, baseline_after)
        stages = {"baseline": memory(page)}
        log(f"  baseline after {baseline_after} predictions: {stages['baseline']}")
        ms = predict(page, predictions)
        stages["predictions"] = memory(page)
        log(f"  after {predictions} more predictions: {stages['predictions']}")
        for i in range(1, runs + 1):
            log(f"  training run {i}: {train(page, subset)}")
            stages[f"run {i}"] = memory(page)
            log(f"  after training run {i}: {stages[f'run {i}']}")
        page.select_option(harness.MODEL_SELECT, shipped)  # back to the shipped model for the pad
        predict(page, baseline_after)
        stages["training"] = memory(page)
        log(f"  after {runs} training runs (+{baseline_after} predictions): {stages['training']}")
        return {
            "stages": stages,
            "predict_ms": warm + ms,
            "growth": {k: growth(stages["baseline"], v) for k, v in stages.items() if k != "baseline"},
        }
    finally:
        ctx.close()


def section(bench) -> None:
    """bench/benchmark.py's `soak` section."""
    result = run(bench.browser, bench.site)
    bench.raw["soak"] = result
    base = result["stages"]["baseline"]
    for stage, label in (
        ("predictions", "after 5,000 predictions"),
        ("run 1", "after 1 training run"),
        ("training", "after 3 training runs"),
    ):
        for k in FIGURES:
            after = result["stages"][stage][k]
            bench.add(
                "soak",
                f"{k} {label} vs after 100 predictions",
                round(result["growth"][stage][k], 2),
                "%",
                f"{base[k]:,} -> {after:,}",
            )
    ms = result["predict_ms"]
    blocks = [statistics.median(ms[i : i + 500]) for i in range(0, len(ms), 500)]
    bench.add(
        "soak",
        "predict (Python time), median of each 500 in order",
        " ".join(f"{m:.1f}" for m in blocks),
        "ms",
        "a slowdown would show as a trend",
    )
