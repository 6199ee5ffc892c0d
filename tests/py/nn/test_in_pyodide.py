"""The engine's checks (tests/engine_checks.py) run again inside real Pyodide under Node 20:
every layer's gradient check with each matmul backend, conv against naive loops, einsum vs @,
the WebAssembly kernel against exact products, a float32 training step against float64.

Needs node, node_modules/pyodide and wabt (npm ci) and the Pyodide numpy wheel, found in this order:
$INKLING_NUMPY_WHEEL, .cache/wheels/<wheel>, or fetched by deploy/runtime.py's numpy_wheel().
Skips (with the reason) when any is missing.
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from engine_checks import FLOAT32_STEP_TOLERANCE, GRADIENT_CASES, GRADIENT_TOLERANCE, MATMUL_TOLERANCE
from prereq import require

from inkling.nn import ops

pytestmark = pytest.mark.pyodide

ROOT = Path(__file__).resolve().parents[3]
RUNNER = ROOT / "tests" / "pyodide" / "run_python.mjs"
WHEEL_NAME = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"


def _deploy(module: str):
    """deploy/<module>.py, the build's step (deploy/ is imported from the repository root)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"deploy.{module}")


def _numpy_wheel():
    if os.environ.get("INKLING_NUMPY_WHEEL"):
        return Path(os.environ["INKLING_NUMPY_WHEEL"])
    cached = ROOT / ".cache" / "wheels" / WHEEL_NAME
    if cached.exists():
        return cached
    try:
        wheel = _deploy("runtime").numpy_wheel()
    except Exception as error:  # e.g. offline with an empty cache: not this test's failure
        pytest.skip(f"numpy_wheel() (deploy/runtime.py) failed: {error}")
    return wheel


def _kernel():
    """The WebAssembly kernel, assembled as build.py does (deploy/wheel.py; needs node_modules/wabt)."""
    require((ROOT / "node_modules" / "wabt").is_dir(), "node_modules/wabt is missing (run npm ci)")
    return _deploy("wheel").wasm_kernel(ROOT / "py" / "inkling" / "nn" / "sgemm.wat")


def run_in_pyodide(script, timeout=300, kernel=None):
    """Run a Python file inside Pyodide, the numpy wheel installed and the WebAssembly kernel (or
    the file `kernel`) at hand, loaded by the scripts that ask for it; returns the runner's JSON
    ({"ok", "result", ...})."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "node_modules" / "pyodide" / "pyodide.mjs").exists():
        pytest.skip("node_modules/pyodide is missing (run npm install)")
    env = {k: v for k, v in os.environ.items() if k != ops.ENV_VAR}  # let Pyodide choose
    completed = subprocess.run(
        [node, str(RUNNER), "--wheel", str(_numpy_wheel()), "--kernel", str(kernel or _kernel()), str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = completed.stdout.strip().splitlines()
    assert lines, f"no output from the runner; stderr:\n{completed.stderr[-3000:]}"
    report = json.loads(lines[-1])
    assert report["ok"], f"{report.get('error')}\nstderr:\n{completed.stderr[-3000:]}"
    return report


@pytest.fixture(scope="module")
def engine_report():
    return run_in_pyodide(ROOT / "tests" / "pyodide" / "check_engine.py")["result"]


def test_runs_on_pyodide_numpy(engine_report):
    assert engine_report["platform"] == "emscripten"
    assert engine_report["numpy"] == "2.0.2"


def test_every_layer_gradient_passes_with_both_backends(engine_report):
    gradients = engine_report["gradients"]
    expected = {f"{b}:{name}" for b in ops.BACKENDS for name in GRADIENT_CASES}
    assert set(gradients) == expected
    bad = {
        case: errors
        for case, errors in gradients.items()
        if not errors or not all(e < GRADIENT_TOLERANCE for e in errors.values())
    }
    assert not bad, f"gradient checks failing in Pyodide: {bad}"


def test_conv_matches_naive_loops(engine_report):
    assert all(error < 1e-12 for error in engine_report["conv_reference"].values())


def test_einsum_agrees_with_operator(engine_report):
    assert engine_report["matmul_agreement"] < MATMUL_TOLERANCE


def test_einsum_is_chosen_without_blas(engine_report):
    # Pyodide's numpy has no BLAS, so einsum is used (about 2x faster there), with no timing.
    assert engine_report["auto_backend"] == "einsum"


def test_the_kernel_once_loaded_is_chosen(engine_report):
    assert engine_report["kernel_loaded"] is True
    assert engine_report["backend_with_kernel"] == "wasm"


def test_kernel_products_are_exact_to_float32(engine_report):
    # Every product the layers make, 93 edge shapes, transposed and strided views.
    assert engine_report["kernel_agreement"] < MATMUL_TOLERANCE


def test_a_float32_training_step_matches_float64_with_each_backend(engine_report):
    steps = engine_report["float32_step"]
    assert set(steps) == set(ops.BACKENDS)
    bad = {
        backend: errors
        for backend, errors in steps.items()
        if not all(error < FLOAT32_STEP_TOLERANCE for error in errors.values())
    }
    assert not bad, f"float32 steps off their float64 reference: {bad}"


def test_a_kernel_that_does_not_load_leaves_einsum_in_charge(tmp_path):
    """What a browser without WebAssembly SIMD meets (its compile fails): no error, einsum."""
    broken = tmp_path / "sgemm.so"
    broken.write_bytes(b"\0asm\1\0\0\0 not a module")
    script = tmp_path / "load.py"
    script.write_text(
        "import numpy as np\nfrom inkling.nn import ops\n"
        "loaded = ops.use_wasm_kernel()\n"
        "product = ops.matmul(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32))\n"
        "RESULT = [loaded, ops.backend(), product.tolist()]\n"
    )
    assert run_in_pyodide(script, kernel=broken)["result"] == [False, "einsum", [[3.0] * 4] * 2]
