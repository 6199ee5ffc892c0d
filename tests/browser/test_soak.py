"""Hold up (issue 6): predictions leak nothing in the worker. bench/soak.py measures 5,000 of
them and three training runs; here 1,000 predictions must leave malloc's bytes in use and Python's
gc-tracked objects where they were. A PyProxy left undestroyed per call keeps its Python object
alive (~950 bytes a prediction); pyodide.toPy on the pad's buffer leaked ~45 bytes a prediction
(python-call.js no longer uses it): either fails this."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import soak  # noqa: E402  (bench/soak.py)

CALLS = 1000
SLACK_OBJECTS = 60          # well under one per call: caches settle in the warm-up
SLACK_BYTES = 24 * 1024     # 24 bytes a call; 2-14 KB seen per 1,000-2,000 calls once warm


def test_predictions_do_not_grow_python_memory(chromium, site, net_guard):
    ctx, page = soak.open_debug_page(chromium, site, net_guard)
    try:
        soak.predict(page, 200)                     # warm-up: first-call caches, lazy imports
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
