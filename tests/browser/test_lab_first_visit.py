"""The Lab adds nothing to a first visit: before lab-open is clicked, neither the page, its
workers nor the service worker (precaching) request any of the Lab's files; after the click
they do (so this check can fail)."""

from __future__ import annotations

import harness
from lab_page import open_lab

CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def lab_urls(urls: list[str]) -> list[str]:
    return [u for u in urls if "/lab/" in u or "/lab-worker/" in u or "codemirror" in u]


def test_a_first_visit_fetches_nothing_of_the_lab_until_it_is_opened(new_context, site):
    ctx = new_context(viewport={"width": 800, "height": 900})
    seen: list[str] = []
    ctx.on("request", lambda request: seen.append(request.url))  # the page's, its workers' and the service worker's
    page = ctx.new_page()
    harness.open_app(page, site)
    page.wait_for_function(CONTROLLED, timeout=120_000)  # installed: its precache is filled
    page.wait_for_timeout(1000)
    before = list(seen)
    print(f"{len(before)} requests before lab-open, of them for the Lab: {lab_urls(before)}")
    assert before and not lab_urls(before)
    open_lab(page)
    after = lab_urls(seen[len(before) :])
    assert any(u.endswith("/lab/lab-panel.js") for u in after), after
    assert any(u.endswith("/lab/codemirror.js") for u in after), after
    assert any(u.endswith("/lab-worker/lab-worker.js") for u in after), after
