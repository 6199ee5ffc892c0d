"""Inkling: handwritten-digit models in plain NumPy.

`inkling.load("mlp")` returns a shipped model ready to predict. Imports stay light (the web
worker imports this package at start-up): submodules load only when first used.
"""

from __future__ import annotations

import os
from pathlib import Path

__version__ = "0.1.0"

SHIPPED_MODELS = ("mlp", "cnn")
# The checkout this package sits in (py/inkling -> ..): weights/, node_modules/ and .cache/ live there.
REPO_ROOT = Path(__file__).resolve().parents[2]


def weights_dir() -> Path:
    """Where shipped weights live: $INKLING_WEIGHTS, else the repo's weights/ folder."""
    override = os.environ.get("INKLING_WEIGHTS")
    return Path(override) if override else REPO_ROOT / "weights"


def load(name_or_path, model: str | None = None):
    """A `Sequential` ready to predict, every weight file checked against its manifest.

    name_or_path: a shipped model's name ("mlp", "cnn"), looked up in weights_dir(); or a path to a
    manifest.json, to the folder holding one, or to a .zip export (weights.to_zip, the page's
    Export button). model: which entry of that manifest to load (default: the shipped name, or
    the manifest's only model). Raises weights.WeightsError.
    """
    from inkling.nn import weights

    if isinstance(name_or_path, str) and name_or_path in SHIPPED_MODELS:  # "./mlp" for a folder
        return weights.load(weights_dir(), model or name_or_path)
    return weights.load(name_or_path, model)
