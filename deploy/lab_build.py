"""The Lab's part of dist/ (issue 18), written by build.py; none of it is fetched or precached
before the Lab is opened (offline.NOT_PRECACHED leaves lab/ and lab-worker/ out).

- dist/lab/codemirror.js: CodeMirror 6 (editor, Python mode) bundled from node_modules by the
  pinned esbuild, from deploy/codemirror-entry.js: the browser cannot resolve npm's bare imports.
- dist/lab-worker/inkling-<version>-py3-none-any.whl: the inkling wheel with its .py sources
  (the page's wheel holds .pyc only), so the Lab's code view reads the installed layers with
  `inspect`; members stored, as wheel-install.js needs.
- dist/lab-worker/lab-lock.json: what the Lab worker installs (numpy from the runtime's folder,
  that wheel), each with its sha256, in the form wheel-install.fetchWheels reads.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from deploy import layout

ROOT = Path(__file__).resolve().parents[1]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
EDITOR_ENTRY = ROOT / "deploy" / "codemirror-entry.js"


def bundle_editor(dest: Path) -> None:
    """CodeMirror into dest (one ES module, minified, no licence comments kept inline: they are
    in node_modules' packages, MIT)."""
    if not ESBUILD.is_file():
        raise RuntimeError(f"{ESBUILD} is missing: run npm ci")
    run = subprocess.run(
        [
            str(ESBUILD),
            str(EDITOR_ENTRY),
            "--bundle",
            "--format=esm",
            "--minify",
            "--legal-comments=none",
            "--log-level=warning",
            f"--outfile={dest}",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    if run.returncode:
        raise RuntimeError(f"esbuild failed on {EDITOR_ENTRY.name}: {run.stderr.strip()[-800:]}")


def write_lab(dist: Path, pyodide_dir: str, numpy_wheel: str, source_wheel: Path) -> None:
    """dist/lab/codemirror.js, and the lab worker's source wheel and lock file."""
    bundle_editor(dist / "lab" / "codemirror.js")
    folder = dist / "lab-worker"
    wheel = folder / source_wheel.name
    layout.stored_zip(source_wheel, wheel)
    numpy = dist / pyodide_dir / numpy_wheel
    lock = {
        "packages": {
            "numpy": {"file_name": f"../{pyodide_dir}{numpy_wheel}", "sha256": layout.sha256(numpy)},
            "inkling": {"file_name": wheel.name, "sha256": layout.sha256(wheel)},
        }
    }
    (folder / "lab-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
