#!/usr/bin/env python
"""Main-thread cost of the Train panel's dashboard (live charts, runs table, report views).

    python bench/train_dashboard.py                  # 2 runs of 1 epoch on 2,000 images
    python bench/train_dashboard.py --subset 0 --epochs 2

Serves dist/ (run `python build.py` first) like the browser tests, opens the Train panel, then
records a Chrome trace over the runs and prints the page's main-thread tasks: the longest by wall
time and by CPU time (a shared, busy machine stretches wall time, not CPU time), what ran in
them, and the long tasks (> 50 ms) the page's own PerformanceObserver saw. The training itself
runs in the worker and is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "browser")]

import harness  # noqa: E402
from static_server import serve  # noqa: E402

LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });"""
RUNS = [("nesterov", 0.5, 128), ("adam", 0.003, 64)]


def main_thread_tasks(events: list[dict]) -> list[dict]:
    """Top-level RunTask events of the page's renderer main thread, with their biggest children."""
    main = {e["tid"] for e in events if e.get("name") == "thread_name" and e["args"]["name"] == "CrRendererMain"}
    xs = sorted((e for e in events if e.get("ph") == "X" and e.get("tid") in main), key=lambda e: e["ts"])
    tasks = []
    for e in xs:
        if e["name"] != "RunTask":
            continue
        end = e["ts"] + e["dur"]
        inner = [c for c in xs if e["ts"] <= c["ts"] < end and c is not e and c["name"] != "RunTask"]
        top = sorted(inner, key=lambda c: -c["dur"])[:3]
        what = ", ".join(
            f"{c['name']} {c.get('args', {}).get('data', {}).get('functionName', '')}".strip()
            + f" {c['dur'] / 1000:.1f}"
            for c in top
        )
        tasks.append({"wall_ms": e["dur"] / 1000, "cpu_ms": e.get("tdur", 0) / 1000, "what": what})
    return tasks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subset", type=int, default=2000, help="training images a run (0: all 60,000)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--dist", type=Path, default=harness.DIST)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with serve(args.dist, prefix="/inkling/") as site, sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.add_init_script(LONG_TASKS)
        page = ctx.new_page()
        harness.open_app(page, site)
        page.click("[data-testid=train-open]")
        page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
        page.eval_on_selector(".train-advanced", "d => { d.open = true; }")
        page.fill("[data-testid=train-subset]", str(args.subset or ""))
        page.fill(".train-form [name=epochs]", str(args.epochs))
        page.evaluate("window.__longTasks = []")
        browser.start_tracing(page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"])
        for n, (optimizer, lr, batch) in enumerate(RUNS, 1):
            page.select_option(".train-form [name=optimizer]", optimizer)
            page.fill(".train-form [name=lr]", str(lr))
            page.fill(".train-form [name=batch_size]", str(batch))
            page.click("[data-testid=train-start]")
            page.wait_for_function(
                f"document.querySelector('.train').dataset.report === '{n}' && "
                "document.querySelector('.train').dataset.running === 'false'",
                timeout=1_200_000,
                polling=1000,
            )  # slow polling: few tasks of its own
            print(f"run {n}: {page.inner_text('[data-testid=train-status]')}")
        page.wait_for_timeout(1000)
        trace = json.loads(browser.stop_tracing())
        long_tasks = page.evaluate("window.__longTasks")
        browser.close()
    tasks = main_thread_tasks(trace["traceEvents"] if isinstance(trace, dict) else trace)
    print(
        f"\nmain-thread tasks during the runs: {len(tasks)} (load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)"
    )
    for key in ("wall_ms", "cpu_ms"):
        print(f"longest by {key[:-3]} time:")
        for t in sorted(tasks, key=lambda t: -t[key])[:5]:
            print(f"  wall {t['wall_ms']:6.1f} ms  cpu {t['cpu_ms']:6.1f} ms  {t['what']}")
    print(f"PerformanceObserver long tasks (> 50 ms, wall): {[round(d) for d in long_tasks]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
