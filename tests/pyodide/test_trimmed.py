"""Every flow of the page (tests/pyodide/flows.py) on the trimmed build dist/ ships: its
standard library and numpy wheel cut to what boot imports (deploy/trim.py), the rest fetched by
lazy_rest on first import. Nothing the pad needs may be missing from the boot files (a first
visit would fetch the rest zips before "ready"), and every other flow must still work."""

import json
import subprocess
from pathlib import Path

import pytest
from prereq import require

pytestmark = pytest.mark.pyodide

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


@pytest.fixture(scope="module")
def run():
    require((ROOT / "node_modules" / "pyodide" / "pyodide.mjs").exists(), "node_modules/pyodide (npm ci)")
    require((DIST / "build-info.js").exists(), "dist/ (python build.py)")
    import sys

    sys.path.insert(0, str(ROOT))
    from deploy import trim
    from deploy.runtime import NUMPY_WHEEL
    from deploy.wheel import wasm_kernel

    runtime = next(DIST.glob("pyodide-*/"))
    kernel = wasm_kernel(ROOT / "py" / "inkling" / "nn" / "sgemm.wat")
    out = subprocess.run(
        [
            "node",
            str(trim.RUN_PYTHON),
            "--index",
            str(runtime),
            "--worker-install",
            "--wheel",
            str(runtime / NUMPY_WHEEL),
            "--kernel",
            str(kernel),
            str(trim.FLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    lines = out.stdout.strip().splitlines()
    assert lines, f"no output (exit {out.returncode}): {out.stderr[-2000:]}"
    result = json.loads(lines[-1])
    assert result["ok"], result.get("error")
    return result["result"]


def test_the_pad_needs_nothing_from_the_rest(run):
    assert run["fetched"]["boot"] == []
    assert run["steps"]["predict"] == 1 and run["steps"]["kernel"] is True
    assert run["steps"]["number"] == "11" and len(run["steps"]["refused"]) == 2
    assert run["steps"]["strokes"] == 1 and run["steps"]["stroke_number"] == "111"
    assert run["steps"]["stroke_why"], "the Why of a number's digit, from strokes"


def test_every_other_flow_works_fetching_the_rest_on_first_import(run):
    steps = run["steps"]
    assert steps["picture"] == 1 and steps["mlp"] == 1
    assert steps["imported"] == "mlp-2" and steps["stored"] == "stored-mlp"
    assert steps["trained-mlp"].startswith("my-mlp-") and steps["trained-cnn"].startswith("my-cnn-")
    assert steps["report-mlp"] == steps["report-cnn"] == 10000
    assert steps["tuned"].endswith("-tuned-1")
    assert steps["median"] == 2.0  # numpy.ma imported: every numpy module trimmed alike
    assert "numpy_rest.zip" in run["fetched"]["all"]  # training needs numpy.random
    files = run["all"].values()
    assert any("/site-packages/numpy/random/" in f for f in files)
