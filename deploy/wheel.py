"""The inkling wheel dist/ ships: py/inkling's modules and each WebAssembly kernel (x.wat)
assembled beside them as x.so (wabt from npm, deploy/wasm_kernel.mjs), built without network
or setuptools, the same bytes from the same sources."""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

from deploy import layout
from deploy.errors import BuildError
from deploy.runtime import CACHE

ROOT = Path(__file__).resolve().parents[1]
WASM_KERNEL_SCRIPT = ROOT / "deploy" / "wasm_kernel.mjs"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same wheel bytes
# Training-data tools that need scikit-image and SciPy, which the page has not: never sent to it.
CPYTHON_ONLY = ("inkling/data/tracer.py", "inkling/data/ink_mask.py", "inkling/training/pen_twins.py")


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
    Name, version and dependencies come from the repository's pyproject.toml. CPYTHON_ONLY
    modules are left out."""
    project = tomllib.loads(pyproject.read_text())["project"]
    name, version = project["name"], project["version"]
    files = sorted(
        p
        for p in (src / name).rglob("*.py")
        if "__pycache__" not in p.parts and p.relative_to(src).as_posix() not in CPYTHON_ONLY
    )
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
