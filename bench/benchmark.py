#!/usr/bin/env python
"""Inkling's figures: model accuracy, page load times, drawing-to-prediction latency.

    python bench/benchmark.py                       # every section
    python bench/benchmark.py --only load,latency   # some sections
    python bench/benchmark.py --json results.json   # also write the figures as JSON

Sections (add one by writing a function decorated with @section; it gets the Bench and
calls bench.add(...) for each figure, and may put raw data in bench.raw[name]):
  accuracy  MNIST test accuracy of each shipped model (inkling.training.evaluate, CPython)
  load      navigation -> <html data-state=ready>: cold (fresh profile) beside a bare Pyodide +
            numpy page, warm (service worker); first-visit bytes as compressed (bench/load.py)
  latency   pointer-up -> prediction shown (data-strokes updated), median and p95
  numbers   whole 4-digit numbers read right (bench/read_numbers.py, CPython)
  written   digits small and large and 4-digit numbers drawn through the page (bench/read_strokes.py)
  engine    per model: size, forward time, training images/s in CPython and Pyodide (bench/engine.py)
  soak      worker memory after 5,000 predictions and 3 training runs vs after 100 (bench/soak.py)
  train     the Train panel's default MLP epoch and small CNN in the page (bench/train_browser.py)

The browser sections serve dist/ (run `python build.py` first) under /inkling/ on 127.0.0.1
with the browser tests' server (tests/browser/static_server.py), in headless Debian chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "py"), str(REPO / "tests" / "browser"), str(REPO)]  # REPO: deploy/

import harness  # noqa: E402  (tests/browser/harness.py)
from static_server import serve  # noqa: E402

SECTIONS: dict = {}


def section(name: str, needs_browser: bool = False):
    def register(fn):
        SECTIONS[name] = (fn, needs_browser)
        return fn

    return register


@dataclass
class Figure:
    section: str
    metric: str
    value: float | str | None
    unit: str = ""
    note: str = ""


@dataclass
class Bench:
    args: argparse.Namespace
    figures: list = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    _pw: object = None
    _browser: object = None
    _site_cm: object = None
    site: object = None

    def add(self, section_name, metric, value, unit="", note=""):
        fig = Figure(section_name, metric, value, unit, note)
        self.figures.append(fig)
        print(f"  {metric}: {_fmt(value)} {unit} {note}".rstrip(), flush=True)

    @property
    def browser(self):
        if self._browser is None:
            why = harness.missing_prerequisites()
            if why:
                raise SystemExit("browser sections cannot run: " + "; ".join(why))
            from playwright.sync_api import sync_playwright

            self._site_cm = serve(harness.DIST, prefix="/inkling/")
            self.site = self._site_cm.__enter__()
            self._pw = sync_playwright().start()
            self._browser = harness.launch_chromium(self._pw)
        return self._browser

    def open_app(self, wait: bool = True, **context_kwargs):
        """(context, page) on the app in a fresh profile; close the context when done."""
        context_kwargs.setdefault("viewport", {"width": 800, "height": 900})
        ctx = harness.make_context(self.browser, None, **context_kwargs)
        page = ctx.new_page()
        harness.open_app(page, self.site, wait=wait)
        return ctx, page

    def close(self):
        if self._browser is not None:
            self._browser.close()
            self._pw.stop()
            self._site_cm.__exit__(None, None, None)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 1 else f"{v:.1f}"
    return str(v)


def percentile(xs, q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]) of a non-empty sequence."""
    s = sorted(xs)
    k = (len(s) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ----------------------------------------------------------------------------- sections


@section("accuracy")
def accuracy(bench: Bench):
    from inkling.training import evaluate

    t0 = time.perf_counter()
    rows = evaluate.evaluate()
    bench.raw["accuracy"] = rows
    for row in rows:
        acc = row.get("test_accuracy")
        note = (
            f"manifest {row.get('manifest_accuracy')}, {row.get('parameters')} parameters"
            if acc is not None
            else f"FAILED: {row.get('error')}"
        )
        bench.add("accuracy", f"{row['name']} MNIST test accuracy", acc, "", note)
    bench.add("accuracy", "evaluation wall time (all models)", time.perf_counter() - t0, "s")
    # What the page runs: dist/'s copy of the weights, stored int8 + float16 (deploy/compact_weights.py).
    from deploy import compact_weights
    from inkling import weights_dir

    for row in compact_weights.check(weights_dir()):
        bench.add(
            "accuracy",
            f"{row['model']} MNIST test accuracy as the page stores it",
            row["compact"],
            "",
            f"int8 + float16 on disk; {row['moved'] * 100:+.2f} points from float32",
        )


@section("load", needs_browser=True)
def load(bench: Bench):
    """Cold loads of the app, of it without preloads and of a bare Pyodide + numpy page side by
    side; first-visit bytes; warm loads with the service worker (bench/load.py)."""
    import load as load_bench  # bench/load.py

    load_bench.load(bench)


LATENCY_PROBE = """
(sel) => {
  if (window.__lat) return;
  const lat = window.__lat = {ups: [], preds: []};
  // Capture phase on window: runs before the page's own handlers, whatever they do.
  window.addEventListener('pointerup', () => lat.ups.push(performance.now()), true);
  const el = document.querySelector(sel);
  new MutationObserver(() => lat.preds.push([el.getAttribute('data-strokes'), performance.now()]))
    .observe(el, {attributes: true, attributeFilter: ['data-strokes']});
}
"""

LATENCY_READ = """
(k) => { const lat = window.__lat; const up = lat.ups[lat.ups.length - 1];
  const hit = lat.preds.find(([s, t]) => s === String(k) && t >= up);
  return hit ? hit[1] - up : null; }
"""


def measure_latency(page, images, indices, min_strokes: int) -> list[float]:
    """Draw traced MNIST digits stroke by stroke; ms from each pointer-up to its prediction."""
    from pen import draw_strokes, fit_strokes
    from strokes import trace_strokes

    page.evaluate(LATENCY_PROBE, harness.PREDICTION)
    box = harness.pad_box(page)
    out = []
    sizes = (0.4, 0.6, 0.8)
    for n, i in enumerate(indices):
        if len(out) >= min_strokes:
            break
        harness.clear_pad(page)
        pts = fit_strokes(trace_strokes(images[i]), box, sizes[n % 3], (0.5, 0.5))

        def after(k):
            harness.wait_strokes(page, k)
            ms = page.evaluate(LATENCY_READ, k)
            if ms is not None:
                out.append(ms)

        draw_strokes(page, pts, on_stroke=after)
    harness.clear_pad(page)
    return out


@section("latency", needs_browser=True)
def latency(bench: Bench):
    from strokes import load_mnist_test, sample_per_digit

    images, labels = load_mnist_test()
    indices = sample_per_digit(labels, 10, seed=99)
    ctx, page = bench.open_app()
    model = page.evaluate(f"document.querySelector('{harness.MODEL_SELECT}')?.value ?? ''")
    ms = measure_latency(page, images, indices, bench.args.strokes)
    ctx.close()
    bench.raw["latency"] = {"model": model, "ms": ms}
    bench.add(
        "latency",
        f"pointer-up -> prediction, median ({model or 'default model'})",
        statistics.median(ms),
        "ms",
        f"n={len(ms)} strokes",
    )
    bench.add(
        "latency",
        f"pointer-up -> prediction, p95 ({model or 'default model'})",
        percentile(ms, 95),
        "ms",
        f"max {max(ms):.1f}",
    )


@section("numbers")
def numbers(bench: Bench):
    """Whole 4-digit numbers (MNIST test digits, random gaps/sizes/baselines) read right."""
    from read_numbers import number_accuracy  # bench/read_numbers.py

    bench.add(
        "numbers",
        "4-digit numbers read right (cnn, 1000, seed 0)",
        number_accuracy(n=1000),
        "",
        "bench/read_numbers.py",
    )


# issue 19's targets for what people write on the pad (bench/read_strokes.py's lines)
WRITTEN_TARGETS = {"12-30 %": ">= 98 %", "35-85 %": ">= 99 %", "4-digit": ">= 96 %"}


@section("written", needs_browser=True)
def written(bench: Bench):
    """bench/read_strokes.py through the page: single digits small and large, 4-digit numbers on a
    desktop and a phone, 200 drawings a line and a screen (reported samples)."""
    import read_strokes  # bench/read_strokes.py

    bench.browser  # noqa: B018 - starts the server and chromium
    run = read_strokes.new_run(n=200, numbers=200)
    read_strokes.in_chromium(run, bench.browser, bench.site)
    for name, results in run.lines.items():
        right, wrong = read_strokes.tally(results)
        target = next((f" (target {t})" for key, t in WRITTEN_TARGETS.items() if key in name), "")
        note = f"{right}/{len(results)}; {' '.join(wrong[:6])}".rstrip("; ")
        bench.add("written", name + target, right / len(results), "", note)
    for what, ms, target in (("one digit", run.one_ms, 30), ("4-digit number", run.number_ms, 60)):
        note = f"target <= {target} ms; n={len(ms)}, range {min(ms):.0f}-{max(ms):.0f}"
        bench.add("written", f"pointer-up -> prediction, {what}, median", statistics.median(ms), "ms", note)


@section("engine")
def engine(bench: Bench):
    """bench/engine.py: accuracy, parameters, 1-image forward and training speed per model."""
    import engine as engine_bench  # bench/engine.py

    result = engine_bench.run()
    bench.raw["engine"] = result
    print(engine_bench.format_table(result), flush=True)
    for model, metric, cpython, pyodide, ratio, unit, note in engine_bench.rows(result):
        for runtime, value in (("CPython", cpython), ("Pyodide", pyodide)):
            if value is not None:
                bench.add(
                    "engine",
                    f"{model} {metric} ({runtime})",
                    value,
                    unit,
                    f"CPython/Pyodide {ratio:.1f}x" if ratio and runtime == "Pyodide" else note,
                )
    if result["errors"]:
        raise RuntimeError(f"engine: {result['errors']}")


@section("soak", needs_browser=True)
def soak(bench: Bench):
    """bench/soak.py: worker memory after 5,000 predictions and 3 training runs vs after 100."""
    import soak as soak_bench  # bench/soak.py

    soak_bench.section(bench)


@section("train", needs_browser=True)
def train(bench: Bench):
    """bench/train_browser.py: training time, test accuracy, longest main-thread task."""
    import train_browser  # bench/train_browser.py

    browser = bench.browser
    results = train_browser.run(browser, bench.site)
    bench.raw["train"] = results
    train_browser.report(bench, results)


# ----------------------------------------------------------------------------- main


def print_table(figures) -> None:
    rows = [("section", "metric", "value", "unit", "note")] + [
        (f.section, f.metric, _fmt(f.value), f.unit, f.note) for f in figures
    ]
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    line = "-+-".join("-" * w for w in widths)
    for n, r in enumerate(rows):
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
        if n == 0:
            print(line)


def cpu_reference_s() -> float:
    """Seconds for a fixed pure-Python loop (best of 3): how fast this machine is right now, so
    runs on other days (or beside other load) can be compared. 0.43-0.58 s here on 2026-11-30."""
    best = float("inf")
    for _ in range(3):
        t0, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return round(best, 3)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help=f"comma-separated sections (of {', '.join(SECTIONS)})")
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each load (default 5)")
    parser.add_argument("--strokes", type=int, default=60, help="strokes timed for latency (>= 50)")
    parser.add_argument("--json", type=Path, help="also write the figures (and raw data) here")
    parser.add_argument("--dist", type=Path, help=f"the built site to serve (default {harness.DIST})")
    args = parser.parse_args(argv)
    if args.dist:
        harness.DIST = args.dist.resolve()
    names = args.only.split(",") if args.only else list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; known: {list(SECTIONS)}")

    bench = Bench(args)
    env = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "chromium": harness.CHROMIUM,
        "dist": str(harness.DIST),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpu_reference_s": cpu_reference_s(),
    }
    print(
        f"machine: {env['cpus']} CPUs; CPU reference (10M-step Python loop, best of 3) {env['cpu_reference_s']} s",
        flush=True,
    )
    failed = []
    try:
        for name in names:
            fn, _ = SECTIONS[name]
            print(f"[{name}]", flush=True)
            try:
                fn(bench)
            except Exception as e:  # noqa: BLE001 - report and go on with the other sections
                failed.append(name)
                bench.add(name, "FAILED", f"{type(e).__name__}: {e}"[:200])
        if bench._browser is not None:
            env["chromium_version"] = bench._browser.version
    finally:
        bench.close()

    print()
    print_table(bench.figures)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"env": env, "figures": [asdict(f) for f in bench.figures], "raw": bench.raw}, indent=2, default=str
            )
        )
        print(f"\nwrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
