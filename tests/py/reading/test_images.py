"""inkling.reading.images: pictures -> ink (grey, ink colour, adaptive threshold, crop)."""

import numpy as np
import pytest
from shapes import glyph

from inkling.reading import images


def _digit_ink(h=200, w=160):
    return glyph(np.zeros((h, w), np.float32), "4", 30, 30, 100, 140, 12)


def _photo(ink, dark_ink=True, seed=0):
    """Paper (reflectance 0.9) and ink (0.25) lit unevenly: light falling off across the page
    and a soft shadow, so ink on the bright side is as light as paper in the shadow; noise."""
    rng = np.random.default_rng(seed)
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.35 + 0.65 * xx / w - 0.25 * np.exp(-((yy - h * 0.7) ** 2 + (xx - w * 0.2) ** 2) / (2 * 40.0**2))
    grey = np.clip(light, 0.1, 1) * (0.9 * (1 - ink) + 0.25 * ink) + rng.normal(0, 0.015, (h, w))
    return np.clip(grey if dark_ink else 1 - grey, 0, 1).astype(np.float32)


def _iou(a, b):
    return (a & b).sum() / max(1, (a | b).sum())


def test_grey_is_luma_of_opaque_pixels():
    rgba = np.array([[[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255, 255, 255, 255]]], np.uint8)
    np.testing.assert_allclose(images.rgba_to_grey(rgba)[0], [0.299, 0.587, 0.114, 1.0], atol=1e-3)


@pytest.mark.parametrize("ink_value, background", [(0, 1.0), (255, 0.0)])
def test_transparent_pixels_contrast_with_the_ink(ink_value, background):
    # A digit on a transparent background: black ink reads as on white paper, white ink as chalk.
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[4:6, 2:8] = [ink_value, ink_value, ink_value, 255]
    grey = images.rgba_to_grey(rgba)
    assert grey[0, 0] == pytest.approx(background)
    assert grey[5, 5] == pytest.approx(ink_value / 255)


def test_rgba_shape_is_checked():
    with pytest.raises(ValueError, match="RGBA"):
        images.rgba_to_grey(np.zeros((4, 4, 3), np.uint8))


def test_box_mean_matches_a_brute_force_window_mean():
    rng = np.random.default_rng(1)
    image = rng.random((13, 17)).astype(np.float32)
    r = 3
    expected = np.array(
        [[image[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1].mean() for x in range(17)] for y in range(13)]
    )
    np.testing.assert_allclose(images.box_mean(image, r), expected, rtol=1e-5)


@pytest.mark.parametrize("dark_ink", [True, False])
def test_photo_of_paper_with_shadow_gives_the_digit_and_its_colour(dark_ink):
    truth = _digit_ink() > 0.5
    ink, info = images.ink_from_grey(_photo(truth.astype(np.float32), dark_ink))
    assert info["dark_ink"] is dark_ink and not info["blank"]
    assert set(np.unique(ink)) <= {0.0, 1.0}
    assert _iou(ink > 0.5, truth) > 0.8
    # ...where no global threshold can: it keeps the shadow or loses the bright side's strokes.
    toward_ink = 1 - _photo(truth.astype(np.float32))  # the same for either colour
    assert max(_iou(toward_ink > t, truth) for t in np.linspace(0, 1, 101)) < 0.7


def test_blank_paper_photo_has_no_ink():
    ink, info = images.ink_from_grey(_photo(np.zeros((200, 160), np.float32)))
    assert info["blank"] and not ink.any()


def test_thin_faint_strokes_survive():
    truth = glyph(np.zeros((120, 120), np.float32), "7", 20, 20, 80, 80, 3) > 0.5
    grey = np.where(truth, 0.55, 0.8).astype(np.float32)  # pencil: low contrast
    ink, info = images.ink_from_grey(grey)
    assert not info["blank"] and _iou(ink > 0.5, truth) > 0.7


def test_ink_box_is_the_ink_with_a_margin():
    ink = np.zeros((100, 100), np.float32)
    ink[20:60, 30:50] = 1
    y0, x0, y1, x1 = images.ink_box(ink, margin=0.1)
    assert (y0, x0, y1, x1) == (16, 26, 64, 54)
    assert images.ink_box(np.zeros((5, 5))) is None
