"""Assemble the static site in dist/ (see docs/architecture.md, "dist/ layout").

    python build.py [--dist DIR] [--weights DIR]

dist/ = web/ + the Pyodide runtime (node_modules/pyodide) + the numpy wheel Pyodide's
npm package leaves out + a wheel of py/inkling + weights/, with a pyodide-lock.json trimmed
to numpy + inkling. What never changes between deploys of the same sources lives in folders
named by their content hash (pyodide-<hash>/, app-<hash>/, weights-<hash>/; dist/build-info.js
names them for the worker), served with long immutable caching; dist/sw.js precaches the site
for offline use (deploy/offline.py); dist/_headers carries deploy/headers.json for Netlify.
A warm rebuild makes no network request: the numpy wheel is cached in .cache/wheels/ and its
sha256 checked against Pyodide's own lock file on every build.

This file is the recipe; its steps live in deploy/: runtime.py (Pyodide, the numpy wheel, the
lock file), wheel.py (the inkling wheel and its WebAssembly kernel), assets.py (weights, MNIST,
vendored browser libraries), url_check.py (only relative URLs), layout.py, trim.py, offline.py, ...
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from deploy import compact_weights, headers, lab_build, layout, offline, precompress, trim  # noqa: E402
from deploy.assets import copy_vendor_files, copy_weights, mnist_files  # noqa: E402
from deploy.errors import BuildError  # noqa: E402
from deploy.runtime import (  # noqa: E402
    CACHE,
    NUMPY_WHEEL,
    RUNTIME_FILES,
    numpy_wheel,
    pyodide_lock,
    pyodide_npm,
    trimmed_lock,
)
from deploy.url_check import external_references  # noqa: E402
from deploy.wheel import inkling_wheel  # noqa: E402

DIST = ROOT / "dist"

# Runtime files hinted with <link rel=preload> in index.html. None: bench/load.py measures the app
# with preloads for pyodide.mjs/.asm.js/.asm.wasm/stdlib beside the app without, and they did not
# help (cold medians 6.9 vs 5.2 s, 9.3 vs 8.2 s, 9.6 vs 10.6 s in three runs on this 2-core machine):
# the files come from the same origin at once, and the CPU, not the network, is what boot waits on.
PRELOAD_RUNTIME: list[str] = []


def _compiled(wheel: Path, cache: Path, leave_out: str = "", prefix: str = layout.SITE_PACKAGES) -> Path:
    """layout.py_compiled, its failure as a BuildError naming the wheel."""
    try:
        return layout.py_compiled(wheel, cache, leave_out, prefix)
    except (OSError, RuntimeError) as e:
        raise BuildError(f"cannot compile {wheel.name} to .pyc: {e}") from None


def _runtime(out: Path, npm: Path, numpy_whl: Path, cache: Path) -> str:
    """dist/pyodide-<hash>/: Pyodide's runtime and the numpy wheel, zips stored uncompressed,
    what the page never uses of numpy left out (layout.NUMPY_UNUSED), and the modules a first
    visit imports (numpy's and the boot stdlib's) compiled to .pyc: Python then never compiles
    at boot, which halves loadPyodide (docs/benchmarks.md), for more bytes sent."""
    runtime = out / "pyodide"
    runtime.mkdir()
    for name in RUNTIME_FILES:
        (layout.stored_zip if name.endswith(".zip") else shutil.copy2)(npm / name, runtime / name)
    lean = trim.numpy_without_docs(numpy_whl, cache)
    shutil.copy2(_compiled(lean, cache, layout.NUMPY_UNUSED), runtime / numpy_whl.name)
    trim.trim_runtime(runtime, numpy_whl.name)  # a first visit gets what boot imports; the rest on demand
    stdlib = runtime / "python_stdlib.zip"
    shutil.copy2(_compiled(stdlib, cache, prefix=trim.STDLIB_PREFIX.rstrip("/")), stdlib)
    return layout.content_named(runtime, "pyodide")


def _app(out: Path, pyodide_dir: str, cache: Path) -> str:
    """dist/app-<hash>/: the inkling wheel (its modules as .pyc, like numpy's) and the lock file;
    Pyodide finds numpy in its own folder (indexURL) and inkling through "../app-<hash>/" in the
    lock file."""
    app = out / "app"
    app.mkdir()
    wheel = inkling_wheel(app, cache=cache)
    source_wheel = out / "lab-worker" / "source" / wheel.name  # the Lab reads the .py sources (lab_build)
    source_wheel.parent.mkdir(parents=True)
    shutil.copy2(wheel, source_wheel)
    shutil.copy2(_compiled(wheel, cache), wheel)
    lock = trimmed_lock(pyodide_lock(), out / pyodide_dir / NUMPY_WHEEL, wheel)
    digest = hashlib.sha256((json.dumps(lock, sort_keys=True) + pyodide_dir).encode()).hexdigest()
    name = f"app-{digest[: layout.HASH_CHARS]}/"
    lock["packages"]["inkling"]["file_name"] = f"../{name}{wheel.name}"
    (app / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return layout.content_named(app, "app", digest[: layout.HASH_CHARS])


def _lab(out: Path, pyodide_dir: str) -> None:
    """dist/lab/ and dist/lab-worker/: the Lab's editor bundle, source wheel and lock (lab_build)."""
    source = out / "lab-worker" / "source"
    try:
        lab_build.write_lab(out, pyodide_dir, NUMPY_WHEEL, next(source.glob("*.whl")))
    except (OSError, RuntimeError) as e:
        raise BuildError(f"cannot build the Lab: {e}") from None
    finally:
        shutil.rmtree(source, ignore_errors=True)


def _assemble(out: Path, npm: Path, numpy_whl: Path, weights: Path, cache: Path = CACHE) -> None:
    shutil.copytree(ROOT / "web", out, ignore=shutil.ignore_patterns(".*", "*~"))
    copy_vendor_files(out)
    pyodide_dir = _runtime(out, npm, numpy_whl, cache)
    app_dir = _app(out, pyodide_dir, cache)
    _lab(out, pyodide_dir)
    copy_weights(weights, out / "weights")
    compact_weights.compact(out / "weights")  # int8 and float16 on disk: a quarter to a half of the bytes
    weights_dir = layout.content_named(out / "weights", "weights")
    layout.write_build_info(out, {"PYODIDE_DIR": pyodide_dir, "APP_DIR": app_dir, "WEIGHTS_DIR": weights_dir})
    layout.write_preload_hints(
        out, layout.module_graph(out, "page/main.js"), [pyodide_dir + name for name in PRELOAD_RUNTIME]
    )
    mnist_files(out / "mnist", cache)
    offline.copy_workbox(ROOT / "node_modules", out / "sw")
    offline.write_service_worker(out, weights_dir)
    (out / "_headers").write_text(headers.netlify())
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are
    try:
        precompress.brotli_copies(
            [p for d in (pyodide_dir, app_dir, weights_dir) for p in precompress.candidates(out / d)], cache
        )
    except (OSError, RuntimeError) as e:
        raise BuildError(f"cannot write the .br copies: {e}") from None
    if bad := external_references(out):
        raise BuildError("dist/ must only use relative URLs; found:\n  " + "\n  ".join(bad))


def build(dist: Path = DIST, weights: Path = ROOT / "weights", cache: Path = CACHE) -> Path:
    npm = pyodide_npm()
    numpy_whl = numpy_wheel(cache)
    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _assemble(staging, npm, numpy_whl, weights, cache)
        shutil.rmtree(dist, ignore_errors=True)
        os.replace(staging, dist)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default dist/)")
    parser.add_argument(
        "--weights", type=Path, default=ROOT / "weights", help="folder holding manifest.json (default weights/)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        out = build(args.dist.resolve(), args.weights.resolve())
    except BuildError as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
