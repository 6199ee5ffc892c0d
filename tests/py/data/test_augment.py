"""augment: seeded, vectorised warps of [N, 28, 28] batches."""

import numpy as np
import pytest

from inkling.data import mnist
from inkling.data.augment import AugmentConfig, augment, elastic_field, random_params, warp

STRONG = AugmentConfig(shift=2.5, rotate=15, scale=0.15, elastic_alpha=2.0, elastic_sigma=4.0, thickness=0.5)


@pytest.fixture(scope="module")
def digits():
    return mnist.load("test", normalized=False)[0][:64]


def with_margin(images, margin):
    """Only the digits whose ink stays `margin` pixels away from every border (shifts clip nothing)."""
    rows, cols = images.any(axis=2), images.any(axis=1)
    clear = ~rows[:, :margin].any(1) & ~rows[:, -margin:].any(1) & ~cols[:, :margin].any(1) & ~cols[:, -margin:].any(1)
    return images[clear]


def centre_of_mass(images):
    total = images.sum(axis=(1, 2))
    grid = np.arange(28)
    return np.stack([images.sum(2) @ grid / total, images.sum(1) @ grid / total], axis=1)


def plain(n, **overrides):
    """Parameters for n images that change nothing, with some overridden."""
    params = random_params(n, np.random.default_rng(0), AugmentConfig())
    params.update(overrides)
    return params


def test_same_generator_seed_gives_the_same_batch(digits):
    a = augment(digits, np.random.default_rng(7), STRONG)
    b = augment(digits, np.random.default_rng(7), STRONG)
    c = augment(digits, np.random.default_rng(8), STRONG)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_zero_strength_is_the_identity(digits):
    assert np.array_equal(augment(digits, np.random.default_rng(0), AugmentConfig()), digits)


def test_output_shape_dtype_and_range(digits):
    out = augment(digits, np.random.default_rng(1), STRONG)
    assert out.shape == digits.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.array_equal(out, digits)


def test_shift_moves_the_centre_of_mass_by_the_shift(digits):
    digits = with_margin(digits, 4)
    assert len(digits) >= 10
    shift = np.tile([[2.0, -3.0]], (len(digits), 1))
    moved = centre_of_mass(warp(digits, plain(len(digits), shift=shift)))
    assert np.allclose(moved - centre_of_mass(digits), [2.0, -3.0], atol=0.05)
    half = warp(digits, plain(len(digits), shift=np.full((len(digits), 2), 0.5)))
    assert np.allclose(centre_of_mass(half) - centre_of_mass(digits), 0.5, atol=0.05)


def test_random_shifts_move_each_digit_by_its_own_drawn_shift(digits):
    digits = with_margin(digits, 3)
    params = random_params(len(digits), np.random.default_rng(3), AugmentConfig(shift=2.0))
    moved = centre_of_mass(warp(digits, params))
    assert np.abs(params["shift"]).max() <= 2.0
    assert np.allclose(moved - centre_of_mass(digits), params["shift"], atol=0.1)


def test_rotation_by_90_degrees_turns_the_image_clockwise(digits):
    out = warp(digits, plain(len(digits), angle=np.full(len(digits), np.pi / 2)))
    assert np.allclose(out, np.rot90(digits, -1, axes=(1, 2)), atol=1e-5)


def test_scaling_spreads_the_ink(digits):
    def spread(images):
        com = centre_of_mass(images)[:, :, None, None]
        grid = np.indices((28, 28))[None]
        return (((grid - com) ** 2).sum(1) * images).sum((1, 2)) / images.sum((1, 2))

    bigger = warp(digits, plain(len(digits), scale=np.full(len(digits), 1.2)))
    ratio = spread(bigger) / spread(digits)
    assert np.median(ratio) > 1.3 and ratio.min() > 1.1  # 1.44 unless the border clips the digit


def test_elastic_field_is_smooth_with_the_requested_size():
    field = elastic_field(16, np.random.default_rng(0), alpha=2.0, sigma=4.0)
    assert field.shape == (16, 2, 28, 28)
    assert np.allclose(np.sqrt((field**2).mean(axis=(1, 2, 3))), 2.0, rtol=1e-3)
    neighbour_step = np.abs(np.diff(field, axis=-1)).mean()
    assert neighbour_step < 0.2 * np.abs(field).mean()  # smooth, not per-pixel noise


def test_thickness_adds_or_removes_ink(digits):
    n = len(digits)
    thicker = warp(digits, plain(n, thickness=np.full(n, 0.8)))
    thinner = warp(digits, plain(n, thickness=np.full(n, -0.8)))
    assert np.all(thicker.sum((1, 2)) > digits.sum((1, 2)))
    assert np.all(thinner.sum((1, 2)) < digits.sum((1, 2)))


def test_config_round_trips_through_a_dict():
    assert AugmentConfig(**STRONG.to_dict()) == STRONG
