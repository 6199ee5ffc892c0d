#!/usr/bin/env python
"""Take the README's picture: the built app in headless Debian chromium with a number written on
the pad by the mouse, as a user would (strokes traced from MNIST test digits).

    python build.py && python scripts/screenshot.py          # writes docs/screenshot.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "py"), str(REPO / "tests" / "browser")]

import harness  # noqa: E402  (tests/browser/harness.py)
from pen import draw_strokes  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from static_server import serve  # noqa: E402
from strokes import load_mnist_test  # noqa: E402
from written import mnist_strokes, number_strokes  # noqa: E402

NUMBER = "2026"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--scheme", choices=["light", "dark"], default="light")
    args = parser.parse_args(argv)
    images, labels = load_mnist_test()
    rng = np.random.default_rng(7)
    picks = [int(rng.choice(np.flatnonzero(labels == int(d)))) for d in NUMBER]
    with serve(harness.DIST) as site, sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=args.scheme).new_page()
        harness.open_app(page, site)
        strokes = number_strokes(rng, [mnist_strokes(images[i]) for i in picks], harness.pad_box(page))
        draw_strokes(page, strokes)
        page.wait_for_function("() => document.querySelector('[data-testid=number]').textContent.length >= 4")
        page.wait_for_timeout(800)  # the "Why" follows 250 ms after the prediction
        read = page.text_content("[data-testid=number]")
        page.screenshot(path=str(args.out), full_page=True)
        browser.close()
    print(f"wrote {args.out} (wrote {NUMBER}, read {read})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
