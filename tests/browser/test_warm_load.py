"""Warm loads (web/worker/runtime-snapshot.js): the first visit stores a memory snapshot of the
booted Python runtime; the next load restores it instead of starting Python afresh, and the pad
predicts as before. A snapshot that does not restore is replaced, and the page still works."""

from __future__ import annotations

import re

import harness
from pen import draw_strokes, fit_strokes
from test_offline import digit_strokes

SNAPSHOT_CACHES = "async () => (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'))"
INIT_TIMINGS = "async () => (await window.__inkling.request({type: 'init'})).timings"
RUNTIME_DIR = re.search(r'^export const PYODIDE_DIR = "([^"]+)";',
                        (harness.DIST / "build-info.js").read_text(), re.M)[1]


def first_visit_with_snapshot(ctx, site):
    page = ctx.new_page()
    page.goto(site.url + "?debug", wait_until="domcontentloaded")
    harness.wait_ready(page)
    assert "pyodideLoaded" in page.evaluate(INIT_TIMINGS)
    page.wait_for_function("async () => (await caches.keys()).some(n => n.startsWith('pyodide-snapshot-'))",
                           timeout=60_000)
    assert page.evaluate(SNAPSHOT_CACHES) == [f"pyodide-snapshot-{RUNTIME_DIR.rstrip('/')}"]
    return page


def snapshot_size(page) -> int:
    return page.evaluate("""async () => {
        const [name] = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
        const [request] = await (await caches.open(name)).keys();
        return (await (await (await caches.open(name)).match(request)).arrayBuffer()).byteLength;
    }""")


def predicts_a_seven(page, mnist_test_raw):
    pts = fit_strokes(digit_strokes(mnist_test_raw, 7), harness.pad_box(page), 0.6)
    draw_strokes(page, pts)
    assert harness.wait_strokes(page, len(pts)).digit == 7


def test_second_load_restores_the_snapshot_and_predicts(new_context, site, mnist_test_raw):
    ctx = new_context(viewport={"width": 800, "height": 900})
    page = first_visit_with_snapshot(ctx, site)
    assert snapshot_size(page) > 10_000_000          # the wasm heap after boot, ~21 MB
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
    page.wait_for_function("""async () => {
        const [name] = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
        const cache = await caches.open(name);
        const [request] = await cache.keys();
        return new Uint8Array(await (await cache.match(request)).arrayBuffer(), 0, 4)[0] !== 0;
    }""", timeout=60_000)
    page.reload(wait_until="domcontentloaded")
    harness.wait_ready(page)
    assert "pyodideRestored" in page.evaluate(INIT_TIMINGS)
