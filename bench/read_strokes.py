#!/usr/bin/env python
"""What people write, read through the page: digits small and large, and 4-digit numbers.

    python bench/read_strokes.py [--n 50] [--numbers 30] [--seed 2026] [--engine chromium]

Draws with the mouse (strokes replayed as tests/browser/test_drawn_digits.py does) on dist/ (run
`python build.py` first) in headless chromium, or with --engine firefox / webkit in Firefox ESR or
WebKitGTK (tests/browser/engines.py: the same drawings, the mouse moved through the same points),
and prints, each as right / drawn:
- one digit at 12-30 % of the pad's side, and at 35-85 %, placed anywhere: MNIST test digits
  traced into strokes, and Hershey-font digits (tests/browser/written.py), --n of each;
- 4-digit numbers across the pad (each digit 18-25 % of the pad's width, random gaps of 5-40 %
  of the digits' height, baselines +-10 %, MNIST test digits), --numbers at 1280x900 and at 360x640
  (a phone: touch, device scale 2; in Firefox and WebKit a window that size, drawn with the mouse);
- the median (and range) of pointer-up -> prediction on the last stroke: one digit, a number.

bench/benchmark.py's "written" section runs the chromium lines with --n 200 --numbers 200 for the
README's table (in_chromium, on its own server and browser).

Samples: MNIST test digits are drawn from indices 5000-9999, leaving out every index the
tuning looked at (py/inkling/reading/strokes.py was tuned on indices 0-4999, after a first look at
the random draws that `explored()` lists); font digits use seeds --seed.. (tuning used 5, 101-106).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "py"), str(REPO / "tests" / "browser")]

import engines  # noqa: E402  (tests/browser/engines.py)
import harness  # noqa: E402  (tests/browser/harness.py)
from pen import draw_strokes, stepped  # noqa: E402
from static_server import serve  # noqa: E402
from strokes import load_mnist_test  # noqa: E402
from written import digit_on_pad, font_strokes, mnist_strokes, number_strokes  # noqa: E402

NUMBER = "[data-testid=number]"
LATENCY_PROBE = """(sel) => {
  if (window.__lat) return;
  const lat = window.__lat = {ups: [], preds: []};
  window.addEventListener('pointerup', () => lat.ups.push(performance.now()), true);
  const el = document.querySelector(sel);
  new MutationObserver(() => lat.preds.push([el.getAttribute('data-strokes'), performance.now()]))
    .observe(el, {attributes: true, attributeFilter: ['data-strokes']});
}"""
LATENCY_READ = """(k) => { const lat = window.__lat; const up = lat.ups[lat.ups.length - 1];
  const hit = lat.preds.find(([s, t]) => s === String(k) && t >= up);
  return hit ? hit[1] - up : null; }"""


def explored() -> set[int]:
    """MNIST test indices looked at while the stroke reading was first explored (random draws
    over the whole test set, before tuning kept to 0-4999): never reported."""
    draws = [(1, 300), (2, 300), (11, 600), (11, 300), (12, 300)]
    return {int(i) for seed, n in draws for i in np.random.default_rng(seed).choice(10000, n, replace=False)}


def reported_pool() -> np.ndarray:
    return np.array(sorted(set(range(5000, 10000)) - explored()))


def draw_and_read(page, strokes) -> tuple[str, float | None]:
    """Draw on a cleared pad; (the number read, ms from the last pointer-up to the prediction)."""
    harness.clear_pad(page)
    draw_strokes(page, strokes)
    harness.wait_strokes(page, len(strokes))
    text = page.evaluate("(sel) => document.querySelector(sel).textContent", NUMBER)
    return text, page.evaluate(LATENCY_READ, len(strokes))


def engine_draw_and_read(browser, strokes) -> tuple[str, float | None]:
    """draw_and_read in Firefox or WebKit (engines.py's interface)."""
    browser.js(engines.CLICK, "[data-testid=clear]")
    browser.js(engines.WAIT_STROKES, 0, 30_000)
    browser.pointer([s.tolist() for s in stepped(strokes)])
    browser.js(engines.WAIT_STROKES, len(strokes), 30_000)
    text = browser.js(f"async () => document.querySelector('{NUMBER}').textContent")
    return text, browser.js(f"async (k) => ({LATENCY_READ})(k)", len(strokes))


def open_page(browser, site, **context):
    ctx = harness.make_context(browser, None, **context)
    page = ctx.new_page()
    harness.open_app(page, site)
    page.evaluate(LATENCY_PROBE, harness.PREDICTION)
    return ctx, page


@dataclass
class Run:
    """What one run measured: each line's (truth, read) pairs, and the latencies (ms)."""

    images: np.ndarray
    labels: np.ndarray
    pool: np.ndarray
    n: int = 50
    numbers: int = 30
    seed: int = 2026
    lines: dict = field(default_factory=dict)
    one_ms: list = field(default_factory=list)
    number_ms: list = field(default_factory=list)

    def report(self, name: str, results: list[tuple[str, str]], misreads: int = 8) -> None:
        self.lines[name] = results
        right, wrong = tally(results)
        print(f"{name}: {right}/{len(results)} = {right / len(results):.1%}  {' '.join(wrong[:misreads])}", flush=True)


def tally(results: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """(how many were read right, each misreading as "truth->read")."""
    wrong = [f"{t}->{r or '(none)'}" for t, r in results if r != t]
    return len(results) - len(wrong), wrong


def single_digits(run: Run, draw, box, rng, sizes, font: bool):
    """run.n digits drawn one at a time with draw(strokes) -> (text, ms) on the pad at `box`."""
    images, labels, pool = run.images, run.labels, run.pool
    results, ms = [], []
    for k in range(run.n):
        if font:
            digit = k % 10
            strokes = font_strokes(rng, digit)
        else:
            i = int(pool[rng.integers(len(pool))])
            digit, strokes = int(labels[i]), mnist_strokes(images[i])
        placed = digit_on_pad(strokes, box, float(rng.uniform(*sizes)), rng.uniform(0, 1, 2))
        read, t = draw(placed)
        results.append((str(digit), read))
        if t is not None:
            ms.append(t)
    return results, ms


def numbers(run: Run, draw, box, rng):
    """run.numbers 4-digit numbers, drawn as single_digits draws."""
    images, labels, pool = run.images, run.labels, run.pool
    results, ms = [], []
    for _ in range(run.numbers):
        picks = [int(pool[j]) for j in rng.integers(len(pool), size=4)]
        strokes = number_strokes(rng, [mnist_strokes(images[i]) for i in picks], box)
        read, t = draw(strokes)
        results.append(("".join(str(int(labels[i])) for i in picks), read))
        if t is not None:
            ms.append(t)
    return results, ms


def spread(ms: list[float]) -> str:
    return f"median {statistics.median(ms):.0f} ms (range {min(ms):.0f}-{max(ms):.0f}, n={len(ms)})"


def desktop_lines(run: Run, draw, box) -> None:
    """The single-digit lines and the numbers at 1280x900, drawn with draw(strokes) -> (text, ms)."""
    for k, (sizes, label) in enumerate([((0.12, 0.30), "12-30 %"), ((0.35, 0.85), "35-85 %")] * bool(run.n)):
        for font in (False, True):
            results, ms = single_digits(run, draw, box, np.random.default_rng([run.seed, k, font]), sizes, font)
            run.one_ms += ms
            run.report(f"one digit at {label} of the pad, {'font' if font else 'MNIST'} strokes", results)
    if run.numbers:
        results, ms = numbers(run, draw, box, np.random.default_rng([run.seed, 10]))
        run.number_ms += ms
        run.report("4-digit numbers at 1280x900", results)


def in_chromium(run: Run, browser, site) -> None:
    """desktop_lines in a Playwright chromium, then the numbers on a phone (touch, device scale 2)."""
    print(f"chromium {browser.version}")
    ctx, page = open_page(browser, site, viewport={"width": 1280, "height": 900})
    box = harness.pad_box(page)
    print(f"desktop 1280x900: pad {box['width']:.0f}x{box['height']:.0f} px")
    desktop_lines(run, lambda strokes: draw_and_read(page, strokes), box)
    ctx.close()
    if run.numbers:
        phone = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2}
        ctx, page = open_page(browser, site, **phone, is_mobile=True, has_touch=True)
        box = harness.pad_box(page)
        print(f"phone 360x640: pad {box['width']:.0f}x{box['height']:.0f} px")
        results, ms = numbers(run, lambda s: draw_and_read(page, s), box, np.random.default_rng([run.seed, 11]))
        run.number_ms += ms
        run.report("4-digit numbers at 360x640", results)
        ctx.close()


def open_engine(engine: str, site, width: int, height: int):
    """Firefox or WebKit (engines.py) at width x height, the app ready, the latency probe set."""
    browser = engines.launch(engine, width=width, height=height)
    browser.open(site.url)
    state, _, text = browser.js(engines.WAIT_READY)
    if state != "ready":
        browser.close()
        raise RuntimeError(f"{engine}: data-state={state}: {text}")
    browser.js(f"async (sel) => ({LATENCY_PROBE})(sel)", harness.PREDICTION)
    return browser


def in_engine(run: Run, engine: str, site) -> None:
    """desktop_lines in Firefox or WebKit, and the numbers again in a window a phone's size (the
    mouse, not touch: their drivers emulate no phone)."""
    for width, height in [(1280, 900)] + [(360, 640)] * bool(run.numbers):
        browser = open_engine(engine, site, width, height)
        try:
            box = browser.js(engines.PAD_BOX)
            print(f"{engine} {browser.version} {width}x{height}: pad {box['width']:.0f}x{box['height']:.0f} px")
            draw = lambda strokes: engine_draw_and_read(browser, strokes)  # noqa: E731, B023
            if width > 1000:
                desktop_lines(run, draw, box)
            else:
                results, ms = numbers(run, draw, box, np.random.default_rng([run.seed, 11]))
                run.number_ms += ms
                run.report(f"4-digit numbers at {width}x{height} (mouse)", results)
            if problems := browser.take_problems():
                print(f"{engine} reported problems: {problems[:5]}")
        finally:
            browser.close()


def new_run(**kw) -> Run:
    images, labels = load_mnist_test()
    run = Run(images, labels, reported_pool(), **kw)
    print(f"MNIST test indices drawn from {len(run.pool)} in 5000-9999 (not explored); seed {run.seed}")
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="drawings per single-digit line (default 50; 0: none)")
    parser.add_argument("--numbers", type=int, default=30, help="numbers per screen size (default 30; 0: none)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--engine", choices=("chromium", *engines.ENGINES), default="chromium")
    args = parser.parse_args(argv)
    if args.engine != "chromium" and (missing := engines.missing(args.engine)):
        parser.error(f"{args.engine} cannot run here: {'; '.join(missing)}")

    run = new_run(n=args.n, numbers=args.numbers, seed=args.seed)
    t0 = time.perf_counter()
    with serve(harness.DIST, prefix="/inkling/") as site:
        if args.engine == "chromium":
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = harness.launch_chromium(pw)
                in_chromium(run, browser, site)
                browser.close()
        else:
            in_engine(run, args.engine, site)
    if run.one_ms:
        print(f"pointer-up -> prediction, one digit: {spread(run.one_ms)}")
    if run.number_ms:
        print(f"pointer-up -> prediction, 4-digit number: {spread(run.number_ms)}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
