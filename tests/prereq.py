"""Prerequisite checks shared by every test folder: `from prereq import require, in_ci`.

(tests/ is on sys.path through pytest.ini's pythonpath. Import these from here rather than
`from conftest import ...`: with several conftest.py files, which one `conftest` names depends
on collection order.)
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """CI sets CI=true: there a missing prerequisite is a failure, locally a skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(ok: bool, why: str) -> None:
    """Stop the current test when a prerequisite is missing: a failure in CI, a skip locally."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"prerequisite missing (CI): {why}", pytrace=False)
    pytest.skip(f"prerequisite missing: {why}")
