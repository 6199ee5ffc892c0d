"""Bad pictures: each gets a clear message in [data-testid=message], and the app keeps working
(a digit drawn on the pad afterwards is still read). The camera's own failures are in
test_camera.py."""

from __future__ import annotations

import io
import struct
import zlib

import harness
import numpy as np
import pictures as P
import pytest


@pytest.fixture(scope="module")
def page(chromium, net_guard, site):
    return P.shared_app(chromium, net_guard, site)


def png_header(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR chunk (with its CRC) claiming width x height, and no
    pixels: enough to be refused for its size, never enough to decode."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def animated_gif(first: np.ndarray, second: np.ndarray) -> bytes:
    from PIL import Image

    frames = [Image.fromarray(f) for f in (first, second)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def _refused(page, data: bytes, name: str, mime: str) -> str:
    """Upload a bad file; return the message. Nothing else may change: no picture shown."""
    P.reset(page)
    before = P.seq(page, P.MESSAGE)
    number_before = P.seq(page, P.NUMBER)
    P.upload(page, data, name, mime)
    text = P.wait_message(page, before)
    state = P.read_state(page)
    assert state["picture"] is None and P.seq(page, P.NUMBER) == number_before
    assert page.evaluate(harness.STATE_JS) == "ready"
    return text


def test_empty_file(page):
    text = _refused(page, b"", "empty.png", "image/png")
    assert "empty" in text and "empty.png" in text


def test_text_file_named_png(page):
    text = _refused(page, b"hello, these are not pixels\n" * 20, "notes.png", "image/png")
    assert "text file" in text and "not a picture" in text


def test_truncated_jpeg(page, mnist_test_raw):
    images, labels = mnist_test_raw
    ink, _ = P.mnist_digit(images, labels, 4)
    jpeg = P.encode(P.paper(ink), "JPEG", quality=90)
    text = _refused(page, jpeg[: len(jpeg) * 2 // 3], "cut.jpg", "image/jpeg")
    assert "cut short" in text and "truncated JPEG" in text


def test_twenty_thousand_pixels_square_png_is_refused_from_its_header(page):
    text = _refused(page, png_header(20000, 20000), "huge.png", "image/png")
    assert "20000 × 20000" in text and "400 megapixels" in text and "50 megapixels" in text


def test_svg_with_a_script_is_never_rendered(page):
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b'<script>window.top.__svgRan = true; fetch("/svg-ran")</script>'
        b'<text x="10" y="80" font-size="80">7</text></svg>'
    )
    for name, mime in (("seven.svg", "image/svg+xml"), ("seven.png", "image/png")):
        text = _refused(page, svg, name, mime)
        assert "SVG" in text and "not a picture" in text
    assert page.evaluate("window.__svgRan === undefined")


def test_animated_gif_reads_its_first_frame_and_says_so(page, mnist_test_raw):
    images, labels = mnist_test_raw
    P.reset(page)
    first, _ = P.mnist_digit(images, labels, 3)
    second, _ = P.mnist_digit(images, labels, 8)
    w = max(first.shape[1], second.shape[1])
    frames = [P.paper(np.pad(f, ((0, 0), (0, w - f.shape[1])))) for f in (first, second)]
    before = P.seq(page, P.NUMBER)
    P.upload(page, animated_gif(*frames), "blink.gif", "image/gif")
    state = P.wait_picture_read(page, before)
    assert state["digit"] == "3", state
    assert "animated" in state["message"] and "first frame" in state["message"]


def test_the_pad_still_works_after_bad_input(page, mnist_test_raw):
    images, labels = mnist_test_raw
    _refused(page, png_header(30000, 2000), "wide.png", "image/png")
    _refused(page, b"\x00" * 100, "zeros.bmp", "image/bmp")
    p = P.draw_digit(page, images, labels, 2)
    assert p.digit == 2
    assert P.wait_why(page, p.strokes)["digit"] == "2"
