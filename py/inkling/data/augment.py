"""Seeded, on-the-fly data augmentation for [N, 28, 28] batches, vectorised over the batch.

Each image gets its own random affine warp (shift, rotation, scaling) plus a Simard-style elastic
distortion (Simard, Steinkraus & Platt 2003: a random displacement field smoothed by a Gaussian),
all applied in a single bilinear resampling, and optionally a random stroke-thickness change.
Everything random comes from the np.random.Generator passed in, so a seed fixes the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

SIZE = 28
CENTRE = (SIZE - 1) / 2  # rotate and scale about the middle of the field


@dataclass(frozen=True)
class AugmentConfig:
    """Strengths; each random draw is uniform in [-strength, +strength]. All zero = identity."""

    shift: float = 0.0  # pixels, each axis
    rotate: float = 0.0  # degrees
    scale: float = 0.0  # relative: 0.1 -> factor in [0.9, 1.1]
    elastic_alpha: float = 0.0  # displacement magnitude in pixels (after smoothing, see below)
    elastic_sigma: float = 4.0  # Gaussian smoothing of the displacement field, in pixels
    thickness: float = 0.0  # stroke change in [-1, 1]: +1 = one full 3x3 dilation

    def to_dict(self) -> dict:
        return asdict(self)


def gaussian_blur_matrix(size: int, sigma: float) -> np.ndarray:
    """G [size, size] such that G @ field @ G.T is a Gaussian blur (zero padding, rows normalised)."""
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]
    g = np.exp(-0.5 * (offsets / sigma) ** 2)
    return (g / g.sum(axis=1, keepdims=True)).astype(np.float32)


def elastic_field(n: int, rng: np.random.Generator, alpha: float, sigma: float) -> np.ndarray:
    """Displacements float32 [n, 2, 28, 28] (dy, dx): uniform noise, Gaussian-smoothed, rescaled.

    Simard scales the smoothed field by alpha directly; smoothing shrinks it by a factor that depends
    on sigma, so here each field is normalised to unit RMS first and alpha is the RMS in pixels.
    """
    noise = rng.random((n, 2, SIZE, SIZE), dtype=np.float32) * 2 - 1  # uniform in [-1, 1)
    g = gaussian_blur_matrix(SIZE, sigma)
    smooth = g @ noise @ g.T  # blurs rows and columns of every field at once
    rms = np.sqrt((smooth**2).mean(axis=(1, 2, 3), keepdims=True)) + 1e-8
    return (alpha * smooth / rms).astype(np.float32)


def random_params(n: int, rng: np.random.Generator, config: AugmentConfig) -> dict[str, np.ndarray]:
    """Draw per-image parameters: shift [n, 2] (dy, dx), angle [n] (radians), scale [n],
    displacement [n, 2, 28, 28] or None, thickness [n] or None. Draw order is fixed (determinism)."""
    c = config
    params = {
        "shift": rng.uniform(-c.shift, c.shift, size=(n, 2)),
        "angle": np.deg2rad(rng.uniform(-c.rotate, c.rotate, size=n)),
        "scale": 1.0 + rng.uniform(-c.scale, c.scale, size=n),
        "displacement": None,
        "thickness": None,
    }
    if c.elastic_alpha > 0:
        params["displacement"] = elastic_field(n, rng, c.elastic_alpha, c.elastic_sigma)
    if c.thickness > 0:
        params["thickness"] = rng.uniform(-c.thickness, c.thickness, size=n)
    return params


def bilinear_sample(images: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """images [N, H, W], sample coordinates ys, xs [N, H, W] (pixel indices, float) -> [N, H, W].

    Points outside the image read as 0 (background), so warped digits fade out at the border.
    """
    n, h, w = images.shape
    padded = np.zeros((n, h + 2, w + 2), dtype=np.float32)  # a ring of zeros for outside reads
    padded[:, 1:-1, 1:-1] = images
    flat = padded.reshape(-1)
    ys = np.clip(ys + 1, 0, h + 0.999, dtype=np.float32)  # +1: into padded coordinates
    xs = np.clip(xs + 1, 0, w + 0.999, dtype=np.float32)
    y0, x0 = np.floor(ys), np.floor(xs)
    fy, fx = ys - y0, xs - x0
    stride = w + 2
    # One flat index per sample into the whole padded batch: take() is the fastest gather.
    base = (
        (np.arange(n, dtype=np.intp) * (h + 2) * stride)[:, None, None]
        + y0.astype(np.intp) * stride
        + x0.astype(np.intp)
    )
    top = flat.take(base) * (1 - fx) + flat.take(base + 1) * fx
    bottom = flat.take(base + stride) * (1 - fx) + flat.take(base + stride + 1) * fx
    return top * (1 - fy) + bottom * fy


def change_thickness(images: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Blend each image towards its 3x3 grey dilation (amount > 0) or erosion (amount < 0).

    images [N, 28, 28], amount [N] in [-1, 1]: a cheap stand-in for pens of different widths.
    """
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    windows = [padded[:, dy : dy + SIZE, dx : dx + SIZE] for dy in range(3) for dx in range(3)]
    target = np.where(amount[:, None, None] > 0, np.maximum.reduce(windows), np.minimum.reduce(windows))
    a = np.abs(amount)[:, None, None].astype(np.float32)
    return images + a * (target - images)


def warp(images: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    """Apply given per-image parameters (see random_params) to images [N, 28, 28] -> float32 [N, 28, 28].

    Inverse mapping: output pixel p reads the input at centre + A^-1 (p - centre - shift) + displacement,
    where A = scale * rotation(angle); so a positive shift moves the digit down / right.
    """
    images = np.asarray(images, dtype=np.float32)
    n = images.shape[0]
    grid_y, grid_x = np.meshgrid(np.arange(SIZE, dtype=np.float32), np.arange(SIZE, dtype=np.float32), indexing="ij")
    shift = np.asarray(params["shift"], dtype=np.float32)  # float32 throughout: half the memory
    py = grid_y[None] - CENTRE - shift[:, 0, None, None]  # [N, 28, 28]
    px = grid_x[None] - CENTRE - shift[:, 1, None, None]
    cos = (np.cos(params["angle"]) / params["scale"]).astype(np.float32)[:, None, None]
    sin = (np.sin(params["angle"]) / params["scale"]).astype(np.float32)[:, None, None]
    ys = CENTRE + cos * py - sin * px  # rotation by -angle, then 1/scale
    xs = CENTRE + sin * py + cos * px
    if params.get("displacement") is not None:
        ys = ys + params["displacement"][:, 0]
        xs = xs + params["displacement"][:, 1]
    out = bilinear_sample(images, ys, xs)
    if params.get("thickness") is not None:
        out = change_thickness(out, params["thickness"])
    assert out.shape == (n, SIZE, SIZE)
    return np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)


def augment(images: np.ndarray, rng: np.random.Generator, config: AugmentConfig) -> np.ndarray:
    """A randomly warped copy of images [N, 28, 28]; deterministic for a given generator state."""
    return warp(images, random_params(len(images), rng, config))
