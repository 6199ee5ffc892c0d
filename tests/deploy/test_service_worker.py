"""deploy/offline.py: the service worker dist/sw.js precaches what the pad needs (its own dist/, built
as tests/test_build.py builds it; the browser's side: tests/browser/test_offline.py)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from test_build import REPO, build, built, make_weights, sha

from deploy import offline


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build.build(tmp_path_factory.mktemp("site") / "dist", make_weights(tmp_path_factory.mktemp("weights")))


def test_service_worker_precaches_what_the_pad_needs(dist):
    """sw.js: every file but MNIST, the .br copies and the host configs; hashed URLs without
    revision; a version that changes with any file."""
    source = (dist / "sw.js").read_text()
    build_info = json.loads(source[source.index("const BUILD = ") + 14 : source.index("\n};") + 2])
    urls = {e["url"]: e["revision"] for e in build_info["precache"]}
    where = built(dist)
    assert {
        "index.html",
        "page/main.js",
        "worker/inkling-worker.js",
        "build-info.js",
        "manifest.webmanifest",
        where["PYODIDE_DIR"] + "pyodide.asm.wasm",
        where["APP_DIR"] + "inkling-0.1.0-py3-none-any.whl",
        where["WEIGHTS_DIR"] + "tiny/1.W.npy",
    } <= set(urls)
    assert not [u for u in urls if u.startswith("mnist/") or u.endswith(".br") or u in ("sw.js", "_headers")]
    assert all((urls[u] is None) == bool(offline.HASHED.match(u)) for u in urls)
    assert urls["index.html"] == sha(dist / "index.html")[:16]
    assert re.fullmatch(r"[0-9a-f]{16}", build_info["version"]) and "@BUILD@" not in source
    before = build_info["version"]
    template = REPO / "web" / offline.TEMPLATE
    try:
        (dist / "style.css").write_text((dist / "style.css").read_text() + "\n/* changed */\n")
        shutil.copy(template, dist / offline.TEMPLATE)
        assert offline.write_service_worker(dist, where["WEIGHTS_DIR"])["version"] != before
    finally:  # leave the module's dist/ as it was
        shutil.copy(REPO / "web" / "style.css", dist / "style.css")
        shutil.copy(template, dist / offline.TEMPLATE)
        assert offline.write_service_worker(dist, where["WEIGHTS_DIR"])["version"] == before
