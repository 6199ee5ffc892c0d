"""Browser tests: Debian's chromium (via Playwright) against dist/ served under /inkling/.

Fixtures
- `site`: dist/ on 127.0.0.1 under the sub-path /inkling/, served by nginx with the repository's
  deploy/nginx.conf and deploy/headers.json (static_server.serve, the one place that serves it).
- `chromium`: one headless browser for the session; every test gets fresh contexts
  (a fresh profile: no cache, no storage).
- `new_context(**kw)`: a fresh context with the network guard attached and the data-state
  recorder installed; closed after the test.
- `app`: a page on the ready app, shared by the tests of one module (clear it before use).

Every browser test fails if, while it or its fixtures ran, any request went to another
origin, any request failed or got an HTTP error, or the page logged an error.
If chromium or dist/ is missing the tests fail in CI (CI=true) and skip locally.
"""

from __future__ import annotations

from pathlib import Path

import harness
import pytest
import static_server
from prereq import in_ci, require  # noqa: F401  (so `from conftest import require` works here too)
from static_server import serve

HERE = Path(__file__).resolve().parent
_GUARD: harness.NetGuard | None = None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # the test itself; a failure of its own propagates
    if _GUARD is not None and HERE in Path(str(item.fspath)).resolve().parents:
        problems = _GUARD.take_new()
        if problems:
            pytest.fail("network/console guard:\n  " + "\n  ".join(problems), pytrace=False)
    return result


def _cannot(msg: str):
    """A missing prerequisite fails the test in CI (CI=true) and skips it locally."""
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def _prerequisites():
    why = harness.missing_prerequisites()
    if why:
        _cannot("browser tests cannot run: " + "; ".join(why))


@pytest.fixture(scope="session")
def site(_prerequisites):
    """dist/ served by nginx (deploy/nginx.conf) as a static host would, under /inkling/."""
    why = static_server.missing()
    if why:
        _cannot("browser tests cannot serve dist/: " + "; ".join(why))
    with serve(harness.DIST, prefix="/inkling/") as s:
        yield s


@pytest.fixture(scope="session")
def net_guard(site):
    global _GUARD
    _GUARD = harness.NetGuard(site.origin)
    yield _GUARD
    _GUARD = None


@pytest.fixture(scope="session")
def chromium(_prerequisites):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = harness.launch_chromium(pw)
    except Exception as e:  # noqa: BLE001 - turn a launch failure into a clear message
        pw.stop()
        _cannot(f"could not launch chromium at {harness.CHROMIUM}: {e}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def new_context(chromium, net_guard):
    made = []

    def make(**kwargs):
        ctx = harness.make_context(chromium, net_guard, **kwargs)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture(scope="module")
def app(chromium, net_guard, site):
    """A page on the ready app (800x900 viewport), shared by one module's tests."""
    ctx = harness.make_context(chromium, net_guard, viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    harness.open_app(page, site)
    yield page
    ctx.close()
