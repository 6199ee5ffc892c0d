#!/usr/bin/env python
"""Why the boot stdlib ships as .pyc: its bytes and Pyodide's boot time, as source and compiled.

    python bench/stdlib_pyc.py [--reps 3]

Makes the boot stdlib as build.py does (deploy/trim.py: the modules deploy/needed-modules.json
lists, docstrings and comments out) in three forms: source (.py, what Pyodide ships), .pyc with
3.12's full location tables, and .pyc with line numbers only (deploy/pycompile.mjs, what dist/
ships). Prints each one's size, brotli'd as the build does (quality 11), and, for the source and
the shipped .pyc, the time Pyodide 0.27.7 under Node takes to boot on it (`loadPyodide`, which
imports Pyodide's own modules and asyncio) and then to import every other boot module.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from deploy import layout, precompress, trim  # noqa: E402
from deploy.runtime import CACHE, PYODIDE_NPM  # noqa: E402

BOOT = """
import { readFileSync } from "node:fs";
const [stdLibURL, modules] = process.argv.slice(1);
const { loadPyodide } = await import(process.env.PYODIDE + "/pyodide.mjs");
const t0 = performance.now();
const py = await loadPyodide({ indexURL: process.env.PYODIDE + "/", stdLibURL });
const t1 = performance.now();
py.globals.set("MODULES", py.toPy(JSON.parse(readFileSync(modules, "utf8"))));
py.runPython("import importlib\\nfor m in MODULES: importlib.import_module(m)");
console.log(JSON.stringify({ load: (t1 - t0) / 1000, imports: (performance.now() - t1) / 1000 }));
"""


def brotli_size(path: Path) -> int:
    """`path` compressed as build.py compresses dist/'s files (deploy/precompress.py, cached)."""
    precompress.brotli_copies([path], CACHE)
    return path.with_name(path.name + ".br").stat().st_size


def boot(stdlib: Path, modules: Path) -> dict:
    run = subprocess.run(
        ["node", "--input-type=module", "-e", BOOT, str(stdlib), str(modules)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYODIDE": str(PYODIDE_NPM), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def full_tables(source: Path, out: Path) -> None:
    """`source`'s modules compiled as deploy/pycompile.mjs does, but keeping 3.12's full location tables."""
    script = (ROOT / "deploy" / "pycompile.mjs").read_text()
    here = 'path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")'
    if "lines_only(compile(" not in script or here not in script:
        raise SystemExit("deploy/pycompile.mjs changed: update full_tables")
    tmp = out.with_suffix(".mjs")
    tmp.write_text(script.replace("lines_only(compile(", "(compile(").replace(here, repr(str(ROOT))))
    subprocess.run(["node", str(tmp), str(source), str(out), trim.STDLIB_PREFIX.rstrip("/")], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    want = trim.needed()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "source.zip"
        trim.split(
            PYODIDE_NPM / "python_stdlib.zip",
            source,
            tmp / "rest.zip",
            lambda m, w=set(want["stdlib_all"]): trim.stdlib_keep(m, w),
            trim.stdlib_shrink,
        )
        shipped = layout.py_compiled(source, CACHE, prefix=trim.STDLIB_PREFIX.rstrip("/"))
        full_tables(source, tmp / "full.zip")
        with zipfile.ZipFile(source) as z:
            modules = sorted({n for m in z.namelist() if (n := trim.module_name(m)) and not n.startswith("_sysconfig")})
        (tmp / "modules.json").write_text(json.dumps(modules))
        print(f"boot stdlib: {len(modules)} modules")
        for label, path in (
            ("source (.py)", source),
            (".pyc, full location tables", tmp / "full.zip"),
            (".pyc, line numbers only (shipped)", shipped),
        ):
            print(f"  {label:<36} {path.stat().st_size:>10,} B, brotli {brotli_size(path):>9,} B")
        for label, path in (("source (.py)", source), (".pyc, line numbers only", shipped)):
            runs = [boot(path, tmp / "modules.json") for _ in range(args.reps)]
            load = statistics.median(r["load"] for r in runs)
            imports = statistics.median(r["imports"] for r in runs)
            print(
                f"  boot on {label:<26} loadPyodide {load:.2f} s, then the other imports {imports:.2f} s "
                f"(medians of {args.reps})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
