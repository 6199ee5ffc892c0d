"""The Train panel's dashboard (issue 4): two short runs side by side in the runs table, a curve
per run in both live charts (uPlot, served from dist/vendor/), and the chosen run's confusion
matrix and misclassified digits from its final evaluation on the 10k test set."""

from __future__ import annotations

import os
import time

import harness
import pytest

# 1 epoch on 8,000 images: ~1 s with the WebAssembly kernel, then the 10k test set. Long enough for
# several 100 ms chunks, i.e. several loss points a run (2,000 images took one or two chunks).
SUBSET = 8000
TRAIN_TIMEOUT_MS = 240_000
RUNS = [
    dict(hidden="32", optimizer="nesterov", lr=0.5, batch_size=64),
    dict(hidden="64", optimizer="adam", lr=0.003, batch_size=32),
]

# Records main-thread long tasks (> 50 ms) so the test can print the longest one.
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });
"""


@pytest.fixture(scope="module")
def trained(chromium, net_guard, site):
    """A page with two finished runs (the Train panel open, MNIST loaded)."""
    ctx = harness.make_context(chromium, net_guard, viewport={"width": 1280, "height": 900})
    ctx.add_init_script(LONG_TASKS)
    page = ctx.new_page()
    vendor = lambda: [u for u in net_guard.requests if "/vendor/" in u]  # noqa: E731
    before = len(vendor())
    harness.open_app(page, site)
    page.wait_for_timeout(300)
    assert len(vendor()) == before, "uPlot was fetched before the Train panel opened"
    page.click("[data-testid=train-open]")
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
    page.eval_on_selector(".train-advanced", "d => { d.open = true; }")
    page.evaluate("window.__longTasks = []")  # count from the first run on
    assert sorted(u.rsplit("/", 1)[1] for u in vendor()[before:]) == ["uPlot.esm.js", "uPlot.min.css"]
    for n, run in enumerate(RUNS, 1):
        page.select_option(".train-form [name=optimizer]", run["optimizer"])
        for name in ("hidden", "lr", "batch_size"):
            page.fill(f".train-form [name={name}]", str(run[name]))
        page.fill(".train-form [name=epochs]", "1")
        page.fill("[data-testid=train-subset]", str(SUBSET))
        t0 = time.perf_counter()
        page.click("[data-testid=train-start]")
        page.wait_for_function(
            f"document.querySelector('.train').dataset.report === '{n}' && "
            "document.querySelector('.train').dataset.running === 'false'",
            timeout=TRAIN_TIMEOUT_MS,
        )
        print(f"\nrun {n} done in {time.perf_counter() - t0:.1f} s: {page.inner_text('[data-testid=train-status]')}")
    page.wait_for_timeout(700)  # the last batched chart redraw
    if shots := os.environ.get("INKLING_SHOTS"):  # screenshots for a human to look at
        page.locator(".train").screenshot(path=f"{shots}/train-report-1280.png")
    yield page
    ctx.close()


def test_both_runs_are_listed_with_their_settings_and_accuracy(trained):
    rows = trained.locator("[data-testid=train-runs] tbody tr")
    assert rows.count() == 2
    for i, run in enumerate(RUNS):
        text = rows.nth(i).inner_text()
        assert f"MLP {run['hidden']}" in text and str(run["lr"]) in text and str(run["batch_size"]) in text
        assert ("Adam" if run["optimizer"] == "adam" else "SGD+Nesterov") in text
        assert f"{SUBSET:,}" in text and "my-mlp-" in text
        accuracy = float(rows.nth(i).get_attribute("data-accuracy"))
        assert 0.5 < accuracy < 1 and f"{100 * accuracy:.2f} %" in text
    assert rows.nth(1).get_attribute("class") == "is-selected"  # the latest run is the chosen one


def test_each_chart_holds_a_series_per_run(trained):
    for testid in ("train-chart-loss", "train-chart-accuracy"):
        chart = trained.locator(f"[data-testid={testid}]")
        assert chart.get_attribute("data-series") == "2", testid
        assert chart.locator("canvas").count() >= 1
        legend = [t.strip() for t in chart.locator(".u-legend .u-series").all_inner_texts()]
        assert [t for t in legend if t.startswith("Run")] == ["Run 1", "Run 2"], legend
    loss_points = int(trained.get_attribute("[data-testid=train-chart-loss]", "data-points"))
    print(f"\nloss points: {loss_points}")
    assert loss_points >= 4  # the loss curve moved during the epochs
    assert trained.get_attribute("[data-testid=train-chart-accuracy]", "data-points") == "2"
    longest = max(trained.evaluate("window.__longTasks"), default=0)
    print(f"\nlongest main-thread task during the two runs: {longest:.0f} ms (0 = none over 50 ms)")


def confusion(page) -> list[list[int]]:
    return page.eval_on_selector_all(
        "[data-testid=confusion-matrix] tbody tr",
        "rows => rows.map(r => Array.from(r.querySelectorAll('td[data-count]'), td => Number(td.dataset.count)))",
    )


def test_confusion_matrix_sums_to_the_test_set_and_matches_the_accuracy(trained):
    m = confusion(trained)
    assert len(m) == 10 and all(len(row) == 10 for row in m)
    assert sum(map(sum, m)) == 10_000
    diagonal = sum(m[i][i] for i in range(10))
    shown = float(trained.inner_text("[data-testid=test-accuracy]"))
    assert abs(100 * diagonal / 10_000 - shown) <= 0.05, (diagonal, shown)
    run2 = float(trained.get_attribute("[data-testid=train-runs] tbody tr:nth-child(2)", "data-accuracy"))
    assert diagonal == round(run2 * 10_000)
    assert trained.locator("[data-testid=confusion-matrix] td.diag").count() == 10
    assert trained.locator("[data-testid=confusion-matrix] caption").inner_text().startswith("Run 2")


def test_gallery_shows_misclassified_digits_with_their_probabilities(trained):
    items = trained.locator("[data-testid=misclassified] li.mistake")
    n = items.count()
    diagonal = sum(confusion(trained)[i][i] for i in range(10))
    assert n == min(48, 10_000 - diagonal) and n > 0
    for k in range(n):
        item = items.nth(k)
        label, read = item.get_attribute("data-label"), item.get_attribute("data-predicted")
        assert label != read
        layers = item.locator(".proba-strip").evaluate("s => getComputedStyle(s).backgroundSize.split(',')")
        assert len(layers) == 10  # a bar a digit, heights = probabilities
        assert f"true {label}, read {read}" in item.get_attribute("aria-label")
    # the digit is drawn: a 28x28 canvas with both ink and paper in it
    tones = items.first.locator("canvas").evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;"
        "       let dark = 0, light = 0; for (let i = 0; i < d.length; i += 4) d[i] < 128 ? dark++ : light++;"
        "       return [c.width, c.height, dark, light]; }"
    )
    assert tones[:2] == [28, 28] and tones[2] > 20 and tones[3] > 200


def test_choosing_the_first_run_shows_its_report(trained):
    trained.click("[data-testid=train-runs] button[data-run='1']")
    trained.wait_for_function("document.querySelector('.train').dataset.report === '1'")
    m = confusion(trained)
    run1 = float(trained.get_attribute("[data-testid=train-runs] tbody tr:nth-child(1)", "data-accuracy"))
    assert sum(map(sum, m)) == 10_000 and sum(m[i][i] for i in range(10)) == round(run1 * 10_000)
    assert trained.locator("[data-testid=train-runs] tbody tr").nth(0).get_attribute("class") == "is-selected"
    if shots := os.environ.get("INKLING_SHOTS"):
        trained.set_viewport_size({"width": 390, "height": 900})
        trained.wait_for_timeout(600)
        trained.locator(".train").screenshot(path=f"{shots}/train-report-390.png")


def test_on_a_phone_nothing_widens_the_page(trained):
    trained.set_viewport_size({"width": 360, "height": 780})
    trained.wait_for_timeout(500)  # ResizeObserver -> charts resized
    try:
        sizes = trained.evaluate("""() => {
            const w = (sel) => document.querySelector(sel).getBoundingClientRect().width;
            return {page: document.documentElement.scrollWidth, view: innerWidth,
                    matrix: w('[data-testid=confusion-matrix] table'), panel: w('.train'),
                    chart: w('[data-testid=train-chart-loss] .uplot')};
        }""")
        assert sizes["page"] <= sizes["view"], sizes  # tables scroll inside their boxes
        assert sizes["matrix"] <= sizes["panel"] and sizes["chart"] <= sizes["panel"], sizes
    finally:
        trained.set_viewport_size({"width": 1280, "height": 900})
