"""deploy/headers.py and headers.json: the rules say what the issue asks (the hosts' copies of them:
tests/test_build.py; nginx: tests/browser/test_headers.py)."""

from deploy import headers


def test_header_rules_say_what_the_issue_asks():
    spec = headers.load()
    csp = headers.headers_for("/index.html", spec)["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in script_src
    assert script_src == ["script-src", "'self'", "'wasm-unsafe-eval'"]
    immutable = "public, max-age=31536000, immutable"
    for path in (
        "/pyodide-0123456789ab/pyodide.asm.wasm",
        "/app-0123456789ab/pyodide-lock.json",
        "/weights-0123456789ab/cnn/1.W.npy",
    ):
        assert headers.headers_for(path, spec)["Cache-Control"] == immutable, path
    for path in ("/", "/index.html", "/sw.js", "/page/main.js", "/build-info.js"):
        got = headers.headers_for(path, spec)
        assert got["Cache-Control"] == "no-cache" and got["X-Content-Type-Options"] == "nosniff", path
    # Netlify joins the values of two matching rules with a comma: no path may match two
    # rules that both set Cache-Control (a rule's own prefix is a path each of them matches).
    caching = [r["for"] for r in spec["rules"] if "Cache-Control" in r["headers"]]
    for a in caching:
        probe = a[:-1] + "x" if a.endswith("*") else a
        assert [b for b in caching if headers.matches(b, probe)] == [a], f"{a} overlaps another rule"
    assert not any("Cache-Control" in r["headers"] for r in spec["rules"] if r["for"] == "/*")
