"""At 360x640 (a small phone) the pad is fully visible, and drawing on it never scrolls the page."""

from __future__ import annotations

import harness
import pytest
from pen import draw_strokes, fit_strokes

W, H = 360, 640
VERTICAL = [[(0.5, 0.1), (0.5, 0.5), (0.5, 0.9)]]
CURVE = [[(0.25, 0.3), (0.5, 0.1), (0.75, 0.3), (0.5, 0.6), (0.3, 0.9), (0.75, 0.9)]]

SCROLL_JS = "() => [window.scrollX, window.scrollY, visualViewport.pageLeft, visualViewport.pageTop]"
# Resolves once the scroll position has not moved for 10 frames (a fling has run out).
SETTLE_JS = """() => new Promise((done) => {
  let last = null, still = 0;
  const tick = () => {
    const now = [scrollX, scrollY, visualViewport.pageLeft, visualViewport.pageTop].join();
    still = now === last ? still + 1 : 0; last = now;
    if (still >= 10) done(); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def _settled_scroll(page):
    page.evaluate(SETTLE_JS)
    return page.evaluate(SCROLL_JS)


@pytest.fixture(scope="module")
def phone(chromium, net_guard, site):
    ctx = harness.make_context(
        chromium, net_guard, viewport={"width": W, "height": H}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = ctx.new_page()
    harness.open_app(page, site)
    yield ctx, page
    ctx.close()


def _touch_drag(cdp, points):
    """A real touch gesture (as a finger would make it), so the browser may scroll on it."""
    (x, y), rest = points[0], points[1:]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": float(x), "y": float(y)}]})
    for nx, ny in rest:
        for k in range(1, 6):  # small steps
            t = k / 5
            cdp.send(
                "Input.dispatchTouchEvent",
                {"type": "touchMove", "touchPoints": [{"x": float(x + (nx - x) * t), "y": float(y + (ny - y) * t)}]},
            )
        x, y = nx, ny
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_pad_fully_visible_at_360x640(phone):
    _, page = phone
    page.evaluate("window.scrollTo(0, 0)")
    box = harness.pad_box(page)
    print(f"\npad at 360x640: x={box['x']:.0f} y={box['y']:.0f} {box['width']:.0f}x{box['height']:.0f}")
    eps = 0.5
    assert box["x"] >= -eps and box["y"] >= -eps, f"pad starts off-screen: {box}"
    assert box["x"] + box["width"] <= W + eps, f"pad cut off on the right: {box}"
    assert box["y"] + box["height"] <= H + eps, f"pad does not fit above the fold: {box}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the 360px screen"
    # Nothing covers the pad: the pad itself is hit at its centre and near its corners.
    for fx, fy in ((0.5, 0.5), (0.05, 0.05), (0.95, 0.05), (0.05, 0.95), (0.95, 0.95)):
        hit = page.evaluate(
            "([x, y, sel]) => { const e = document.elementFromPoint(x, y);"
            " const pad = document.querySelector(sel);"
            " return e === pad || pad.contains(e) ? null : (e ? e.outerHTML.slice(0, 120) : 'nothing'); }",
            [box["x"] + fx * box["width"], box["y"] + fy * box["height"], harness.PAD],
        )
        assert hit is None, f"at ({fx}, {fy}) of the pad the topmost element is {hit}"


def test_drawing_does_not_scroll_the_page(phone):
    ctx, page = phone
    harness.clear_pad(page)
    page.evaluate("window.scrollTo(0, 0)")
    # Give the page room to scroll, so that a touch the pad lets through would move it.
    page.evaluate("""() => { const s = document.createElement('div');
        s.id = '__test_spacer'; s.style.height = '1500px'; document.body.appendChild(s); }""")
    try:
        box = harness.pad_box(page)
        cdp = ctx.new_cdp_session(page)

        # Control: the same gesture outside the pad does scroll (else touch emulation proves nothing).
        below = box["y"] + box["height"] + 20
        control_y = below if below < H - 10 else max(10.0, box["y"] - 20)
        _touch_drag(cdp, [(W / 2, min(control_y + 60, H - 5)), (W / 2, max(control_y - 60, 5))])
        control_scrolled = _settled_scroll(page) != [0, 0, 0, 0]
        page.evaluate("window.scrollTo({left: 0, top: 0, behavior: 'instant'})")
        before = _settled_scroll(page)
        assert before == [0, 0, 0, 0], f"could not scroll back to the top: {before}"
        # A finger drawing an upward/downward line on the pad (the gesture that scrolls pages).
        stroke = fit_strokes(VERTICAL, box, 0.8)[0]
        _touch_drag(cdp, [stroke[-1], stroke[len(stroke) // 2], stroke[0]])
        p = harness.wait_strokes(page, 1)
        after_touch = _settled_scroll(page)
        assert after_touch == before, (
            f"touch-drawing on the pad scrolled the page: {before} -> {after_touch} (give the pad touch-action: none)"
        )
        assert p.text != "", "no prediction after touch-drawing a stroke"

        draw_strokes(page, fit_strokes(CURVE, box, 0.7))
        harness.wait_strokes(page, 2)
        after_mouse = _settled_scroll(page)
        assert after_mouse == before, f"mouse-drawing on the pad scrolled the page: {before} -> {after_mouse}"
        print(f"\ncontrol touch-drag outside the pad scrolled the page: {control_scrolled}")
    finally:
        page.evaluate("document.getElementById('__test_spacer')?.remove()")
        harness.clear_pad(page)
