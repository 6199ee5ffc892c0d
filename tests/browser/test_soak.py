"""Hold up (issue 6): predictions leak nothing in the worker. bench/soak.py measures 5,000 of
them and three training runs; here 300 predictions must leave malloc's bytes in use and Python's
gc-tracked objects where they were (a PyProxy left undestroyed per call keeps its Python object,
and what it refers to, alive: one dict and two arrays, >3 KB, per prediction)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import soak  # noqa: E402  (bench/soak.py)

CALLS = 300
SLACK_OBJECTS = 60          # well under one per call: caches settle in the warm-up
SLACK_BYTES = 64 * 1024     # well under 3 KB per call


def test_predictions_do_not_grow_python_memory(chromium, site, net_guard):
    ctx, page = soak.open_debug_page(chromium, site, net_guard)
    try:
        soak.predict(page, 50)                      # warm-up: first-call caches, lazy imports
        before = soak.memory(page)
        ms = soak.predict(page, CALLS)
        after = soak.memory(page)
    finally:
        ctx.close()
    print(f"\n{CALLS} predictions: {before} -> {after}; median Python time "
          f"{sorted(ms)[len(ms) // 2]:.1f} ms")
    assert after["mallocBytes"] - before["mallocBytes"] < SLACK_BYTES, (before, after)
    assert after["gcObjects"] - before["gcObjects"] < SLACK_OBJECTS, (before, after)
    assert after["wasmHeapBytes"] == before["wasmHeapBytes"], (before, after)
