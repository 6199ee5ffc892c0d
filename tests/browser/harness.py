"""Shared by the browser tests and bench/benchmark.py: chromium, the network guard, page helpers.

Only the DOM contract of docs/architecture.md is used:
<html data-state="loading|ready|error">, [data-testid=pad|clear|undo|prediction|model-input|
model-select]; the prediction's text is the digit (empty when none), data-strokes the number of
strokes it was computed for, data-p0..data-p9 the probabilities.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

try:
    from playwright.sync_api import Page as _Page
except ImportError:  # reported by missing_prerequisites()
    _Page = None

REPO = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("INKLING_DIST", REPO / "dist"))
CHROMIUM = os.environ.get("INKLING_CHROMIUM", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every host but 127.0.0.1 fails to resolve: nothing can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
READY_TIMEOUT_MS = int(os.environ.get("INKLING_READY_TIMEOUT_MS", "180000"))
PREDICT_TIMEOUT_MS = int(os.environ.get("INKLING_PREDICT_TIMEOUT_MS", "30000"))

PAD = "[data-testid=pad]"
CLEAR = "[data-testid=clear]"
UNDO = "[data-testid=undo]"
PREDICTION = "[data-testid=prediction]"
MODEL_INPUT = "[data-testid=model-input]"
MODEL_SELECT = "[data-testid=model-select]"


def in_ci() -> bool:
    """CI sets CI=true: there a missing prerequisite is a failure, locally a skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_prerequisites() -> list[str]:
    """Why the browser suite cannot run here (empty when it can)."""
    why = []
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        why.append(f"chromium not found at {CHROMIUM} (apt-get install chromium; or set INKLING_CHROMIUM)")
    if not (DIST / "index.html").is_file():
        why.append(f"{DIST}/index.html missing: run `python build.py` first")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        why.append("the playwright package is not installed (pip install -r requirements-dev.txt)")
    return why


def launch_chromium(pw, **kwargs):
    """Debian's chromium, headless, under Playwright. Never `playwright install`."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **kwargs)


# ----------------------------------------------------------------------------- network guard


@dataclass
class NetGuard:
    """Records every request, failure and console error of the contexts it is attached to.

    problems are strings; `take_new()` returns those recorded since its last call, so every
    test is held to what happened while it (and the fixtures it set up) ran.
    """

    origin: str
    requests: list = field(default_factory=list)  # every URL the page and its workers asked for, in order
    sw_requests: list = field(default_factory=list)  # those the service worker sent on (its own fetches)
    problems: list = field(default_factory=list)
    _cursor: int = 0
    _leaving: bool = False  # inside navigating_away(): the test itself is replacing the document

    def allowed(self, url: str) -> bool:
        if url.startswith(self.origin + "/"):
            return True
        return url.startswith("data:") or url.startswith("blob:" + self.origin + "/")

    @staticmethod
    def _is_favicon(url: str) -> bool:
        # The browser itself asks the origin's root for /favicon.ico; that is no request of the site's.
        return urlsplit(url).path == "/favicon.ico"

    def attach(self, context) -> None:
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_failed)
        context.on("response", self._on_response)
        context.on("console", self._on_console)
        context.on("weberror", lambda e: self.problems.append(f"uncaught error in page: {e.error}"))

    def _on_request(self, request) -> None:
        url = request.url
        # With the service worker in control, a page request the worker forwards shows up twice:
        # once from the page, once from the service worker. Both are checked; counted apart.
        (self.sw_requests if request.service_worker else self.requests).append(url)
        if not self.allowed(url):
            self.problems.append(f"request to another origin: {request.method} {url}")

    @contextmanager
    def navigating_away(self):
        """A test's own reload aborts whatever the old document was still fetching (a background
        download it started, say): those aborts are the test's doing, not the site's, so they are
        not problems. Any other failure still is."""
        self._leaving = True
        try:
            yield
        finally:
            self._leaving = False

    def _on_failed(self, request) -> None:
        if self._is_favicon(request.url):
            return
        if self._leaving and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        if response.status >= 400 and not self._is_favicon(response.url):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if self._is_favicon(url) or ("favicon.ico" in msg.text and "404" in msg.text):
            return
        self.problems.append(f"console error: {msg.text} (at {url or '?'})")

    def take_new(self) -> list[str]:
        new = self.problems[self._cursor :]
        self._cursor = len(self.problems)
        return new


# ----------------------------------------------------------------------------- page helpers

# Installed before the page's own scripts: the history of <html data-state>, with the time
# (performance.now(), i.e. ms since navigation started) and the visible text at each change.
STATE_RECORDER = """
(() => {
  const hist = [];
  window.__inklingStates = hist;
  const note = () => {
    const el = document.documentElement;
    const state = el.getAttribute('data-state');
    if (hist.length && hist[hist.length - 1].state === state) return;
    hist.push({state, t: performance.now(),
               text: document.body ? document.body.innerText : ''});
  };
  new MutationObserver(note).observe(document, {attributes: true, subtree: true,
                                                attributeFilter: ['data-state'], childList: true});
  document.addEventListener('DOMContentLoaded', note);
})();
"""

STATE_JS = "document.documentElement.getAttribute('data-state')"


def _function_source(expression: str) -> str:
    """A wait_for_function predicate as a function: Playwright evals an expression *in the page*,
    which the site's Content-Security-Policy (no 'unsafe-eval') refuses; a function it passes
    through the DevTools protocol, which the CSP does not govern."""
    if re.match(r"\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)", expression):
        return expression
    return f"() => ({expression})"


def _wait_for_function_under_csp(original):
    def wait_for_function(self, expression, *args, **kwargs):
        return original(self, _function_source(expression), *args, **kwargs)

    return wait_for_function


if _Page is not None:
    _Page.wait_for_function = _wait_for_function_under_csp(_Page.wait_for_function)


def make_context(browser, guard: NetGuard | None = None, **kwargs):
    """A fresh context (fresh profile) with the guard attached and the state recorder installed."""
    ctx = browser.new_context(**kwargs)
    if guard is not None:
        guard.attach(ctx)
    ctx.add_init_script(STATE_RECORDER)
    ctx.set_default_timeout(PREDICT_TIMEOUT_MS)
    return ctx


class AppError(AssertionError):
    pass


def open_app(page, site, wait: bool = True):
    """Navigate to the app (DOM loaded); with wait, until <html data-state> is ready."""
    page.goto(site.url, wait_until="domcontentloaded")
    if wait:
        wait_ready(page)
    return page


def wait_ready(page, timeout_ms: int = READY_TIMEOUT_MS) -> None:
    page.wait_for_function(
        "['ready', 'error'].includes(document.documentElement.getAttribute('data-state'))",
        timeout=timeout_ms,
    )
    state = page.evaluate(STATE_JS)
    if state != "ready":
        raise AppError(f"page went to data-state={state!r}: {page.inner_text('body')[:500]!r}")


def state_history(page) -> list[dict]:
    return page.evaluate("window.__inklingStates || []")


@dataclass
class Prediction:
    text: str
    strokes: int | None
    probs: list[float | None]

    @property
    def digit(self) -> int | None:
        return int(self.text) if self.text.isdigit() else None


def read_prediction(page) -> Prediction:
    d = page.evaluate(
        """(sel) => { const el = document.querySelector(sel);
             const p = []; for (let i = 0; i < 10; i++) p.push(el.getAttribute('data-p' + i));
             return {text: el.textContent, strokes: el.getAttribute('data-strokes'), p}; }""",
        PREDICTION,
    )
    probs = [float(v) if v not in (None, "") else None for v in d["p"]]
    strokes = int(d["strokes"]) if d["strokes"] not in (None, "") else None
    return Prediction(d["text"].strip(), strokes, probs)


def wait_strokes(page, n: int, timeout_ms: int = PREDICT_TIMEOUT_MS) -> Prediction:
    """Wait until the prediction was computed for `n` strokes (data-strokes == n); return it."""
    page.wait_for_function(
        "([sel, n]) => { const el = document.querySelector(sel);"
        " return el && el.getAttribute('data-strokes') === String(n); }",
        arg=[PREDICTION, n],
        timeout=timeout_ms,
    )
    return read_prediction(page)


def clear_pad(page) -> Prediction:
    page.click(CLEAR)
    return wait_strokes(page, 0)


def pad_box(page) -> dict:
    box = page.locator(PAD).bounding_box()
    if box is None:
        raise AssertionError("the pad has no bounding box (not rendered?)")
    return box


def canvas_data_url(page, selector: str) -> str | None:
    """The canvas's pixels as a data URL (None if `selector` is not a canvas)."""
    return page.evaluate(
        "(sel) => { const c = document.querySelector(sel);"
        " return c instanceof HTMLCanvasElement ? c.toDataURL() : null; }",
        selector,
    )
