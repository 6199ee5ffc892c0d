"""Pad pixels -> the model's 28x28 input, the way MNIST was made.

LeCun et al. built MNIST from NIST by (1) fitting each digit's bounding box into 20x20 keeping
the aspect ratio, with anti-aliasing, then (2) placing it in a 28x28 field so that its centre of
mass lands on the centre. `normalize_digit` does exactly that, and the training data passes
through the same function (`normalize_mnist_cached`), so what the model sees when trained and
when used in the browser is framed the same way, whatever size or place the user drew at.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from inkling import REPO_ROOT

PREPROCESS_VERSION = 1  # bump whenever the output of normalize_digit changes: it keys the cache
INK_THRESHOLD = 0.05  # pixels at or below this are background (anti-aliasing haze, stray alpha)
BOX = 20  # the longer side of the digit, in output pixels (as in MNIST)
SIZE = 28  # the output field


def box_resample_matrix(n_in: int, scale: float) -> np.ndarray:
    """R [ceil(n_in * scale), n_in]: exact box-filter resampling of n_in pixels stretched by `scale`.

    Input pixel j covers [j, j + 1) * scale in output coordinates and R[i, j] is its overlap with
    output pixel [i, i + 1): area averaging when shrinking (anti-aliased), box replication when
    growing. Rows sum to 1 except a partly covered last row, so a stroke 1.7 px wide becomes a
    full column plus a 0.7 grey one instead of being rounded to 2 px, and no ink is invented.
    """
    n_out = max(1, int(np.ceil(n_in * scale - 1e-6)))  # tolerance: 20 / n * n may be 20.000...04
    i = np.arange(n_out)[:, None]
    lo = np.arange(n_in)[None, :] * scale
    return np.clip(np.minimum(i + 1, lo + scale) - np.maximum(i, lo), 0.0, None)


def normalize_digit(ink: np.ndarray) -> np.ndarray | None:
    """ink float [H, W] in [0, 1] (ink = 1) -> float32 [28, 28] framed like MNIST, or None if empty.

    Crop to the ink's bounding box, scale the longer side to 20 px keeping the aspect ratio
    (exact box filter: Ry @ crop @ Rx.T), then shift by whole pixels so the centre of mass sits
    at the centre of the 28x28 field, clipping whatever would fall outside.
    """
    ink = np.clip(np.asarray(ink, dtype=np.float32), 0.0, 1.0)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D ink array [H, W], got shape {ink.shape}")
    mask = ink > INK_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None  # nothing drawn: never guess a digit
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    ry = box_resample_matrix(h, scale).astype(np.float32)
    rx = box_resample_matrix(w, scale).astype(np.float32)
    digit = ry @ crop @ rx.T  # [out_h, out_w], longer side 20
    out_h, out_w = digit.shape

    # Whole-pixel shift putting the centre of mass on pixel 14 (0-based): MNIST's own images have
    # their centre of mass in [13.5, 14.5] on both axes, i.e. they were rounded onto pixel 14.
    total = digit.sum()
    com_y = (digit.sum(axis=1) @ np.arange(out_h)) / total
    com_x = (digit.sum(axis=0) @ np.arange(out_w)) / total
    top, left = int(np.floor(14.5 - com_y)), int(np.floor(14.5 - com_x))
    field = np.zeros((SIZE, SIZE), dtype=np.float32)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + out_h, SIZE), min(left + out_w, SIZE)
    if y1 > y0 and x1 > x0:
        field[y0:y1, x0:x1] = digit[y0 - top : y1 - top, x0 - left : x1 - left]
    return np.clip(field, 0.0, 1.0)


def normalize_batch(images: np.ndarray) -> np.ndarray:
    """images [N, H, W] (uint8 0..255 or float in [0, 1]) -> float32 [N, 28, 28]; empty -> zeros."""
    images = np.asarray(images)
    as_float = (
        (lambda im: im.astype(np.float32) / 255.0) if images.dtype == np.uint8 else (lambda im: im.astype(np.float32))
    )
    out = np.zeros((len(images), SIZE, SIZE), dtype=np.float32)
    for i, image in enumerate(images):
        digit = normalize_digit(as_float(image))
        if digit is not None:
            out[i] = digit
    return out


def cache_dir() -> Path:
    """Where normalised datasets are cached: $INKLING_CACHE_DIR, else <repo>/.cache."""
    override = os.environ.get("INKLING_CACHE_DIR")
    return Path(override) if override else REPO_ROOT / ".cache"


def cached_array(path: Path, stale: str, make, expected: tuple) -> np.ndarray:
    """The array stored at `path` if it has the expected (shape, dtype), else make()'s, stored there;
    other files in its folder matching the glob `stale` (older versions) are deleted."""
    if path.is_file():
        cached = np.load(path, allow_pickle=False)
        if (cached.shape, cached.dtype) == expected:
            return cached
    array = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, array, allow_pickle=False)
    os.replace(tmp, path)  # atomic: parallel runs never read a half-written cache
    for old in path.parent.glob(stale):
        if old != path:  # made from older sources: never read again
            old.unlink(missing_ok=True)
    return array


def normalize_mnist_cached(images: np.ndarray, data_sha256: str) -> np.ndarray:
    """normalize_batch(images), cached as .npy keyed by the raw data's sha256 and PREPROCESS_VERSION."""
    # The key also hashes this file's source, so editing the function can never reuse a stale cache.
    source_sha = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    path = cache_dir() / f"mnist-{data_sha256[:16]}-v{PREPROCESS_VERSION}-{source_sha}.npy"
    expected = ((len(images), SIZE, SIZE), np.dtype(np.float32))
    return cached_array(path, f"mnist-{data_sha256[:16]}-v*.npy", lambda: normalize_batch(images), expected)
