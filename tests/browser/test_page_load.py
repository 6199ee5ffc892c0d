"""The page boots: loading words first, then data-state=ready; an empty pad predicts nothing."""

from __future__ import annotations

import re

import harness
import pytest


@pytest.fixture(scope="module")
def fresh(chromium, net_guard, site):
    """A fresh profile's first visit: what it showed right after the DOM loaded, then ready."""
    ctx = harness.make_context(chromium, net_guard, viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    harness.open_app(page, site, wait=False)
    early = page.evaluate(
        "() => ({state: document.documentElement.getAttribute('data-state'),"
        " text: document.body ? document.body.innerText : ''})"
    )
    harness.wait_ready(page)
    yield page, early
    ctx.close()


def test_shows_loading_words_then_becomes_ready(fresh):
    page, early = fresh
    history = harness.state_history(page)
    states = [h["state"] for h in history]
    assert early["state"] == "loading", f"right after the DOM loaded: data-state={early['state']!r}"
    assert re.search(r"load", early["text"], re.I), (
        f"no loading words on the page while data-state=loading: {early['text'][:300]!r}"
    )
    assert states and states[-1] == "ready", f"data-state history: {states}"
    assert "error" not in states, f"data-state history: {states}"
    assert page.locator(harness.PAD).is_visible()
    print(f"\nready {history[-1]['t'] / 1000:.2f} s after navigation start; states {states}")


def test_empty_pad_gives_no_prediction(fresh):
    page, _ = fresh
    p = harness.read_prediction(page)
    assert p.text == "", f"prediction shown on an empty pad: {p}"
    assert p.strokes in (None, 0), f"data-strokes on an empty pad: {p.strokes}"


def test_clear_and_undo_on_empty_pad_stay_empty(fresh):
    page, _ = fresh
    page.click(harness.UNDO)
    page.click(harness.CLEAR)
    p = harness.wait_strokes(page, 0)
    assert p.text == "", f"prediction after Undo+Clear on an empty pad: {p}"
    assert page.evaluate(harness.STATE_JS) == "ready"


def test_tap_without_moving_then_clear(fresh):
    """A click on the pad (a dot) never breaks the page; Clear empties it again."""
    page, _ = fresh
    box = harness.pad_box(page)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.click(harness.CLEAR)
    p = harness.wait_strokes(page, 0)
    assert p.text == ""
    assert page.evaluate(harness.STATE_JS) == "ready"
