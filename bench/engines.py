#!/usr/bin/env python
"""The app in each browser engine: Chromium (Playwright), Firefox ESR (puppeteer-core over
WebDriver BiDi) and WebKitGTK (Selenium + WebKitWebDriver under xvfb-run), all from Debian.

    python bench/engines.py                            # every engine, 3 rounds
    python bench/engines.py --engines webkit --rounds 5

Per engine and round, in a fresh profile: the cold load (navigation -> <html data-state=ready>),
the first prediction after ready (a digit drawn with the engine's pointer input the moment
ready is seen; pointer-up -> data-strokes updated), then --strokes more strokes (median
pointer-up -> prediction), the warm load (the same profile again, once the memory snapshot is
stored) and, in the first round, one default MLP epoch in the Train panel (its data-train-s).
Digits are MNIST test images (sample_per_digit, seed 99: the latency benchmark's sample).
Prints one line per figure: engine, median over rounds, and every round's value.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "py"), str(REPO / "tests" / "browser")]

import engines  # noqa: E402  (tests/browser/engines.py)
import harness  # noqa: E402
from pen import fit_strokes  # noqa: E402
from static_server import serve  # noqa: E402
from strokes import load_mnist_test, sample_per_digit, trace_strokes  # noqa: E402

SNAPSHOT_STORED = """async () => { const names = (await caches.keys()).filter(n => n.startsWith('pyodide-snapshot-'));
  return names.length === 1 && (await (await caches.open(names[0])).keys()).length === 1; }"""
TRAIN_READY = "async () => !document.querySelector('[data-testid=train-start]').disabled"
TRAIN_DONE = """async () => { const p = document.querySelector('.train');
  return p.dataset.running === 'false' && p.dataset.trainS ? Number(p.dataset.trainS) : null; }"""


def load(browser, url: str) -> float:
    browser.open(url)
    state, t, text = browser.js(engines.WAIT_READY)
    if state != "ready":
        raise RuntimeError(f"{browser.name}: data-state={state}: {text}")
    return t


def draw_and_time(browser, digits) -> list[float]:
    """Each digit's strokes drawn; pointer-up -> prediction (ms) for every stroke, in order."""
    browser.js(engines.TIMELINE)
    box = browser.js(engines.PAD_BOX)
    n = 0
    for strokes in digits:
        browser.js(engines.CLICK, "[data-testid=clear]")
        browser.js(engines.WAIT_STROKES, 0, 30_000)
        browser.js(engines.TIMELINE)
        for k, stroke in enumerate(fit_strokes(strokes, box, 0.6), start=1):
            browser.pointer([stroke[::3].tolist() + [stroke[-1].tolist()]])
            browser.js(engines.WAIT_STROKES, k, 30_000)
            ups, preds = browser.js("async () => [window.__timeline.ups, window.__timeline.predictions]")
            up = ups[-1]
            done = next(t for t, s, _ in preds if s == str(k) and t >= up)
            yield done - up
            n += 1


def round_(engine: str, site, digits, train: bool, strokes: int) -> dict:
    out = {}
    browser = engines.launch(engine)
    try:
        out["cold load to ready (s)"] = load(browser, site.url) / 1000
        first = next(draw_and_time(browser, digits[:1]))
        out["first prediction after ready (ms)"] = first
        times = []
        for ms in draw_and_time(browser, digits[1:]):
            times.append(ms)
            if len(times) >= strokes:
                break
        out["pointer-up -> prediction, median (ms)"] = statistics.median(times)
        engines.wait_until(browser, SNAPSHOT_STORED, timeout_s=120)
        out["warm load to ready (s)"] = load(browser, site.url) / 1000
        if train:
            browser.js(engines.CLICK, "[data-testid=train-open]")
            engines.wait_until(browser, TRAIN_READY, timeout_s=300)
            browser.js(engines.CLICK, "[data-testid=train-start]")
            time.sleep(1)
            out["one default MLP epoch, Train panel (s)"] = engines.wait_until(
                browser, TRAIN_DONE, timeout_s=900, every_s=1
            )
        problems = browser.take_problems()
        if problems:
            print(f"  {engine}: page problems: {problems}", file=sys.stderr)
    finally:
        browser.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="chromium,firefox,webkit")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--strokes", type=int, default=20, help="strokes timed for the median")
    parser.add_argument("--no-train", action="store_true", help="leave out the MLP epoch")
    args = parser.parse_args(argv)
    images, labels = load_mnist_test()
    digits = [trace_strokes(images[i]) for i in sample_per_digit(labels, 3, seed=99)]
    results: dict = {}
    with serve(harness.DIST, prefix="/inkling/") as site:
        for r in range(args.rounds):
            for engine in args.engines.split(","):  # engines take turns: the machine's load is shared
                print(f"round {r + 1}: {engine}", file=sys.stderr, flush=True)
                try:
                    figures = round_(engine, site, digits, r == 0 and not args.no_train, args.strokes)
                except Exception as e:  # noqa: BLE001 - one failed round is reported, the others still count
                    print(f"  {engine}, round {r + 1} failed: {str(e)[:300]}", file=sys.stderr, flush=True)
                    results.setdefault(engine, {}).setdefault("failed rounds", []).append(1)
                    continue
                print(f"  {figures}", file=sys.stderr, flush=True)
                for name, value in figures.items():
                    results.setdefault(engine, {}).setdefault(name, []).append(value)
    for engine, figures in results.items():
        for name, values in figures.items():
            each = ", ".join(f"{v:.3g}" for v in values)
            print(f"{engine:9} {name:42} median {statistics.median(values):8.3g}   ({each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
