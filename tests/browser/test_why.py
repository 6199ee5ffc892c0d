"""Why the model thinks so: the saliency overlay on the 28x28 view ([data-testid=saliency]), each
layer's activations, the top three, and [data-testid=unsure] (present and visible only when
unsure: low confidence, or input that looks like no digit: a scribble, a blank photo).

(Named test_why.py, not test_explain.py: tests/py/reading/test_explain.py exists.)"""

from __future__ import annotations

import harness
import numpy as np
import pictures as P
import pytest
from pen import draw_strokes


@pytest.fixture(scope="module")
def page(chromium, net_guard, site):
    return P.shared_app(chromium, net_guard, site)


SALIENCY_PIXELS = """(sel) => { const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
  let red = 0, blue = 0;
  for (let i = 0; i < d.length; i += 4) { if (d[i] > d[i + 2] + 60) red++; if (d[i + 2] > d[i] + 60) blue++; }
  return {red, blue, w: c.width, h: c.height, shown: c.checkVisibility()}; }"""


def test_a_clear_digit_is_explained_and_not_unsure(page, mnist_test_raw):
    images, labels = mnist_test_raw
    P.reset(page)
    p = P.draw_digit(page, images, labels, 3)
    state = P.wait_why(page, p.strokes)
    assert state["digit"] == "3"
    assert state["top"][0] == "3" and len(state["top"]) == 3 and len(set(state["top"])) == 3
    sal = page.evaluate(SALIENCY_PIXELS, P.SALIENCY)
    assert sal["w"] == sal["h"] == 28 and sal["shown"]
    assert sal["red"] > 10 and sal["blue"] > 10, sal  # evidence for and against
    captions = page.locator(".layers figcaption").all_text_contents()
    assert [c.split(":")[0] for c in captions] == ["conv 1", "conv 2", "dense 1", "output"]
    assert "32 feature maps, 24×24" in captions[0]
    assert state["unsure"] is None and page.locator(P.UNSURE).count() == 0


def test_a_scribble_is_unsure(page):
    P.reset(page)
    box = harness.pad_box(page)
    x0, y0, w, h = (
        box["x"] + 0.15 * box["width"],
        box["y"] + 0.15 * box["height"],
        0.7 * box["width"],
        0.7 * box["height"],
    )
    zigzag = [(x0 + (k % 2) * w, y0 + h * k / 16) for k in range(17)]
    draw_strokes(page, [np.array(zigzag)])
    p = harness.wait_strokes(page, 1)
    state = P.wait_why(page, 1)
    assert state["unsureVisible"], state
    assert "doesn't look like a digit" in state["unsure"] or "Not sure" in state["unsure"]
    assert p.text != ""  # still says its best guess
    harness.clear_pad(page)
    assert page.locator(P.UNSURE).count() == 0  # gone with the drawing


def test_a_blank_photo_is_unsure_and_says_so(page):
    P.reset(page)
    rng = np.random.default_rng(0)
    h, w = 300, 400
    grey = 0.8 - 0.25 * np.linspace(0, 1, w)[None, :] + rng.normal(0, 0.01, (h, w))
    rgb = np.repeat((np.clip(grey, 0, 1) * 255).astype(np.uint8)[..., None], 3, axis=2)
    before = P.seq(page, P.NUMBER)
    P.upload(page, P.encode(rgb, "JPEG", quality=85), "blank.jpg", "image/jpeg")
    state = P.wait_picture_read(page, before)
    assert state["digit"] == "" and state["number"] == ""
    assert state["unsureVisible"] and "doesn't look like a digit" in state["unsure"]
    assert "No digit found" in state["message"]
