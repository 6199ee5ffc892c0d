"""The `load` section of bench/benchmark.py: how fast the site loads, against a bare page.

Everything is served by the browser tests' nginx (deploy/nginx.conf: brotli, the site's headers)
from a temporary copy of dist/ (links, not copies) that adds two pages beside index.html:
  bench-bare.html       Pyodide + numpy from the same files, loaded the plain way (bench/bare/)
  index-preload.html    index.html plus preload hints for the runtime files (do they help?)
Per repetition, in fresh profiles and in rotating order, each page is loaded cold to
<html data-state=ready>. Then, for the app: the bytes nginx sent (compressed bodies, from its
access log) until ready and until the service worker has installed, and warm loads (reload,
the service worker in control) to ready.
"""

from __future__ import annotations

import re
import statistics
import tempfile
from pathlib import Path

import harness
from static_server import serve

HERE = Path(__file__).resolve().parent
PAGES = {"app": "", "app with runtime preloads": "index-preload.html", "bare Pyodide + numpy": "bench-bare.html"}
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def _bench_copy(dist: Path, dest: Path) -> None:
    for entry in dist.iterdir():
        (dest / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (dest / "bench-bare.html").write_text((HERE / "bare" / "bare.html").read_text())
    (dest / "bench-bare.js").write_text((HERE / "bare" / "bare.js").read_text())
    # The app with preload hints for what its worker fetches first (build.py ships none: see
    # PRELOAD_RUNTIME there); inserted after the page's own modulepreload hints.
    runtime = re.search(r'^export const PYODIDE_DIR = "([^"]+)";', (dist / "build-info.js").read_text(), re.M)[1]
    hints = "".join(
        f'  <link rel="preload" href="{runtime}{name}" as="fetch" crossorigin>\n'
        for name in ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
    )
    index = (dist / "index.html").read_text()
    at = index.index('  <script type="module"')
    (dest / "index-preload.html").write_text(index[:at] + hints + index[at:])


def _ready_ms(page) -> float:
    ready = [h["t"] for h in harness.state_history(page) if h["state"] == "ready"]
    if not ready:
        raise RuntimeError(f"no ready state recorded: {harness.state_history(page)}")
    return ready[-1]


def _cold(browser, site, path: str) -> float:
    ctx = harness.make_context(browser, None, viewport={"width": 800, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(site.url + path, wait_until="domcontentloaded")
        harness.wait_ready(page)
        return _ready_ms(page)
    finally:
        ctx.close()


BOOT_MARKS = """() => Object.fromEntries(performance.getEntriesByType('mark')
    .filter((m) => m.name.startsWith('inkling:')).map((m) => [m.name.slice(8), m.startTime]))"""


def _breakdown(loads: list[dict]) -> str:
    """Median time since navigation at which each of the worker's boot steps ended (page/main.js
    marks them from the init answer's timings)."""
    steps = [k for k in loads[-1] if all(k in load for load in loads)]
    return ", ".join(
        f"{k} {statistics.median(load[k] for load in loads) / 1000:.2f}"
        for k in sorted(steps, key=lambda k: loads[-1][k])
    )


def _sent(site, since: int) -> int:
    return sum(n for _, n in site.bytes_sent()[since:])


def _first_visit_and_warm(browser, site, reps: int) -> dict:
    ctx = harness.make_context(browser, None, viewport={"width": 800, "height": 900})
    try:
        page = ctx.new_page()
        start = len(site.bytes_sent())
        harness.open_app(page, site)
        first_ready = _ready_ms(page)
        at_ready = _sent(site, start)
        page.wait_for_function(CONTROLLED, timeout=180_000)
        page.wait_for_timeout(1000)  # let the install's last responses land
        at_installed = _sent(site, start)
        by_file = sorted(site.bytes_sent()[start:], key=lambda r: -r[1])[:8]
        first_steps = page.evaluate(BOOT_MARKS)
        warm, warm_bytes, warm_steps = [], [], []
        for _ in range(reps):
            before = len(site.bytes_sent())
            page.reload(wait_until="domcontentloaded")
            harness.wait_ready(page)
            warm.append(_ready_ms(page))
            warm_bytes.append(_sent(site, before))
            warm_steps.append(page.evaluate(BOOT_MARKS))
        return {
            "ready_bytes": at_ready,
            "installed_bytes": at_installed,
            "largest": by_file,
            "warm_ms": warm,
            "warm_bytes": warm_bytes,
            "first_ms": first_ready,
            "first_steps": first_steps,
            "warm_steps": warm_steps,
        }
    finally:
        ctx.close()


def _spread(xs) -> str:
    return f"n={len(xs)}, min {min(xs) / 1000:.2f}, max {max(xs) / 1000:.2f}"


def load(bench) -> None:
    reps = bench.args.reps
    browser = bench.browser
    with tempfile.TemporaryDirectory(prefix="inkling-bench-") as tmp:
        _bench_copy(harness.DIST, Path(tmp))
        with serve(tmp, prefix="/inkling/") as site:
            cold = {name: [] for name in PAGES}
            names = list(PAGES)
            for rep in range(reps):
                for name in names[rep % len(names) :] + names[: rep % len(names)]:
                    cold[name].append(_cold(browser, site, PAGES[name]))
            visit = _first_visit_and_warm(browser, site, reps)
    bench.raw["load"] = {"cold_ms": cold, **visit}
    app, bare = statistics.median(cold["app"]), statistics.median(cold["bare Pyodide + numpy"])
    for name, xs in cold.items():
        bench.add("load", f"cold load to ready, {name}, median", statistics.median(xs) / 1000, "s", _spread(xs))
    bench.add(
        "load",
        "cold load, app / bare page (target <= 1.25)",
        round(app / bare, 3),
        "x",
        f"{app / bare:.2f}: medians of {reps} side-by-side runs",
    )
    bench.add(
        "load",
        "warm load to ready (service worker), median (target <= 1.5 s)",
        statistics.median(visit["warm_ms"]) / 1000,
        "s",
        f"{_spread(visit['warm_ms'])}; {max(visit['warm_bytes'])} bytes from the server at most",
    )
    bench.add(
        "load",
        "warm load, worker boot steps (s since navigation, medians)",
        statistics.median(visit["warm_ms"]) / 1000,
        "s",
        _breakdown(visit["warm_steps"]),
    )
    bench.add(
        "load",
        "first visit, worker boot steps (s since navigation)",
        visit["first_ms"] / 1000,
        "s",
        _breakdown([visit["first_steps"]]),
    )
    bench.add(
        "load",
        "first visit, bytes sent until ready (target <= 8 MB)",
        visit["ready_bytes"] / 1e6,
        "MB",
        "compressed bodies, nginx access log",
    )
    bench.add(
        "load",
        "first visit, bytes sent until the service worker is installed",
        visit["installed_bytes"] / 1e6,
        "MB",
        "largest: " + ", ".join(f"{p.rsplit('/', 1)[-1]} {n / 1e6:.2f}" for p, n in visit["largest"][:5]),
    )
