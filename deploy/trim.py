"""What a first visit downloads of Python's standard library and of numpy: only the modules the
site imports (deploy/needed-modules.json); the rest goes in "rest" zips beside them, fetched the
first time something imports a module they hold (deploy/lazy_rest.py, inside the trimmed stdlib).

    python -m deploy.trim record    # run every flow in Pyodide under Node, write needed-modules.json

`record` runs tests/pyodide/flows.py (boot, predict, number, why, pictures, training, fine-tuning,
export/import) on Pyodide's full standard library and numpy wheel and keeps, for each, the files
of the modules loaded before the pad is ready ("boot") and by the end ("all"). Run it again when
the site starts importing something new; tests/pyodide/test_trimmed.py runs the same flows on the
trimmed build and fails if one needs a module that is not in the boot files.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEEDED = Path(__file__).with_name("needed-modules.json")
LAZY_REST = Path(__file__).with_name("lazy_rest.py")
FLOWS = ROOT / "tests" / "pyodide" / "flows.py"
RUN_PYTHON = ROOT / "tests" / "pyodide" / "run_python.mjs"
STDLIB_PREFIX = "/lib/python312.zip/"  # where Pyodide mounts python_stdlib.zip
SITE_PACKAGES = "/lib/python3.12/site-packages/"
# Always in the boot stdlib, whatever one run recorded: Pyodide's own packages (its JavaScript
# side imports their modules on demand), what a traceback needs, json.
STDLIB_ALWAYS = (
    "pyodide/",
    "_pyodide/",
    "traceback.py",
    "linecache.py",
    "tokenize.py",
    "token.py",
    "hashlib.py",
    "json/",
)
# ...but for these, unless a run recorded them: imported only by code that asks for them (a
# console, HTTP from Python, json's command line, sysconfig's data), so lazy_rest brings them.
STDLIB_ON_DEMAND = ("pyodide/console.py", "pyodide/http.py", "json/tool.py", "_sysconfigdata_")
STDLIB_REST = "python_stdlib_rest.zip"
NUMPY_REST = "numpy_rest.zip"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _stem(member: str) -> str:
    """A zip member without .py/.pyc: how a recorded module file and a member are matched."""
    for suffix in (".pyc", ".py"):
        if member.endswith(suffix):
            return member[: -len(suffix)]
    return member


def record(kernel: Path, numpy_whl: Path) -> dict:
    """Runs FLOWS in Pyodide (full stdlib; numpy_whl, the full wheel as build.py stores it, installed
    as the worker does) and writes NEEDED; returns what it wrote."""
    run = subprocess.run(
        ["node", str(RUN_PYTHON), "--worker-install", "--wheel", str(numpy_whl), "--kernel", str(kernel), str(FLOWS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    out = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    if not out.get("ok"):
        raise RuntimeError(f"flows failed in Pyodide: {out.get('error') or run.stderr[-2000:]}")
    files = out["result"]

    def members(which: str, prefix: str, inside: str = "") -> list[str]:
        return sorted(
            {
                _stem(f[len(prefix) :])
                for f in files[which].values()
                if f.startswith(prefix) and f[len(prefix) :].startswith(inside)
            }
        )

    needed = {
        "_comment": "Written by `python -m deploy.trim record` (deploy/trim.py): module files "
        "(no .py/.pyc) the site imports before ready (boot) and in any flow (all).",
        "stdlib_boot": members("boot", STDLIB_PREFIX),
        "stdlib_all": members("all", STDLIB_PREFIX),
        "numpy_boot": members("boot", SITE_PACKAGES, "numpy/"),
        "numpy_all": members("all", SITE_PACKAGES, "numpy/"),
    }
    NEEDED.write_text(json.dumps(needed, indent=1) + "\n")
    return needed


def needed() -> dict:
    return json.loads(NEEDED.read_text())


def module_name(member: str) -> str | None:
    """The dotted module a zip member is ("json/__init__.py" -> "json"), or None for data files."""
    stem = _stem(member)
    if stem == member:
        if ".cpython-" not in member or not member.endswith(".so"):
            return None
        stem = member.split(".cpython-")[0]
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


def _write(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for info, data in entries:
            out = zipfile.ZipInfo(info.filename, info.date_time)
            out.external_attr = info.external_attr
            z.writestr(out, data)


def without_docs(source: bytes) -> bytes:
    """Python source without its docstrings and comments (ast.unparse), as `python -OO` runs it:
    about 45 % less to send of the boot stdlib once compressed. Source this Python cannot parse
    (newer syntax) is left as it is."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    return (ast.unparse(tree) + "\n").encode()


def split(src: Path, boot: Path, rest: Path, keep, shrink=lambda name, data: data) -> list[str]:
    """src (a zip) as two stored zips: the members for which keep(name) holds, each as
    shrink(name, data), and the others. Returns the dotted names of the modules in `rest` (what
    deploy/lazy_rest.py fetches it for)."""
    kept, left = [], []
    with zipfile.ZipFile(src) as z:
        for info in z.infolist():
            if info.is_dir():
                continue  # folder entries below: one without its __init__ would be a namespace package
            if keep(info.filename):
                kept.append((info, shrink(info.filename, z.read(info))))
            else:
                left.append((info, z.read(info)))
        for info in z.infolist():
            if info.is_dir():
                for part in (kept, left):
                    if any(i.filename.startswith(info.filename) for i, _ in part):
                        part.append((info, b""))
    _write(boot, kept)
    _write(rest, left)
    return sorted({name for info, _ in left if (name := module_name(info.filename))})


def stdlib_keep(member: str, wanted: set[str]) -> bool:
    return _stem(member) in wanted or (member.startswith(STDLIB_ALWAYS) and not member.startswith(STDLIB_ON_DEMAND))


def stdlib_shrink(member: str, data: bytes) -> bytes:
    """Docstrings and comments out of the boot stdlib's modules, Pyodide's own packages too
    (nothing reads their __doc__ but help(); C methods without one get an empty docstring:
    _pyodide/docstring.py)."""
    if member.endswith(".py"):
        return without_docs(data)
    return data


# Docstrings that numpy reads: multiarray.py's functions hand theirs to C functions
# (array_function_from_c_func_and_dispatcher; add_docstring refuses None).
NUMPY_KEEP_DOCS = {"numpy/_core/multiarray.py"}


def numpy_without_docs(wheel: Path, cache: Path) -> Path:
    """`wheel` (numpy's, as downloaded) with the docstrings and comments of every module taken out
    (without_docs; NUMPY_KEEP_DOCS left as they are): ~0.2 MB less to send once compiled and
    compressed. All of numpy, not only what the boot imports, as `python -OO` would: numpy copies
    docstrings between modules (numpy.ma's from numpy.lib's) and checks for None, so a module
    that kept its docstring beside one that lost it breaks on import. Cached in cache/trim/ under
    the hash of the wheel and this file."""
    import hashlib

    key = hashlib.sha256(wheel.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:24]
    target = cache / "trim" / f"numpy-{key}.whl"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        with zipfile.ZipFile(wheel) as zin, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                strip = info.filename.endswith(".py") and info.filename not in NUMPY_KEEP_DOCS
                zout.writestr(info, without_docs(data) if strip else data)
        part.replace(target)
    return target


def numpy_keep(member: str, wanted: set[str]) -> bool:
    """The numpy modules (extension modules included) the pad imports, and the dist-info."""
    return ".dist-info/" in member or _stem(member) in wanted


def add_lazy_rest(stdlib: Path, parts: dict) -> None:
    """Appends deploy/lazy_rest.py and its table of parts ({file: {sha256, target, modules}})
    to the trimmed stdlib zip, so the worker can `import lazy_rest` before anything else."""
    with zipfile.ZipFile(stdlib, "a", zipfile.ZIP_STORED) as z:
        for name, data in (
            ("lazy_rest.py", LAZY_REST.read_bytes()),
            ("lazy_rest.json", json.dumps(parts, sort_keys=True).encode()),
        ):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def trim_runtime(runtime: Path, numpy_name: str) -> dict:
    """In `runtime` (dist/pyodide/ being built): python_stdlib.zip cut down to what NEEDED says any
    flow imports and the numpy wheel to what boot imports, the rest of each beside them (STDLIB_REST, NUMPY_REST), and
    lazy_rest in the stdlib to fetch those. Returns the parts table lazy_rest reads."""
    want = needed()
    parts = {}
    for name, rest, target, keep, shrink in (
        (
            "python_stdlib.zip",
            STDLIB_REST,
            "path",
            # every stdlib module any flow imports (three more than boot, a few KB): training would
            # otherwise fetch the 0.9 MB rest for numpy.random's `secrets`
            lambda m, w=set(want["stdlib_all"]): stdlib_keep(m, w),
            stdlib_shrink,
        ),
        (
            numpy_name,
            NUMPY_REST,
            "site-packages",
            lambda m, w=set(want["numpy_boot"]): numpy_keep(m, w),
            lambda m, d: d,
        ),
    ):
        full = runtime / (name + ".full")
        (runtime / name).rename(full)
        modules = split(full, runtime / name, runtime / rest, keep, shrink)
        full.unlink()
        parts[rest] = {"sha256": _digest(runtime / rest), "target": target, "modules": modules}
    add_lazy_rest(runtime / "python_stdlib.zip", parts)
    return parts


def main(argv: list[str]) -> int:
    if argv[:1] != ["record"]:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    import build
    from deploy import layout
    from deploy.runtime import CACHE, numpy_wheel
    from deploy.wheel import wasm_kernel

    kernel = wasm_kernel(ROOT / "py" / "inkling" / "nn" / "sgemm.wat")
    got = record(kernel, build._compiled(numpy_wheel(), CACHE, layout.NUMPY_UNUSED))
    print(
        f"wrote {NEEDED.relative_to(ROOT)}: "
        + ", ".join(f"{k} {len(v)}" for k, v in got.items() if isinstance(v, list))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
