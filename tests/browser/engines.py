"""Firefox ESR and WebKitGTK behind one small interface, for the engine tests and bench/engines.py.

- Firefox: Debian's firefox-esr, driven by npm puppeteer-core over WebDriver BiDi through a Node
  process (engines/firefox-bridge.mjs) that answers JSON lines.
- WebKit: Debian's WebKitWebDriver (webkit2gtk-driver) under `xvfb-run -a` (WebKitGTK has no
  headless mode), driven by Selenium as a remote: Selenium is given the driver, so it downloads
  nothing.

Both offer: open(url) · js(fn_source, *args) (an async function run in the page, its result as
JSON) · pointer(strokes) (page-pixel strokes drawn with real WebDriver pointer input) ·
reload() · take_problems() (page errors, console errors and failed requests since the last call)
· close(). No browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BRIDGE = Path(__file__).resolve().parent / "engines" / "firefox-bridge.mjs"
FIREFOX = os.environ.get("INKLING_FIREFOX", "/usr/bin/firefox-esr")
WEBKIT_DRIVER = os.environ.get("INKLING_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
ENGINES = ("firefox", "webkit")

# WebKit has no "before the page's scripts" hook in WebDriver: recorded_site() serves the app with
# this recorder as index.html's first script, and WebKit.open() installs it again once a page has
# loaded (for pages without it).
RECORDER = Path(__file__).resolve().parent / "engines" / "problem-recorder.js"
ERROR_RECORDER = RECORDER.read_text()
PLANTED_PAGE = "planted-error.html"  # recorded_site's page whose script throws while it loads


def recorded_site(dist: Path, dest: Path) -> Path:
    """`dest`: dist/ as links, but index.html with the problem recorder as its first script (and
    in the service worker's precache list, so an offline load has it too), and PLANTED_PAGE, a
    page that fails while it loads (the tests show a failure is caught)."""
    changed = ("index.html", "sw.js")
    for entry in dist.iterdir():
        if entry.name not in changed:
            (dest / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    html = (dist / "index.html").read_text()
    first = '<script src="problem-recorder.js"></script>'
    (dest / "index.html").write_text(html.replace("<head>", f"<head>\n  {first}", 1))
    sw = (dist / "sw.js").read_text()
    entry = '{\n   "url": "index.html",'
    if entry not in sw:
        raise RuntimeError("dist/sw.js has no precache entry for index.html: engines.recorded_site needs one")
    (dest / "sw.js").write_text(sw.replace(entry, '{"url": "problem-recorder.js", "revision": "1"},\n  ' + entry, 1))
    (dest / "problem-recorder.js").write_text(ERROR_RECORDER)
    (dest / "planted-error.js").write_text("throw new Error('planted while loading');\n")
    (dest / PLANTED_PAGE).write_text(
        f'<!doctype html><html lang="en"><head>{first}<title>planted</title>'
        '<script src="planted-error.js"></script></head><body></body></html>\n'
    )
    return dest


def missing(engine: str) -> list[str]:
    """Why `engine` cannot run here (empty when it can)."""
    why = []
    if engine == "firefox":
        if not Path(FIREFOX).is_file():
            why.append(f"{FIREFOX} missing (apt-get install firefox-esr)")
        if not (REPO / "node_modules" / "puppeteer-core").is_dir():
            why.append("npm puppeteer-core missing (PUPPETEER_SKIP_DOWNLOAD=1 npm ci)")
        if not shutil.which("node"):
            why.append("node missing")
    else:
        if not Path(WEBKIT_DRIVER).is_file():
            why.append(f"{WEBKIT_DRIVER} missing (apt-get install webkit2gtk-driver)")
        if not shutil.which("xvfb-run"):
            why.append("xvfb-run missing (apt-get install xvfb xauth)")
        try:
            import selenium  # noqa: F401
        except ImportError:
            why.append("selenium missing (pip install -r requirements-dev.txt)")
    return why


class Firefox:
    name = "firefox"

    def __init__(self, width: int = 1000, height: int = 900):
        env = {**os.environ, "INKLING_VIEWPORT": f"{width}x{height}", "PUPPETEER_SKIP_DOWNLOAD": "1"}
        self.proc = subprocess.Popen(
            ["node", str(BRIDGE)], cwd=REPO, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self._id = 0
        self._problems: list[str] = []
        self.version = self._answer(0)

    def _answer(self, want: int):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the Firefox bridge exited ({self.proc.poll()})")
        answer = json.loads(line)
        self._problems += answer.get("problems", [])
        assert answer["id"] == want, answer
        if "error" in answer:
            raise RuntimeError(f"firefox: {answer['error']}")
        return answer["result"]

    def _call(self, op: str, **kw):
        self._id += 1
        self.proc.stdin.write(json.dumps({"id": self._id, "op": op, **kw}) + "\n")
        self.proc.stdin.flush()
        return self._answer(self._id)

    def open(self, url: str) -> None:
        self._call("goto", url=url)

    def reload(self) -> None:
        self._call("reload")

    def js(self, fn: str, *args):
        return self._call("eval", fn=fn, args=list(args))

    def pointer(self, strokes) -> None:
        self._call("pointer", strokes=[[[float(x), float(y)] for x, y in s] for s in strokes])

    def take_problems(self) -> list[str]:
        self._call("eval", fn="async () => null")  # collect what came since the last answer
        out, self._problems = self._problems, []
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing is best effort
            self._call("close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebKit:
    name = "webkit"

    def __init__(self, width: int = 1000, height: int = 900):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options

        port = _free_port()
        # Its own process group: closing ends xvfb-run, Xvfb and the driver together.
        self.proc = subprocess.Popen(
            ["xvfb-run", "-a", "-s", f"-screen 0 {width + 100}x{height + 200}x24", WEBKIT_DRIVER, f"--port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self._kill()
                    raise RuntimeError("WebKitWebDriver did not start under xvfb-run") from None
                time.sleep(0.1)
        options = Options()
        options.add_argument("--automation")
        self.driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
        self.driver.set_script_timeout(300)
        self.driver.set_window_rect(0, 0, width, height)
        self.version = self.driver.capabilities.get("browserVersion", "?")
        self._problems: list[str] = []

    def _record(self) -> None:
        self.driver.execute_script(ERROR_RECORDER)

    def open(self, url: str) -> None:
        self.driver.get(url)
        self._record()

    def reload(self) -> None:
        self.driver.refresh()
        self._record()

    def js(self, fn: str, *args):
        r = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve().then(() => ({fn})(...arguments[0]))"
            ".then((v) => done({ok: v === undefined ? null : v}), (e) => done({err: String(e && e.stack || e)}));",
            list(args),
        )
        if "err" in r:
            raise RuntimeError(f"webkit: {r['err']}")
        return r["ok"]

    def pointer(self, strokes) -> None:
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        for s in strokes:
            ab = ActionBuilder(self.driver, duration=0)
            p = ab.pointer_action
            p.move_to_location(int(s[0][0]), int(s[0][1]))
            p.pointer_down()
            for x, y in s[1:]:
                p.move_to_location(int(x), int(y))
            p.pointer_up()
            ab.perform()

    def take_problems(self) -> list[str]:
        got = self.driver.execute_script("return (window.__engineProblems || []).splice(0)") or []
        out, self._problems = self._problems + got, []
        return out

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self._kill()


class Chromium:
    """Debian's chromium under Playwright (harness.launch_chromium), behind the same interface,
    so that bench/engines.py measures all three engines the same way."""

    name = "chromium"

    def __init__(self, width: int = 1000, height: int = 900):
        import harness
        from playwright.sync_api import sync_playwright

        self.pw = sync_playwright().start()
        self.browser = harness.launch_chromium(self.pw)
        self.version = self.browser.version
        self.ctx = self.browser.new_context(viewport={"width": width, "height": height})
        self.page = self.ctx.new_page()
        self.page.set_default_timeout(300_000)
        self._problems: list[str] = []
        self.page.on("pageerror", lambda e: self._problems.append(f"uncaught error in page: {e}"))
        self.page.on("console", lambda m: m.type == "error" and self._problems.append(f"console error: {m.text}"))

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="domcontentloaded")

    def reload(self) -> None:
        self.page.reload(wait_until="domcontentloaded")

    def js(self, fn: str, *args):
        return self.page.evaluate(f"(args) => ({fn})(...args)", list(args))

    def pointer(self, strokes) -> None:
        mouse = self.page.mouse
        for s in strokes:
            mouse.move(float(s[0][0]), float(s[0][1]))
            mouse.down()
            for x, y in s[1:]:
                mouse.move(float(x), float(y))
            mouse.up()

    def take_problems(self) -> list[str]:
        out, self._problems = self._problems, []
        return out

    def close(self) -> None:
        self.browser.close()
        self.pw.stop()


def launch(engine: str, **kw):
    return {"firefox": Firefox, "webkit": WebKit, "chromium": Chromium}[engine](**kw)


# ----------------------------------------------------------------------------- page probes
# Async functions run in the page through js(); each uses only the DOM contract of
# docs/architecture.md.

# Until <html data-state> is ready or error; returns [state, performance.now() when seen, status text].
WAIT_READY = """async () => {
  const el = document.documentElement;
  const done = () => ['ready', 'error'].includes(el.dataset.state);
  if (!done()) {
    await new Promise((resolve) => new MutationObserver((_, o) => { if (done()) { o.disconnect(); resolve(); } })
      .observe(el, {attributes: true, attributeFilter: ['data-state']}));
  }
  const status = document.querySelector('.status-text').textContent;
  return [el.dataset.state, performance.now(), status];
}"""

# The pad's box in viewport pixels: {x, y, width, height}.
PAD_BOX = """async () => { const r = document.querySelector('[data-testid=pad]').getBoundingClientRect();
  return {x: r.x, y: r.y, width: r.width, height: r.height}; }"""

# Records, from now on, when each pointerup on the pad and each new prediction happened.
TIMELINE = """async () => {
  const t = (window.__timeline = {ups: [], predictions: []});
  document.querySelector('[data-testid=pad]').addEventListener('pointerup', () => t.ups.push(performance.now()));
  const out = document.querySelector('[data-testid=prediction]');
  new MutationObserver(() => t.predictions.push([performance.now(), out.dataset.strokes, out.textContent]))
    .observe(out, {attributes: true, attributeFilter: ['data-strokes'], childList: true});
  return true;
}"""

# Until the prediction is for n strokes (data-strokes); returns {digit, strokes, probs}.
WAIT_STROKES = """async (n, timeoutMs) => {
  const out = document.querySelector('[data-testid=prediction]');
  const t0 = performance.now();
  while (out.dataset.strokes !== String(n)) {
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`no prediction for ${n} strokes (data-strokes=${out.dataset.strokes})`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const probs = []; for (let i = 0; i < 10; i++) probs.push(Number(out.dataset['p' + i]));
  return {digit: out.textContent, strokes: Number(out.dataset.strokes), probs};
}"""

CLICK = """async (selector) => { document.querySelector(selector).click(); return true; }"""


def wait_until(browser, fn: str, *args, timeout_s: float = 120, every_s: float = 0.2):
    """Calls the page function fn(*args) until it returns something true; returns that."""
    deadline = time.monotonic() + timeout_s
    while not (value := browser.js(fn, *args)):
        if time.monotonic() > deadline:
            raise AssertionError(f"{browser.name}: timed out after {timeout_s} s waiting for {fn[:200]}")
        time.sleep(every_s)
    return value
