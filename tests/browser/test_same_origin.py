"""Everything the site needs comes from its own origin and sub-path: no CDN, no other host.

(The guard in conftest.py also fails every other browser test on a request elsewhere; this test
makes the full round explicit: cold load, every model in the selector, a drawing with each.)
"""

from __future__ import annotations

import harness
from pen import draw_strokes, fit_strokes
from strokes import trace_strokes

NEEDED = ("pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json", ".whl", "manifest.json", ".npy")


def test_every_request_stays_on_the_sub_path(new_context, site, net_guard, mnist_test_raw):
    images, labels = mnist_test_raw
    i = int(next(i for i in range(len(labels)) if labels[i] == 3))
    strokes = trace_strokes(images[i])

    start = len(net_guard.requests)
    served_start = len(site.served)
    ctx = new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    harness.open_app(page, site)

    options = page.eval_on_selector_all(f"{harness.MODEL_SELECT} option", "os => os.map(o => o.value)")
    assert options, "the model selector offers no model"
    readings = {}
    for value in options:
        page.select_option(harness.MODEL_SELECT, value)
        harness.wait_ready(page)
        harness.clear_pad(page)
        pts = fit_strokes(strokes, harness.pad_box(page), 0.6)
        draw_strokes(page, pts)
        readings[value] = harness.wait_strokes(page, len(pts)).text
    print(f"\nMNIST #{i} (a 3) read by each model: {readings}")
    assert all(readings.values()), f"a model gave no prediction: {readings}"

    seen = net_guard.requests[start:]
    # The worker's own fetches must be visible to the guard, or it would miss half the site.
    assert any(u.endswith("/pyodide.asm.wasm") for u in seen) and any(u.endswith(".npy") for u in seen), (
        "the browser-side request log misses the worker's fetches; the origin guard is blind"
    )
    others = [u for u in seen if not net_guard.allowed(u)]
    assert not others, "requests to another origin:\n  " + "\n  ".join(others)
    outside = [p for _, p, _ in site.served[served_start:] if not p.startswith("/inkling/") and p != "/favicon.ico"]
    assert not outside, f"requests outside the /inkling/ sub-path: {outside}"
    served = " ".join(p for _, p, _ in site.served[served_start:])
    missing = [n for n in NEEDED if n not in served]
    assert any(p in ("/inkling/", "/inkling/index.html") for _, p, _ in site.served[served_start:])
    assert not missing, f"never fetched from the site (loaded from elsewhere?): {missing}"
    print(f"{len(seen)} requests seen by the browser, {len(site.served) - served_start} served, all from {site.url}")


def test_the_guard_forgives_only_the_aborts_of_a_tests_own_reload():
    from types import SimpleNamespace

    site = "http://127.0.0.1:1"
    guard = harness.NetGuard(site)
    aborted = SimpleNamespace(url=f"{site}/inkling/x.zip", method="GET", failure="net::ERR_ABORTED")
    refused = SimpleNamespace(url=f"{site}/inkling/y.npy", method="GET", failure="net::ERR_CONNECTION_REFUSED")
    with guard.navigating_away():
        guard._on_failed(aborted)
        guard._on_failed(refused)
    guard._on_failed(aborted)
    assert guard.take_new() == [
        f"request failed: GET {refused.url} ({refused.failure})",
        f"request failed: GET {aborted.url} ({aborted.failure})",
    ]
