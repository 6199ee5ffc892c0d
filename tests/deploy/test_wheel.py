"""deploy/wheel.py: the inkling wheel is complete, deterministic and importable; a kernel that does
not assemble is a BuildError naming it."""

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deploy import wheel
from deploy.errors import BuildError

REPO = Path(__file__).resolve().parents[2]


def test_inkling_wheel_is_complete_deterministic_and_importable(tmp_path):
    built = wheel.inkling_wheel(tmp_path)
    (tmp_path / "again").mkdir()
    assert wheel.inkling_wheel(tmp_path / "again").read_bytes() == built.read_bytes()
    with zipfile.ZipFile(built) as z:
        names = set(z.namelist())
        sources = {
            p.relative_to(REPO / "py").as_posix()
            for p in (REPO / "py" / "inkling").rglob("*.py")
            if "__pycache__" not in p.parts
        }
        # The training-data tools that need scikit-image stay out of what the page loads.
        assert set(wheel.CPYTHON_ONLY) <= sources and not set(wheel.CPYTHON_ONLY) & names
        sources -= set(wheel.CPYTHON_ONLY)
        kernels = {
            p.relative_to(REPO / "py").with_suffix(".so").as_posix() for p in (REPO / "py" / "inkling").rglob("*.wat")
        }
        assert kernels == {"inkling/nn/sgemm.so"}
        info = "inkling-0.1.0.dist-info"
        assert names == sources | kernels | {f"{info}/{n}" for n in ("METADATA", "WHEEL", "RECORD", "top_level.txt")}
        # An Emscripten side module: the wasm header, then the "dylink.0" section first of all.
        assert z.read("inkling/nn/sgemm.so")[:19] == b"\0asm\1\0\0\0\0\x0f\x08dylink.0"
        assert "Tag: py3-none-any" in z.read(f"{info}/WHEEL").decode()
        metadata = z.read(f"{info}/METADATA").decode()
        assert "Name: inkling\n" in metadata and "Version: 0.1.0\n" in metadata
        record = z.read(f"{info}/RECORD").decode().splitlines()
        assert len(record) == len(names)
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("RECORD"):
                continue
            data = z.read(path)
            assert int(size) == len(data)
            assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    run = subprocess.run(
        [sys.executable, "-c", "import inkling.worker.app, sys; print(inkling.worker.app.__file__)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(built)},
    )
    assert run.returncode == 0, run.stderr
    assert str(built) in run.stdout


def test_a_kernel_that_does_not_assemble_is_a_build_error_naming_it(tmp_path):
    wat = tmp_path / "broken.wat"
    wat.write_text('(module (func (export "f") (i32.add)))')  # adds nothing to nothing
    with pytest.raises(BuildError, match="cannot assemble broken.wat"):
        wheel.wasm_kernel(wat, cache=tmp_path)
    assert not list((tmp_path / "kernels").iterdir())  # no half-written file is kept
