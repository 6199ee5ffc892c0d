"""The camera: live preview, capture, switching cameras, and its failures (refused, no camera,
the camera going away). Chromium's fake capture device plays a Y4M video made here from an
MNIST digit on paper (--use-file-for-fake-video-capture); --use-fake-ui-for-media-stream grants
the permission without a prompt. This module launches its own chromium with those flags."""

from __future__ import annotations

import harness
import numpy as np
import pictures as P
import pytest

DIGIT = 4
W, H = 320, 240


def write_y4m(path, grey: np.ndarray, frames: int = 10) -> None:
    """grey uint8 [H, W] -> a Y4M (YUV 4:2:0) video of `frames` identical frames."""
    h, w = grey.shape
    chroma = np.full((h // 2) * (w // 2), 128, np.uint8).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + grey.tobytes() + chroma + chroma)


@pytest.fixture(scope="module")
def video(tmp_path_factory, mnist_test_raw):
    images, labels = mnist_test_raw
    ink, _ = P.mnist_digit(images, labels, DIGIT, height=170)
    frame = P.paper(ink, margin=0, light=(0.75, 0.95))[..., 0]
    grey = np.full((H, W), frame.max(), np.uint8)
    y, x = (H - frame.shape[0]) // 2, (W - frame.shape[1]) // 2
    grey[y : y + frame.shape[0], x : x + frame.shape[1]] = frame
    path = tmp_path_factory.mktemp("camera") / "digit.y4m"
    write_y4m(path, grey)
    return path


@pytest.fixture(scope="module")
def camera_page(chromium, net_guard, site, video):
    browser = chromium.browser_type.launch(
        executable_path=harness.CHROMIUM,
        headless=True,
        args=harness.CHROMIUM_ARGS
        + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    ctx = harness.make_context(browser, net_guard, viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    harness.open_app(page, site)
    yield page
    ctx.close()
    browser.close()


PLAYING = (
    "() => { const v = document.querySelector('.camera video');"
    " return !document.querySelector('.camera').hidden && v.videoWidth > 0 && v.readyState >= 2; }"
)


def test_preview_then_capture_reads_the_digit(camera_page):
    page = camera_page
    P.reset(page)
    page.click(P.CAMERA_OPEN)
    page.wait_for_function(PLAYING)
    assert page.locator(P.CAMERA_CAPTURE).is_visible()
    before = P.seq(page, P.NUMBER)
    page.click(P.CAMERA_CAPTURE)
    state = P.wait_picture_read(page, before)
    assert state["digit"] == str(DIGIT), state
    assert state["picture"]["format"] == "camera" and "camera" in state["picture"]["caption"]
    assert page.locator(".camera").is_hidden()  # closed after the capture
    assert page.evaluate("document.querySelector('.camera video').srcObject") is None


def test_the_camera_going_away_is_reported_and_the_pad_still_works(camera_page, mnist_test_raw):
    images, labels = mnist_test_raw
    page = camera_page
    P.reset(page)
    page.click(P.CAMERA_OPEN)
    page.wait_for_function(PLAYING)
    before = P.seq(page, P.MESSAGE)
    # stop() alone fires no "ended" (the page stopped it itself); a camera that is unplugged or
    # taken by another app ends the track AND fires "ended": do both.
    page.evaluate("""() => { const t = document.querySelector('.camera video').srcObject.getVideoTracks()[0];
                             t.stop(); t.dispatchEvent(new Event('ended')); }""")
    text = P.wait_message(page, before)
    assert "camera stopped" in text
    assert page.locator(".camera").is_hidden()
    p = P.draw_digit(page, images, labels, 7)
    assert p.digit == 7


@pytest.mark.parametrize(
    "error, words", [("NotAllowedError", "refused"), ("NotFoundError", "No camera"), ("NotReadableError", "in use")]
)
def test_refused_or_missing_camera_says_so(camera_page, error, words):
    page = camera_page
    P.reset(page)
    page.evaluate(
        """(name) => { window.__realGUM ??= navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('test', name)); }""",
        error,
    )
    try:
        before = P.seq(page, P.MESSAGE)
        page.click(P.CAMERA_OPEN)
        assert words in P.wait_message(page, before)
        assert page.locator(".camera").is_hidden()
    finally:
        page.evaluate("() => { navigator.mediaDevices.getUserMedia = window.__realGUM; }")


def test_switch_between_two_cameras(camera_page):
    page = camera_page
    P.reset(page)
    # Chromium's fake device is one camera; a second (the phone's other side) is announced here.
    page.evaluate("""() => { const md = navigator.mediaDevices; const real = md.enumerateDevices.bind(md);
        md.enumerateDevices = async () => { const list = await real();
          const cam = list.find((d) => d.kind === 'videoinput');
          return [...list, {kind: 'videoinput', deviceId: cam.deviceId, label: 'back', groupId: 'b'}]; }; }""")
    page.click(P.CAMERA_OPEN)
    page.wait_for_function(PLAYING)
    switch = page.locator(".camera-switch")
    assert switch.is_visible()
    switch.click()
    page.wait_for_function(PLAYING)
    page.click(".camera-close")
    assert page.locator(".camera").is_hidden()
