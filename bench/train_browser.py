#!/usr/bin/env python
"""Training in the page (issue 4): the Train panel's default MLP for its default epoch and the
small CNN with the settings the panel gives it, in headless chromium against dist/.

    python bench/train_browser.py [--models mlp,cnn]   # (needs `python build.py` first)
    python bench/benchmark.py --only train   # the same, as a section of the benchmark

What is measured, per run:

* training seconds: `train_s` of the studio state, the time spent in training steps in the worker
  (not the MNIST download, not the test-set evaluation after each epoch, not the pauses between
  100 ms chunks where the worker answers messages);
* wall seconds: Start click -> the panel says the run has ended, in page time (includes building
  the run, the chunk pauses and the evaluation on the 10,000 test images);
* test accuracy: the panel's test-accuracy after the run (all 10,000 MNIST test images);
* images/s: the studio state's images_per_s (training images over training seconds), with the
  backend that did the run's matrix products (studio state "matmul": "wasm" for the kernel);
* the longest main-thread task while training: a PerformanceObserver for "longtask" installed
  before the page's scripts; the longest entry that starts between the Start click and the end.

The form is left at its defaults except for the model select ("cnn" for the second run), so the
figures are those of the settings a visitor gets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "py"), str(REPO / "tests" / "browser")]

import harness  # noqa: E402  (tests/browser/harness.py)

MNIST_TIMEOUT_MS = 120_000
RUN_TIMEOUT_MS = {"mlp": 180_000, "cnn": 600_000}

# Installed before the page's scripts: every long task of the main thread, and the page time at
# which the Train panel's data-running attribute changes (true at Start, false at the end).
PROBE = """
(() => {
  const probe = window.__trainProbe = {longtasks: [], running: []};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longtasks.push([e.startTime, e.duration]);
  }).observe({type: 'longtask', buffered: true});
  document.addEventListener('DOMContentLoaded', () => {
    const panel = document.querySelector('.train');
    new MutationObserver(() => probe.running.push([panel.dataset.running, performance.now()]))
      .observe(panel, {attributes: true, attributeFilter: ['data-running']});
  });
})();
"""

RESULT = """
() => {
  const probe = window.__trainProbe, panel = document.querySelector('.train');
  const began = probe.running.filter(([r]) => r === 'true').pop()[1];
  const ended = probe.running.filter(([r, t]) => r === 'false' && t >= began).pop()[1];
  const during = probe.longtasks.filter(([t]) => t >= began && t <= ended).map(([, d]) => d);
  // long_task_at_ms: [ms after Start, duration] of each, to tell where one came from
  return {wall_s: (ended - began) / 1000, train_s: Number(panel.dataset.trainS),
          images_per_s: Number(panel.dataset.imagesPerS), matmul: panel.dataset.matmul,
          accuracy: Number(panel.dataset.testAccuracy),
          longest_task_ms: during.length ? Math.max(...during) : 0, long_tasks: during.length,
          long_task_at_ms: probe.longtasks.filter(([t]) => t >= began && t <= ended)
            .map(([t, d]) => [Math.round(t - began), Math.round(d)]),
          status: document.querySelector('[data-testid=train-status]').textContent,
          form: Object.fromEntries(new FormData(document.querySelector('.train-form')))};
}
"""


def open_panel(browser, site):
    """(context, page): the app in a fresh profile with the probe, Train panel open, MNIST loaded."""
    ctx = harness.make_context(browser, None, viewport={"width": 800, "height": 900})
    ctx.add_init_script(PROBE)
    page = ctx.new_page()
    harness.open_app(page, site)
    page.click("[data-testid=train-open]")
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=MNIST_TIMEOUT_MS)
    return ctx, page


def train_once(page, model: str) -> dict:
    """Choose `model` in the form (the panel fills in its defaults), Start, wait for the end."""
    page.select_option(".train-form [name=model]", model)
    page.click("[data-testid=train-start]")
    page.wait_for_function("document.querySelector('.train').dataset.running === 'true'")
    page.wait_for_function(
        "document.querySelector('.train').dataset.running === 'false'", timeout=RUN_TIMEOUT_MS[model], polling=500
    )
    return page.evaluate(RESULT)


def run(browser, site, models=("mlp", "cnn")) -> dict:
    """{model: result of train_once}, each in its own fresh page."""
    results = {}
    for model in models:
        ctx, page = open_panel(browser, site)
        try:
            load_before = os.getloadavg()[0]
            results[model] = train_once(page, model)
            # The machine's 1-minute load around the run: timings on a shared machine need it.
            results[model]["load_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        finally:
            ctx.close()
    return results


def report(bench, results: dict) -> None:
    """Figures for bench/benchmark.py's "train" section."""
    names = {"mlp": "MLP (panel default)", "cnn": "small CNN (panel default)"}
    for model, r in results.items():
        name, form = names[model], r["form"]
        settings = (
            f"hidden {form.get('hidden')}, " if model == "mlp" else ""
        ) + f"lr {form.get('lr')}, batch {form.get('batch_size')}, epochs {form.get('epochs')}"
        bench.add(
            "train",
            f"{name} training time",
            r["train_s"],
            "s",
            f"{settings}; 1-min load {r['load_1min'][0]} -> {r['load_1min'][1]}",
        )
        bench.add("train", f"{name} wall time incl. test evaluation", r["wall_s"], "s")
        bench.add("train", f"{name} MNIST test accuracy", r["accuracy"], "", "10,000 test images")
        bench.add(
            "train", f"{name} training images/s", r["images_per_s"], "images/s", f"matrix products by: {r['matmul']}"
        )
        bench.add(
            "train",
            f"{name} longest main-thread task while training",
            r["longest_task_ms"],
            "ms",
            f"{r['long_tasks']} tasks over 50 ms",
        )


def main(argv=None) -> int:
    import argparse

    from playwright.sync_api import sync_playwright
    from static_server import serve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="mlp,cnn", help="which runs (default mlp,cnn)")
    args = parser.parse_args(argv)
    why = harness.missing_prerequisites()
    if why:
        raise SystemExit("; ".join(why))
    with serve(harness.DIST, prefix="/inkling/") as site, sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        for model, r in run(browser, site, args.models.split(",")).items():
            print(model, {k: v for k, v in r.items() if k != "form"}, r["form"], flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
