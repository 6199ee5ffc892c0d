"""The `load` section of bench/benchmark.py: how fast the site loads, against a bare page.

Everything is served by the browser tests' nginx (deploy/nginx.conf: brotli, the site's headers)
from a temporary copy of dist/ (links, not copies) that adds a bare page beside index.html:
  bench-bare.html   Pyodide 0.27.7 as npm ships it and its own numpy wheel (the sha256-pinned
                    one build.py downloads), in bench-bare/, loaded the plain way (bench/bare/);
                    brotli copies written as for the app's files.
Per repetition, in fresh profiles and in rotating order, each page is loaded cold to
<html data-state=ready>, on the plain network and under THROTTLED (Chrome DevTools Protocol
Network.emulateNetworkConditions); throttled, the app also gets one stroke drawn and the time to
its prediction is noted. Then, for the app: the bytes nginx sent per file (compressed bodies, from
its access log) until ready and until the service worker has installed, with the site's headers
and without any (a host that sets none), and warm loads (reload, service worker in control).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import harness
from static_server import serve

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PAGES = {"app": "", "bare Pyodide + numpy": "bench-bare.html"}
CONTROLLED = "() => navigator.serviceWorker.controller !== null"
# A mobile network: 9 Mbit/s down, 40 ms round trip (throughputs in bytes/s).
THROTTLED = {"offline": False, "latency": 40, "downloadThroughput": 9e6 / 8, "uploadThroughput": 9e6 / 8}
BARE_RUNTIME = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]


def _bench_copy(dist: Path, dest: Path) -> None:
    sys.path.insert(0, str(REPO))
    from deploy import precompress, runtime

    for entry in dist.iterdir():
        (dest / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (dest / "bench-bare.html").write_text((HERE / "bare" / "bare.html").read_text())
    (dest / "bench-bare.js").write_text((HERE / "bare" / "bare.js").read_text())
    bare = dest / "bench-bare"
    bare.mkdir()
    for name in BARE_RUNTIME:
        shutil.copy2(runtime.PYODIDE_NPM / name, bare / name)
    shutil.copy2(runtime.numpy_wheel(), bare / runtime.NUMPY_WHEEL)
    precompress.brotli_copies(precompress.candidates(bare), runtime.CACHE)


def _ready_ms(page) -> float:
    ready = [h["t"] for h in harness.state_history(page) if h["state"] == "ready"]
    if not ready:
        raise RuntimeError(f"no ready state recorded: {harness.state_history(page)}")
    return ready[-1]


def _throttle(ctx, page) -> None:
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLED)


def _first_prediction_ms(page) -> float:
    """Draws one upright stroke on the pad; ms since navigation when its prediction is shown."""
    from pen import draw_strokes

    box = harness.pad_box(page)
    x, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2
    draw_strokes(page, [[(x, top), (x, top + box["height"] * 0.6)]])
    harness.wait_strokes(page, 1)
    return page.evaluate("() => performance.now()")


def _cold(browser, site, path: str, throttled: bool, predict: bool) -> tuple[float, float | None]:
    ctx = harness.make_context(browser, None, viewport={"width": 800, "height": 900})
    try:
        page = ctx.new_page()
        if throttled:
            _throttle(ctx, page)
        page.goto(site.url + path, wait_until="domcontentloaded")
        harness.wait_ready(page)
        return _ready_ms(page), (_first_prediction_ms(page) if predict else None)
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


def _first_visit(browser, site, warm_reps: int) -> dict:
    """Bytes per file until ready and until the service worker is installed; then warm loads."""
    ctx = harness.make_context(browser, None, viewport={"width": 800, "height": 900})
    try:
        page = ctx.new_page()
        start = len(site.bytes_sent())
        harness.open_app(page, site)
        at_ready = len(site.bytes_sent())
        page.wait_for_function(CONTROLLED, timeout=180_000)
        page.wait_for_timeout(1000)  # let the install's last responses land
        sent = site.bytes_sent()
        out = {
            "ready": sent[start:at_ready],
            "installed": sent[at_ready:],
            "first_ms": _ready_ms(page),
            "first_steps": page.evaluate(BOOT_MARKS),
            "warm_ms": [],
            "warm_bytes": [],
            "warm_steps": [],
        }
        for _ in range(warm_reps):
            before = len(site.bytes_sent())
            page.reload(wait_until="domcontentloaded")
            harness.wait_ready(page)
            out["warm_ms"].append(_ready_ms(page))
            out["warm_bytes"].append(sum(n for _, n in site.bytes_sent()[before:]))
            out["warm_steps"].append(page.evaluate(BOOT_MARKS))
        return out
    finally:
        ctx.close()


def _spread(xs) -> str:
    return f"n={len(xs)}, min {min(xs) / 1000:.2f}, max {max(xs) / 1000:.2f}"


def _bytes_table(visit: dict, prefix: str) -> str:
    """One line a file: bytes sent until ready, and after (the service worker's install)."""
    files: dict[str, list[int]] = {}
    for when, column in (("ready", 0), ("installed", 1)):
        for path, n in visit[when]:
            name = path.removeprefix(prefix)
            files.setdefault(name, [0, 0])[column] += n
    rows = sorted(files.items(), key=lambda kv: -sum(kv[1]))
    lines = [f"    {'file':<62} {'to ready':>10} {'SW after':>10}"]
    lines += [f"    {name[:62]:<62} {a:>10,} {b:>10,}" for name, (a, b) in rows if a + b >= 1000]
    small = [(a, b) for _, (a, b) in rows if a + b < 1000]
    lines.append(
        f"    {f'{len(small)} files under 1 kB':<62} {sum(a for a, _ in small):>10,} {sum(b for _, b in small):>10,}"
    )
    return "\n".join(lines)


def load(bench) -> None:
    reps = bench.args.reps
    browser = bench.browser
    with tempfile.TemporaryDirectory(prefix="inkling-bench-") as tmp:
        _bench_copy(harness.DIST, Path(tmp))
        with serve(tmp, prefix="/inkling/") as site:
            cold = {(name, t): [] for t in (False, True) for name in PAGES}
            first_prediction = []
            names = list(PAGES)
            for rep in range(reps):
                for throttled in (False, True):
                    for name in names[rep % len(names) :] + names[: rep % len(names)]:
                        ready, predicted = _cold(
                            browser, site, PAGES[name], throttled, predict=throttled and name == "app"
                        )
                        cold[(name, throttled)].append(ready)
                        if predicted is not None:
                            first_prediction.append(predicted)
            visit = _first_visit(browser, site, reps)
        with serve(tmp, prefix="/inkling/", site_headers=False) as bare_site:
            no_headers = _first_visit(browser, bare_site, 0)
    bench.raw["load"] = {
        "cold_ms": {f"{n}{' throttled' if t else ''}": xs for (n, t), xs in cold.items()},
        "first_prediction_throttled_ms": first_prediction,
        "visit": visit,
        "visit_without_headers": no_headers,
    }
    for throttled in (False, True):
        label = "throttled 9 Mbit/s, 40 ms" if throttled else "unthrottled"
        for name in PAGES:
            xs = cold[(name, throttled)]
            bench.add(
                "load", f"cold load to ready, {name}, {label}, median", statistics.median(xs) / 1000, "s", _spread(xs)
            )
        app = statistics.median(cold[("app", throttled)])
        bare = statistics.median(cold[("bare Pyodide + numpy", throttled)])
        target = 0.7 if throttled else 0.8
        bench.add(
            "load",
            f"cold load, app / bare page, {label} (target <= {target})",
            round(app / bare, 3),
            "x",
            f"medians of {reps} side-by-side runs; per run: "
            + ", ".join(
                f"{a / b:.2f}" for a, b in zip(cold[("app", throttled)], cold[("bare Pyodide + numpy", throttled)])
            ),
        )
    bench.add(
        "load",
        "first prediction after a cold load, throttled 9 Mbit/s, 40 ms, median",
        statistics.median(first_prediction) / 1000,
        "s",
        f"navigation -> one stroke's prediction shown; {_spread(first_prediction)}",
    )
    bench.add(
        "load",
        "warm load to ready (service worker), median",
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
    for label, v in (("site headers", visit), ("no caching headers", no_headers)):
        to_ready = sum(n for _, n in v["ready"])
        after = sum(n for _, n in v["installed"])
        bench.add(
            "load",
            f"first visit ({label}), bytes sent until ready (target <= 4.5 MB)",
            to_ready / 1e6,
            "MB",
            "compressed bodies, nginx access log",
        )
        bench.add(
            "load",
            f"first visit ({label}), bytes sent until offline-ready (target <= 5.0 MB)",
            (to_ready + after) / 1e6,
            "MB",
            f"{after / 1e6:.3f} MB of it after ready ({len(v['installed'])} requests by the service worker's install)",
        )
        print(f"  first visit ({label}), bytes sent per file:\n" + _bytes_table(v, "/inkling/"), flush=True)
