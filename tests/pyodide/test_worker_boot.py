"""The worker's boot path in real Pyodide under Node 20 (tests/pyodide/worker_boot.mjs), on the
wheels and weights of the built dist/, as a first visit (plain boot, snapshot taken) and a second
(restored from it): web/worker/wheel-install.js installs the wheels without loadPackage,
numpy-in-snapshot.js brings numpy back from the snapshot and computes the same, a layout that
does not match is refused, and the snapshot holds every inkling and standard-library module the
boot imports before "ready" (one missing would be imported again at every warm load).
"""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from prereq import require

pytestmark = pytest.mark.pyodide

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


def node() -> str:
    path = shutil.which("node")
    require(path is not None, "node is not installed")
    return path


def run_boot(*args) -> dict:
    require((ROOT / "node_modules" / "pyodide" / "pyodide.mjs").exists(), "node_modules/pyodide (npm ci)")
    require((DIST / "index.html").exists(), "dist/ (python build.py)")
    run = subprocess.run(
        [node(), str(ROOT / "tests" / "pyodide" / "worker_boot.mjs"), str(DIST), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = run.stdout.strip().splitlines()
    assert lines, f"no output (exit {run.returncode}): {run.stderr[-2000:]}"
    result = json.loads(lines[-1])
    assert result["ok"], result.get("error")
    return result


@pytest.fixture(scope="module")
def boots():
    """A first visit's plain boot (which takes the snapshot) and a second visit's, restored from it."""
    return run_boot()


@pytest.fixture(params=["fresh", "restored"])
def boot(boots, request):
    return boots[request.param]


def test_wheels_installed_without_load_package_predict(boot):
    assert set(boot["installed"]) == {"numpy", "inkling"}
    assert boot["digit"] == 1, boot["probabilities"]  # one upright stroke
    assert abs(sum(boot["probabilities"]) - 1) < 1e-4


def test_the_second_boot_restores_numpy_from_the_snapshot(boots):
    assert boots["snapshot_bytes"] > 20_000_000  # the heap with numpy imported
    assert (boots["fresh"]["restored"], boots["restored"]["restored"]) == (False, True), boots["warnings"]
    assert boots["warnings"] == []


def test_restored_numpy_computes_what_a_fresh_one_does(boots):
    """numpy's extension modules are re-instantiated at their old places: every call must agree
    with the plain boot, with CPython, and reading the pad gives the same probabilities."""

    fresh, restored = boots["fresh"], boots["restored"]
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    expected = [
        float((a @ a.T).sum()),
        float(np.einsum("ij,kj->ik", a, a).sum()),
        float(np.linalg.inv(np.eye(3) * 4)[1, 1]),
        "np.float64(1.5)",
        "[1.25 2.5 ]",
        1.0,
    ]
    assert fresh["numpy"] == restored["numpy"] == expected
    assert fresh["probabilities"] == restored["probabilities"]
    np.testing.assert_allclose(restored["later_draws"], np.random.default_rng(0).random(3), rtol=1e-12)


def test_once_ready_the_kernel_loads_from_the_wheel_and_reads_the_same(boots):
    """Fresh and restored: the kernel is not in the snapshot, it loads after it, from the wheel."""
    for name in ("fresh", "restored"):
        boot = boots[name]
        kernel = boot["kernel"]
        assert (kernel["loaded"], kernel["backend"]) == (True, "wasm"), name
        np.testing.assert_allclose(kernel["probabilities"], boot["probabilities"], atol=1e-5)


def test_a_layout_that_does_not_match_is_refused_and_the_boot_goes_the_plain_way():
    tampered = run_boot("--tamper")
    assert tampered["restored"]["restored"] is False
    assert any("numpy does not restore: the GOT" in w for w in tampered["warnings"]), tampered["warnings"]
    assert tampered["restored"]["digit"] == 1


def test_a_restored_boot_imports_nothing_before_ready(boots):
    """The snapshot is taken once the boot is done (runtime-snapshot.js's done()): a restored boot
    finds inkling.worker.app imported and the default model loaded."""
    late = boots["restored"]["late_imports"]
    assert late == [], "the snapshot lacks modules the boot imports before ready: " + ", ".join(late)
    assert (boots["fresh"]["models_at_boot"], boots["restored"]["models_at_boot"]) == (0, 1)


def test_the_boot_loads_only_the_extension_modules_installed_up_front(boot):
    """The boot loads BOOT_EXTENSIONS (wheel-install.js); reading the pad must need no other (it
    would be compiled synchronously inside `import numpy`), and the rest still load when imported."""
    dynlibs = boot["dynlibs"]
    boot_extensions = (
        "numpy/_core/_multiarray_umath.",
        "numpy/_core/_multiarray_tests.",
        "numpy/linalg/_umath_linalg.",
    )
    assert [any(name.startswith(p) for p in boot_extensions) for name in dynlibs["ready"]] == [True] * 3, (
        "the boot loaded other extension modules than BOOT_EXTENSIONS (web/worker/wheel-install.js): "
        + ", ".join(dynlibs["ready"])
    )
    later = set(dynlibs["later"]) - set(dynlibs["ready"])
    assert any(name.startswith("numpy/random/_generator.") for name in later), later
    assert any(name.startswith("numpy/fft/") for name in later), later
    np.testing.assert_allclose(boot["later_draws"], np.random.default_rng(0).random(3), rtol=1e-12)


def read_with_stored_members(zip_path: Path) -> dict:
    """web/worker/wheel-install.js's storedMembers on a zip file, under Node: {name: text} or {error}."""
    script = f"""
import {{ readFileSync }} from "node:fs";
import {{ storedMembers }} from {json.dumps(str(ROOT / "web" / "worker" / "wheel-install.js"))};
try {{
  const members = storedMembers(new Uint8Array(readFileSync({json.dumps(str(zip_path))})));
  console.log(JSON.stringify(Object.fromEntries(members.map((m) => [m.name, new TextDecoder().decode(m.data)]))));
}} catch (e) {{ console.log(JSON.stringify({{ error: e.message }})); }}
"""
    run = subprocess.run([node(), "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_stored_members_reads_each_file_and_refuses_what_it_cannot_read(tmp_path):
    import zipfile

    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as z:
        z.writestr("pkg/__init__.py", "x = 1\n")
        z.writestr("pkg/data/é.txt", "é" * 3)
        z.comment = b"a comment moves the end record"
    assert read_with_stored_members(stored) == {"pkg/__init__.py": "x = 1\n", "pkg/data/é.txt": "ééé"}

    deflated = tmp_path / "deflated.zip"
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("pkg/__init__.py", "x = 1\n" * 100)
    assert "compressed" in read_with_stored_members(deflated)["error"]

    (tmp_path / "not.zip").write_bytes(b"PK" + bytes(100))
    assert "not a zip file" in read_with_stored_members(tmp_path / "not.zip")["error"]


def test_pack_leaves_out_zero_blocks_and_unpack_puts_them_back():
    """runtime-snapshot.js's stored form: header + the blocks that are not all zeros."""
    script = f"""
import {{ pack, unpack }} from {json.dumps(str(ROOT / "web" / "worker" / "runtime-snapshot.js"))};
const heap = new Uint8Array(10 * 4096 + 100);          // 10 blocks and a short tail
heap[5] = 1; heap[3 * 4096 + 4095] = 2; heap[4 * 4096] = 3; heap[9 * 4096 + 7] = 4; heap[10 * 4096 + 99] = 5;
const stored = new Uint8Array(await pack({{ got: "x" }}, heap).arrayBuffer());
const {{ layout, snapshot }} = unpack(stored);
const same = snapshot.length === heap.length && snapshot.every((v, i) => v === heap[i]);
let truncated = null;
try {{ unpack(stored.subarray(0, stored.length - 1)); }} catch (e) {{ truncated = e.message; }}
console.log(JSON.stringify({{ layout, same, size: stored.length, truncated }}));
"""
    run = subprocess.run([node(), "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["layout"] == {"got": "x"} and result["same"]
    assert result["size"] < 6 * 4096 + 100 + 512  # blocks 0, 3, 4, 9 and the tail, plus the header
    assert "header says" in result["truncated"]


def test_the_snapshot_is_kept_per_runtime_app_and_weights_build():
    """A new numpy (runtime folder), inkling (app folder) or model (weights folder) must never meet an
    old snapshot: it holds their modules and the loaded default model. runtime-snapshot.js's
    snapshotPlace names the cache after all three."""
    script = f"""
import {{ snapshotPlace }} from {json.dumps(str(ROOT / "web" / "worker" / "runtime-snapshot.js"))};
const site = "https://example.org/inkling/";
const places = [["pyodide-a/", "app-1/", "weights-x/"], ["pyodide-a/", "app-2/", "weights-x/"],
                ["pyodide-b/", "app-1/", "weights-x/"], ["pyodide-a/", "app-1/", "weights-y/"]]
  .map((folders) => snapshotPlace(...folders.map((f) => new URL(f, site))));
console.log(JSON.stringify(places));
"""
    run = subprocess.run([node(), "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    places = json.loads(run.stdout.strip().splitlines()[-1])
    assert [p["cache"] for p in places] == [
        "pyodide-snapshot-pyodide-a-app-1-weights-x",
        "pyodide-snapshot-pyodide-a-app-2-weights-x",
        "pyodide-snapshot-pyodide-b-app-1-weights-x",
        "pyodide-snapshot-pyodide-a-app-1-weights-y",
    ]
