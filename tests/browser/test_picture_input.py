"""Pictures in: file picker, drag-and-drop and paste; PNG, JPEG, WebP, GIF and BMP; any size
(scaled to <= 560 px before Python sees it); dark or light ink; uneven light; the crop shown;
and drawing on the pad afterwards goes back to the pad.

(Named test_picture_input.py, not test_images.py: tests/py/reading/test_images.py exists and pytest
cannot collect two test modules of the same name without packages.)
"""

from __future__ import annotations

import harness
import numpy as np
import pictures as P
import pytest

FORMATS = [
    ("PNG", "digit.png", {}),
    ("JPEG", "digit.jpg", {"quality": 90}),
    ("WEBP", "digit.webp", {"quality": 90}),
    ("GIF", "digit.gif", {}),
    ("BMP", "digit.bmp", {}),
]


@pytest.fixture(scope="module")
def page(chromium, net_guard, site):
    return P.shared_app(chromium, net_guard, site)


@pytest.fixture(scope="module")
def mnist(mnist_test_raw):
    return mnist_test_raw


def _read(page, data, name, mime, how=P.upload):
    before = P.seq(page, P.NUMBER)
    how(page, data, name, mime)
    return P.wait_picture_read(page, before)


@pytest.mark.parametrize("fmt, name, options", FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format_through_the_file_picker(page, mnist, fmt, name, options):
    images, labels = mnist
    P.reset(page)
    digit = {"PNG": 2, "JPEG": 3, "WEBP": 4, "GIF": 5, "BMP": 7}[fmt]
    ink, _ = P.mnist_digit(images, labels, digit)
    state = _read(page, P.encode(P.paper(ink), fmt, **options), name, P.MIME[fmt])
    assert state["digit"] == str(digit), state
    assert state["number"] == str(digit) and not state["numberVisible"]
    assert state["picture"] and name in state["picture"]["caption"]
    assert "dark ink on a light background" in state["picture"]["caption"]
    assert state["message"] == ""


def test_a_large_photo_is_scaled_down_before_python(page, mnist):
    images, labels = mnist
    P.reset(page)
    ink, _ = P.mnist_digit(images, labels, 6, height=1800)
    rgb = P.paper(ink, margin=600, light=(0.55, 1.0))  # ~3000 x 3000, uneven light
    assert max(rgb.shape) > 2500
    state = _read(page, P.encode(rgb, "JPEG", quality=85), "big.jpg", "image/jpeg")
    assert state["digit"] == "6", state
    w, h = int(state["picture"]["width"]), int(state["picture"]["height"])
    assert max(w, h) == 560 and abs(w / h - rgb.shape[1] / rgb.shape[0]) < 0.01


def test_light_ink_on_a_dark_background(page, mnist):
    images, labels = mnist
    P.reset(page)
    ink, _ = P.mnist_digit(images, labels, 9)
    state = _read(page, P.encode(P.paper(ink, dark_ink=False), "PNG"), "chalk.png", "image/png")
    assert state["digit"] == "9", state
    assert "light ink on a dark background" in state["picture"]["caption"]


def test_photo_of_paper_with_uneven_light_and_a_number(page, mnist):
    images, labels = mnist
    P.reset(page)
    bench = P.bench_module()
    rng = np.random.default_rng(11)
    ink, text = bench.make_number(rng, images, labels)
    rgba = bench.as_photo(rng, ink)  # gradient, shadow, noise
    state = _read(page, P.encode(rgba[..., :3], "JPEG", quality=88), "photo.jpg", "image/jpeg")
    assert state["number"] == text and state["numberVisible"], state
    assert len(state["confidence"].split(",")) == 4


def test_drop_and_paste(page, mnist):
    images, labels = mnist
    P.reset(page)
    ink, _ = P.mnist_digit(images, labels, 8)
    data = P.encode(P.paper(ink), "PNG")
    assert _read(page, data, "dropped.png", "image/png", how=P.drop)["digit"] == "8"
    ink, _ = P.mnist_digit(images, labels, 1)
    data = P.encode(P.paper(ink), "PNG")
    state = _read(page, data, "image.png", "image/png", how=P.paste)
    assert state["digit"] == "1" and state["picture"], state


def test_the_crop_is_shown_and_drawing_goes_back_to_the_pad(page, mnist):
    images, labels = mnist
    P.reset(page)
    ink, _ = P.mnist_digit(images, labels, 0)
    _read(page, P.encode(P.paper(ink, margin=200), "PNG"), "zero.png", "image/png")
    crop = page.evaluate("""() => { const c = document.querySelector('.picture-crop');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0; for (let i = 0; i < d.length; i += 4) dark += d[i] < 100;
        return {w: c.width, h: c.height, dark, visible: c.checkVisibility()}; }""")
    # The crop is the digit's box plus a margin, not the whole 200-px-margined picture.
    assert crop["visible"] and crop["dark"] > 0.05 * crop["w"] * crop["h"], crop
    # Nothing blocks the pad: its centre is still the pad for the pointer.
    box = harness.pad_box(page)
    p = P.draw_digit(page, images, labels, 7)
    assert p.digit == 7
    state = P.wait_why(page, p.strokes)
    assert state["picture"] is None and state["digit"] == "7"
    assert box == harness.pad_box(page)
