"""pyproject.toml at the repository root: `pip install -e .` installs `inkling` (from py/) and the
commands inkling-train and inkling-evaluate; build.py's page wheel takes its name and version."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_the_commands_point_at_functions_that_exist():
    assert set(PROJECT["scripts"]) == {"inkling-train", "inkling-evaluate"}
    sys.path.insert(0, str(REPO / "py"))
    try:
        for target in PROJECT["scripts"].values():
            module, name = target.split(":")
            assert callable(getattr(importlib.import_module(module), name)), target
    finally:
        sys.path.remove(str(REPO / "py"))


def test_pip_install_editable_gives_the_package_and_its_commands(tmp_path):
    """A fresh virtual environment (seeing this Python's numpy): pip install -e . from the repo, then
    import inkling and run both commands from somewhere else."""
    venv.create(tmp_path / "env", with_pip=True, system_site_packages=True)
    bin_dir = tmp_path / "env" / "bin"
    run = subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", "-e", str(REPO)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    where = subprocess.run(
        [bin_dir / "python", "-c", "import inkling, inkling.lab; print(inkling.__file__)"],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert where.stdout.strip() == str(REPO / "py" / "inkling" / "__init__.py"), where.stderr
    for command in ("inkling-train", "inkling-evaluate"):
        usage = subprocess.run([bin_dir / command, "--help"], check=False, capture_output=True, text=True, cwd=tmp_path)
        assert usage.returncode == 0 and "usage:" in usage.stdout, usage.stderr


def test_the_page_wheel_is_named_from_it(tmp_path):
    sys.path.insert(0, str(REPO))
    try:
        from deploy.wheel import inkling_wheel
    finally:
        sys.path.remove(str(REPO))
    wheel = inkling_wheel(tmp_path)
    assert wheel.name == f"{PROJECT['name']}-{PROJECT['version']}-py3-none-any.whl"
