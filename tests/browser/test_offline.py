"""The service worker (dist/sw.js, Workbox): after one visit the page loads, draws and predicts
with the network off; a new deploy is offered as a reload and replaces the old cache."""

from __future__ import annotations

import json
import re
import shutil
import sys

import harness
from pen import draw_strokes, fit_strokes
from static_server import serve
from strokes import trace_strokes

sys.path.insert(0, str(harness.REPO))
from deploy import offline  # noqa: E402

CONTROLLED = "() => navigator.serviceWorker.controller !== null"
CACHES = "async () => (await caches.keys()).sort()"


def sw_build(root) -> dict:
    source = (root / "sw.js").read_text()
    return json.loads(source[source.index("const BUILD = ") + 14 : source.index("\n};") + 2])


def digit_strokes(mnist_test_raw, label: int):
    images, labels = mnist_test_raw
    return trace_strokes(images[int(next(i for i in range(len(labels)) if labels[i] == label))])


def visit_until_controlled(page, site):
    """First visit: ready, then the service worker installed (precache filled) and in control."""
    harness.open_app(page, site)
    page.wait_for_function(CONTROLLED, timeout=120_000)


def test_offline_reload_loads_draws_and_predicts(new_context, site, mnist_test_raw):
    ctx = new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    visit_until_controlled(page, site)
    version = sw_build(harness.DIST)["version"]
    names = page.evaluate(CACHES)
    assert any(n.startswith(f"inkling-{version}-precache-") for n in names), names

    ctx.set_offline(True)
    try:
        page.reload(wait_until="domcontentloaded")
        harness.wait_ready(page)
        strokes = digit_strokes(mnist_test_raw, 7)
        pts = fit_strokes(strokes, harness.pad_box(page), 0.6)
        draw_strokes(page, pts)
        assert harness.wait_strokes(page, len(pts)).digit == 7
        # Nothing came from the network: every response of the offline load was the worker's.
        from_network = page.evaluate(
            "() => performance.getEntriesByType('resource').filter(e => e.transferSize > 0"
            " && !e.name.endsWith('/favicon.ico')).map(e => e.name)"
        )
        assert from_network == [], from_network
    finally:
        ctx.set_offline(False)


def _deploy_copy(src, dest):
    """A copy of dist/ to deploy twice: content-hashed folders linked, the rest copied."""
    dest.mkdir()
    for entry in src.iterdir():
        if entry.name == "mnist":
            continue
        if offline.HASHED.match(entry.name + "/"):
            (dest / entry.name).symlink_to(entry, target_is_directory=True)
        elif entry.is_dir():
            shutil.copytree(entry, dest / entry.name)
        else:
            shutil.copy2(entry, dest / entry.name)


def _redeploy(root, weights_dir: str) -> str:
    """A new version: style.css changed, sw.js written again (as build.py would)."""
    (root / "style.css").write_text((root / "style.css").read_text() + "\n/* v2 */\n")
    shutil.copy(harness.REPO / "web" / offline.TEMPLATE, root / offline.TEMPLATE)
    return offline.write_service_worker(root, weights_dir)["version"]


def test_new_version_is_offered_as_a_reload_and_replaces_the_old_cache(new_context, tmp_path, net_guard):
    root = tmp_path / "dist"
    _deploy_copy(harness.DIST, root)
    weights_dir = sw_build(root)["weights"]
    old = sw_build(root)["version"]
    home = net_guard.origin
    with serve(root, prefix="/v/") as site:
        net_guard.origin = site.origin  # this test's own server, on another port
        try:
            ctx = new_context(viewport={"width": 800, "height": 900})
            page = ctx.new_page()
            visit_until_controlled(page, site)
            assert page.locator("[data-testid=update-reload]").count() == 0

            new = _redeploy(root, weights_dir)
            assert new != old
            page.reload(wait_until="domcontentloaded")
            harness.wait_ready(page)
            button = page.locator("[data-testid=update-reload]")
            button.wait_for(state="visible", timeout=120_000)
            with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
                button.click()
            harness.wait_ready(page)
            page.wait_for_function(CONTROLLED)
            names = page.evaluate(CACHES)
            assert any(n.startswith(f"inkling-{new}-precache-") for n in names), names
            assert not [n for n in names if n.startswith(f"inkling-{old}")], f"old cache kept: {names}"
            css = page.evaluate("() => fetch('style.css').then(r => r.text())")
            assert css.rstrip().endswith("/* v2 */")
            assert not re.search(r"update-reload", page.content()), "the offer outlived the reload"
        finally:
            net_guard.origin = home
