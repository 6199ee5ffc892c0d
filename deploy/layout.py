"""The load-fast parts of dist/'s layout: content-hashed folders, zips a server can compress,
dist/build-info.js (where the hashed folders are) and the preload hints in index.html.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

HASH_CHARS = 12
PRELOAD_MARKER = re.compile(r"[ \t]*<!-- preload: [^>]*-->\n")
STATIC_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["'](\.[^"']+)["']|^\s*import\s*["'](\.[^"']+)["']""", re.M
)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stored_zip(src: Path, dest: Path) -> None:
    """A copy of the zip (a wheel, the stdlib) with every member stored, not deflated: the
    server's brotli then sees the real bytes (numpy's wheel: 3.0 MB deflated -> 2.0 MB brotli;
    the stdlib 2.3 -> 1.5 MB) and Pyodide unpacks it without inflating. Same names, order,
    dates and bytes, so a wheel's RECORD still holds."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            out = zipfile.ZipInfo(info.filename, info.date_time)
            out.external_attr = info.external_attr
            out.compress_type = zipfile.ZIP_STORED
            zout.writestr(out, zin.read(info))


def folder_hash(folder: Path, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(folder).as_posix()}\0{sha256(path)}\n".encode())
    return h.hexdigest()[:HASH_CHARS]


def content_named(folder: Path, stem: str, digest: str | None = None) -> str:
    """Renames `folder` to <stem>-<hash of its files> beside it; returns "<stem>-<hash>/"."""
    name = f"{stem}-{digest or folder_hash(folder)}"
    folder.rename(folder.with_name(name))
    return name + "/"


def write_build_info(dist: Path, names: dict[str, str]) -> None:
    """dist/build-info.js: the worker imports where this build put its content-hashed files."""
    lines = [
        "// Written by build.py: where this build put its content-hashed files (docs/architecture.md).",
        *(f"export const {key} = {json.dumps(value)};" for key, value in names.items()),
    ]
    (dist / "build-info.js").write_text("\n".join(lines) + "\n")


def module_graph(dist: Path, entry: str) -> list[str]:
    """dist-relative paths of `entry` and every module it imports statically, depth first."""
    seen: list[str] = []

    def visit(rel: str) -> None:
        if rel in seen or not (dist / rel).is_file():
            return
        seen.append(rel)
        for a, b in STATIC_IMPORT.findall((dist / rel).read_text()):
            target = (dist / rel).parent / (a or b)
            visit(target.resolve().relative_to(dist.resolve()).as_posix())

    visit(entry)
    return seen


def write_preload_hints(dist: Path, modules: list[str], fetches: list[str]) -> None:
    """Replaces index.html's preload marker with modulepreload hints for `modules` (the page's
    own module graph, fetched in parallel instead of one import level at a time) and preload
    hints for `fetches` (what the worker asks for first; the HTTP cache hands it over)."""
    index = dist / "index.html"
    html = index.read_text()
    if not PRELOAD_MARKER.search(html):
        raise ValueError(f"{index} lacks the <!-- preload: ... --> marker in <head>")
    links = [f'  <link rel="modulepreload" href="{m}">' for m in modules]
    links += [f'  <link rel="preload" href="{f}" as="fetch" crossorigin>' for f in fetches]
    index.write_text(PRELOAD_MARKER.sub(lambda _: "".join(link + "\n" for link in links), html, count=1))


PYCOMPILE = Path(__file__).resolve().parent / "pycompile.mjs"
SITE_PACKAGES = "/lib/python3.12/site-packages"  # where Pyodide 0.27 installs wheels


# What the page never uses of numpy's wheel: type stubs and Cython declarations, C headers and
# static libraries (for building extensions against numpy), f2py (a Fortran wrapper generator: it
# needs a compiler). Left out, they are 155 of the wheel's 338 files and 1.7 MB that Pyodide no
# longer unpacks at every load.
NUMPY_UNUSED = r"\.(pyi|pxd)$|^numpy/(_core/include|_core/lib|random/lib|f2py)/"


OUT = "{out}"  # in made_by_node's arguments: the file the script is to write


def made_by_node(target: Path, script: Path, *args: str) -> Path:
    """`target`, made once by `node script args...`, where the argument OUT names the file the
    script writes: a temporary beside `target`, renamed into place only when the script succeeded,
    so a half-written file is never found there. RuntimeError with the end of the script's stderr."""
    import os
    import subprocess

    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(f".part{os.getpid()}")
        run = subprocess.run(
            ["node", str(script), *(str(part) if a == OUT else a for a in args)], capture_output=True, text=True
        )
        if run.returncode or not part.is_file():
            part.unlink(missing_ok=True)
            raise RuntimeError(f"{script.name} failed: {run.stderr.strip()[-800:]}")
        os.replace(part, target)
    return target


def py_compiled(wheel: Path, cache: Path, leave_out: str = "", prefix: str = SITE_PACKAGES) -> Path:
    """`wheel` (or any zip of modules) with its modules as .pyc made by Pyodide's own CPython
    (deploy/pycompile.mjs), their file names under `prefix`, members stored, those whose name
    matches the regular expression `leave_out` left out. Cached in .cache/pyc/ under the hash of
    the zip, `leave_out`, `prefix`, the script and Pyodide."""
    key = hashlib.sha256(
        wheel.read_bytes()
        + leave_out.encode()
        + prefix.encode()
        + PYCOMPILE.read_bytes()
        + (PYCOMPILE.parents[1] / "node_modules/pyodide/package.json").read_bytes()
    )
    target = cache / "pyc" / f"{key.hexdigest()[:24]}.whl"
    return made_by_node(target, PYCOMPILE, str(wheel), OUT, prefix, leave_out)
