"""Warm loads of two builds side by side: python bench/warm_ab.py BEFORE_DIST AFTER_DIST [--loads 4]

Each build is served by the tests' nginx; per block, a first visit (until the service worker is in
control) then N reloads to ready (bench/load.py's _first_visit); blocks interleaved (A B B A).
Prints each block's warm loads (ms since navigation) and each build's median, min and max.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests" / "browser"), str(HERE.parent / "py")]

import harness  # noqa: E402
import load  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from static_server import serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--loads", type=int, default=4, help="warm loads a block (default 4)")
    args = parser.parse_args()
    out = {"before": [], "after": []}
    with sync_playwright() as pw, serve(args.before) as before, serve(args.after) as after:
        browser = harness.launch_chromium(pw)
        for name, site in (("before", before), ("after", after), ("after", after), ("before", before)):
            visit = load._first_visit(browser, site, args.loads)
            out[name] += visit["warm_ms"]
            print(name, [round(ms) for ms in visit["warm_ms"]], flush=True)
    for name, ms in out.items():
        print(
            f"{name}: median {statistics.median(ms) / 1000:.2f} s, min {min(ms) / 1000:.2f}, "
            f"max {max(ms) / 1000:.2f}, n={len(ms)}"
        )


if __name__ == "__main__":
    main()
