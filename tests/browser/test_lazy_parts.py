"""The parts a first visit does not download (deploy/lazy_rest.py): the pad never fetches them;
training, which imports numpy.random, fetches numpy's rest once, and it is kept in Cache Storage
("inkling-lazy") where the service worker answers it from on later visits, offline too."""

from __future__ import annotations

import harness

LAZY_KEYS = "async () => (await (await caches.open('inkling-lazy')).keys()).map((r) => r.url)"


def rest_requests(site) -> list[str]:
    return [p for p in site.paths() if p.endswith("_rest.zip")]


def test_training_fetches_numpy_rest_once_and_keeps_it(chromium, net_guard, site):
    ctx = harness.make_context(chromium, net_guard, viewport={"width": 800, "height": 900})
    try:
        page = ctx.new_page()
        before = len(rest_requests(site))
        harness.open_app(page, site)
        page.wait_for_timeout(500)
        assert len(rest_requests(site)) == before, "the pad fetched a rest zip"
        page.click("[data-testid=train-open]")
        page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
        page.eval_on_selector(".train-advanced", "d => { d.open = true; }")
        page.fill(".train-form [name=subset]", "1000")
        page.click("[data-testid=train-start]")
        page.wait_for_function("document.querySelector('[data-testid=train-progress]').value > 0", timeout=120_000)
        # nginx logs a request once it has finished sending it, which can be just after the page has it.
        for _ in range(50):
            if len(rest_requests(site)) > before:
                break
            page.wait_for_timeout(100)
        page.wait_for_timeout(500)  # and anything fetched beside it
        fetched = rest_requests(site)[before:]
        assert [p.rsplit("/", 1)[1] for p in fetched] == ["numpy_rest.zip"], fetched
        page.wait_for_function(
            f"({LAZY_KEYS})().then((keys) => keys.some((u) => u.endsWith('numpy_rest.zip')))", timeout=30_000
        )
    finally:
        ctx.close()
