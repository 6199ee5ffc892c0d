"""What nginx (deploy/nginx.conf, the browser tests' server) sends: deploy/headers.json's headers
on every file, the MIME types a module worker and WebAssembly need, brotli/gzip compression;
and the page itself runs under that Content-Security-Policy without a single violation."""

from __future__ import annotations

import json
import re
import sys
import urllib.request

import harness
from pen import draw_strokes, fit_strokes
from strokes import trace_strokes

sys.path.insert(0, str(harness.REPO))
from deploy import headers  # noqa: E402

# Installed before the page's scripts: every CSP violation the document sees.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
"""


def built() -> dict[str, str]:
    text = (harness.DIST / "build-info.js").read_text()
    return dict(re.findall(r'^export const (\w+) = "([^"]*)";$', text, re.M))


def get(site, path: str, encoding: str = "br, gzip"):
    request = urllib.request.Request(site.url + path, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def sample_paths() -> list[str]:
    where = built()
    lock = json.loads((harness.DIST / where["APP_DIR"] / "pyodide-lock.json").read_text())
    return [
        "",
        "index.html",
        "sw.js",
        "build-info.js",
        "page/main.js",
        "worker/inkling-worker.js",
        "style.css",
        "manifest.webmanifest",
        "icons/icon-192.png",
        "sw/workbox-core.prod.js",
        where["PYODIDE_DIR"] + "pyodide.mjs",
        where["PYODIDE_DIR"] + "pyodide.asm.wasm",
        where["PYODIDE_DIR"] + "python_stdlib.zip",
        where["PYODIDE_DIR"] + lock["packages"]["numpy"]["file_name"],
        where["APP_DIR"] + "pyodide-lock.json",
        where["WEIGHTS_DIR"] + "manifest.json",
        "mnist/manifest.json",
    ]


def test_every_file_carries_the_headers_of_headers_json(site):
    spec = headers.load()
    for path in sample_paths():
        status, got, _ = get(site, path)
        assert status == 200, path
        want = headers.headers_for("/" + path, spec)
        wrong = {k: (got.get(k.lower()), v) for k, v in want.items() if got.get(k.lower()) != v}
        assert not wrong, f"/{path}: (sent, expected) {wrong}"


def test_mime_types_a_static_host_must_send(site):
    where = built()
    expect = {
        where["PYODIDE_DIR"] + "pyodide.mjs": "application/javascript",
        "page/main.js": "application/javascript",
        where["PYODIDE_DIR"] + "pyodide.asm.wasm": "application/wasm",
        "manifest.webmanifest": "application/manifest+json",
        "index.html": "text/html",
        "style.css": "text/css",
        "icons/icon.svg": "image/svg+xml",
    }
    for path, mime in expect.items():
        _, got, _ = get(site, path)
        assert got["content-type"].split(";")[0] == mime, f"{path}: {got['content-type']}"


def test_big_files_come_compressed(site):
    where = built()
    wasm = where["PYODIDE_DIR"] + "pyodide.asm.wasm"
    _, got, body = get(site, wasm)
    assert got.get("content-encoding") == "br"
    assert body == (harness.DIST / (wasm + ".br")).read_bytes(), "not the build's brotli copy"
    _, got, body = get(site, wasm, encoding="gzip")
    assert got.get("content-encoding") == "gzip" and len(body) < 0.4 * (harness.DIST / wasm).stat().st_size
    _, got, _ = get(site, "page/main.js")
    assert got.get("content-encoding") == "br"


def test_page_runs_under_the_csp_without_a_violation(new_context, site, mnist_test_raw):
    """Boot, draw, predict, switch models, open Train: no CSP violation in the page, and none
    logged from the worker (the guard fails the test on any console error)."""
    images, labels = mnist_test_raw
    strokes = trace_strokes(images[int(next(i for i in range(len(labels)) if labels[i] == 2))])
    ctx = new_context(viewport={"width": 800, "height": 900})
    ctx.add_init_script(CSP_RECORDER)
    page = ctx.new_page()
    response = page.goto(site.url, wait_until="domcontentloaded")
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    harness.wait_ready(page)
    pts = fit_strokes(strokes, harness.pad_box(page), 0.6)
    draw_strokes(page, pts)
    assert harness.wait_strokes(page, len(pts)).digit is not None
    for value in page.eval_on_selector_all(f"{harness.MODEL_SELECT} option", "os => os.map(o => o.value)"):
        page.select_option(harness.MODEL_SELECT, value)
        harness.wait_ready(page)
    assert page.evaluate("window.__cspViolations") == []


def test_the_violation_recorder_sees_a_violation(chromium, site):
    """The check above can fail: an inline script is refused and reported (no guard here: the
    refusal is logged as a console error on purpose)."""
    ctx = harness.make_context(chromium, None)
    try:
        ctx.add_init_script(CSP_RECORDER)
        page = ctx.new_page()
        page.goto(site.url, wait_until="domcontentloaded")
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }"
        )
        page.wait_for_function("() => window.__cspViolations.length > 0")
        assert "script-src" in page.evaluate("window.__cspViolations")[0]
    finally:
        ctx.close()
