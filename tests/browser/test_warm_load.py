"""Warm loads (web/worker/runtime-snapshot.js): the first visit stores a memory snapshot of the
booted Python runtime; the next load restores it instead of starting Python afresh, and the pad
predicts as before. A snapshot that does not restore is replaced, and the page still works."""

from __future__ import annotations

import re
import time

import harness
from pen import draw_strokes, fit_strokes
from test_offline import digit_strokes

SNAPSHOT_CACHES = "async () => (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'))"
INIT_TIMINGS = "async () => (await window.__inkling.request({type: 'init'})).timings"
BUILD_INFO = (harness.DIST / "build-info.js").read_text()
RUNTIME_DIR, APP_DIR, WEIGHTS_DIR = (
    re.search(rf'^export const {name} = "([^"]+)/";', BUILD_INFO, re.M)[1]
    for name in ("PYODIDE_DIR", "APP_DIR", "WEIGHTS_DIR")
)


STORED = """async () => {          // the snapshot's cache holds its one entry
    const [name] = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
    return name !== undefined && (await (await caches.open(name)).keys()).length === 1;
}"""


def wait_until(page, predicate: str, timeout_s: float = 60) -> None:
    """Polls an async predicate (wait_for_function would take its promise for a true value)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(200)


def first_visit_with_snapshot(ctx, site):
    page = ctx.new_page()
    page.goto(site.url + "?debug", wait_until="domcontentloaded")
    harness.wait_ready(page)
    assert "pyodideLoaded" in page.evaluate(INIT_TIMINGS)
    wait_until(page, STORED)
    assert page.evaluate(SNAPSHOT_CACHES) == [f"pyodide-snapshot-{RUNTIME_DIR}-{APP_DIR}-{WEIGHTS_DIR}"]
    return page


def snapshot_size(page) -> int:
    return page.evaluate("""async () => {
        const [name] = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
        const cache = await caches.open(name);
        const [request] = await cache.keys();
        return (await (await cache.match(request)).arrayBuffer()).byteLength;
    }""")


def predicts_a_seven(page, mnist_test_raw):
    pts = fit_strokes(digit_strokes(mnist_test_raw, 7), harness.pad_box(page), 0.6)
    draw_strokes(page, pts)
    assert harness.wait_strokes(page, len(pts)).digit == 7


def test_second_load_restores_the_snapshot_and_predicts(new_context, site, mnist_test_raw):
    ctx = new_context(viewport={"width": 800, "height": 900})
    page = first_visit_with_snapshot(ctx, site)
    assert snapshot_size(page) > 10_000_000  # the wasm heap after boot, ~21 MB
    page.reload(wait_until="domcontentloaded")
    harness.wait_ready(page)
    timings = page.evaluate(INIT_TIMINGS)
    assert "pyodideRestored" in timings and "pyodideLoaded" not in timings, timings
    predicts_a_seven(page, mnist_test_raw)


def test_a_snapshot_that_does_not_restore_is_replaced(new_context, site, mnist_test_raw):
    ctx = new_context(viewport={"width": 800, "height": 900})
    page = first_visit_with_snapshot(ctx, site)
    page.evaluate("""async () => {                    // a damaged copy: its magic number zeroed
        const [name] = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
        const cache = await caches.open(name);
        const [request] = await cache.keys();
        const bytes = new Uint8Array(await (await cache.match(request)).arrayBuffer());
        bytes.fill(0, 0, 4);
        await cache.put(request, new Response(bytes));
    }""")
    page.reload(wait_until="domcontentloaded")
    harness.wait_ready(page)
    assert "pyodideLoaded" in page.evaluate(INIT_TIMINGS)
    predicts_a_seven(page, mnist_test_raw)
    wait_until(
        page,
        """async () => {                 // replaced by a good one
        const [name] = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
        const cache = await caches.open(name);
        const [request] = await cache.keys();
        const stored = request && await cache.match(request);
        return stored !== undefined && new Uint32Array(await stored.arrayBuffer(), 0, 1)[0] !== 0;
    }""",
    )
    page.reload(wait_until="domcontentloaded")
    harness.wait_ready(page)
    assert "pyodideRestored" in page.evaluate(INIT_TIMINGS)
