"""deploy/lab_build.py's part of dist/ (the Lab): the CodeMirror bundle, the lab worker's source
wheel and lock file, none of it in the service worker's precache (a first visit fetches none)."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from test_build import build, built, make_weights


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build.build(tmp_path_factory.mktemp("site") / "dist", make_weights(tmp_path_factory.mktemp("weights")))


def test_the_editor_is_one_bundled_module_with_no_bare_imports(dist):
    bundle = (dist / "lab" / "codemirror.js").read_text()
    assert "EditorView" in bundle or "cm-editor" in bundle
    assert 'from"@codemirror' not in bundle.replace(" ", "") and 'from"codemirror"' not in bundle.replace(" ", "")
    assert (dist / "lab" / "lab-panel.js").is_file() and (dist / "lab-worker" / "lab-worker.js").is_file()


def test_the_lab_worker_installs_checked_wheels_with_python_sources(dist):
    lock = json.loads((dist / "lab-worker" / "lab-lock.json").read_text())["packages"]
    for entry in lock.values():
        path = (dist / "lab-worker" / entry["file_name"]).resolve()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert lock["numpy"]["file_name"].startswith(f"../{built(dist)['PYODIDE_DIR']}")
    with zipfile.ZipFile(dist / "lab-worker" / lock["inkling"]["file_name"]) as z:
        names = z.namelist()
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}  # wheel-install.js reads stored members
    assert "inkling/nn/layers/conv2d.py" in names and "inkling/lab/starter.py" in names
    assert not [n for n in names if n.endswith(".pyc")]


def test_nothing_of_the_lab_is_precached(dist):
    source = (dist / "sw.js").read_text()
    build_info = json.loads(source[source.index("const BUILD = ") + 14 : source.index("\n};") + 2])
    urls = [e["url"] for e in build_info["precache"]]
    assert "page/main.js" in urls
    assert not [u for u in urls if u.startswith(("lab/", "lab-worker/"))]
    assert not (dist / "lab-worker" / "source").exists()
