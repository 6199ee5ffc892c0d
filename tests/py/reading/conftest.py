"""Fixtures of the reading tests: `model`, the shipped CNN (weights/, or $INKLING_WEIGHTS)."""

import pytest
from prereq import require

import inkling


@pytest.fixture(scope="session")
def model():
    try:
        return inkling.load("cnn")
    except FileNotFoundError as e:
        require(False, f"shipped weights missing: {e}")
