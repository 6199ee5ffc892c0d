"""Shared by the picture, number, "Why", bad-input and camera browser tests.

- `shared_app(chromium, net_guard, site)`: ONE ready page for all those modules (booting Python
  costs ~15 s a page on a small machine), reset by `reset(page)` between tests.
- pictures: `encode(rgb, fmt)` (Pillow, which scikit-image brings), `mnist_number(...)`, `paper(...)`.
- ways in: `upload`, `drop`, `paste` (synthetic DragEvent / ClipboardEvent carrying a File).
- waits: `wait_picture_read`, `wait_message`, `wait_why`.

DOM contract used: [data-testid=upload|camera-open|camera-capture|number|saliency|unsure|message]
plus the pad's (harness.py). The number element carries data-source ("pad" | "image") and
data-seq (bumped on every update); the message data-seq likewise; the "Why" section (.why)
data-strokes / data-source for what it was computed for.
"""

from __future__ import annotations

import base64
import importlib.util
import io

import harness
import numpy as np

UPLOAD = "[data-testid=upload]"
CAMERA_OPEN = "[data-testid=camera-open]"
CAMERA_CAPTURE = "[data-testid=camera-capture]"
NUMBER = "[data-testid=number]"
SALIENCY = "[data-testid=saliency]"
UNSURE = "[data-testid=unsure]"
MESSAGE = "[data-testid=message]"
MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif", "BMP": "image/bmp"}

_PAGES: dict = {}


def shared_app(chromium, net_guard, site):
    """The one page shared by the picture test modules (opened on first use, 800x900)."""
    key = (id(chromium), site.url)
    page = _PAGES.get(key)
    if page is None or page.is_closed():
        ctx = harness.make_context(chromium, net_guard, viewport={"width": 800, "height": 900})
        page = ctx.new_page()
        harness.open_app(page, site)
        _PAGES[key] = page
    return page


def reset(page) -> None:
    """Back to an empty pad with no picture, message or camera showing."""
    page.evaluate("""() => { document.querySelector('.picture-close')?.click();
                             document.querySelector('.camera-close')?.click(); }""")
    harness.clear_pad(page)
    page.evaluate(
        "() => { const m = document.querySelector('[data-testid=message]'); m.textContent = ''; m.hidden = true; }"
    )


def bench_module():
    """bench/read_numbers.py (numbers built from MNIST digits), imported by path."""
    path = harness.REPO / "bench" / "read_numbers.py"
    spec = importlib.util.spec_from_file_location("read_numbers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- pictures


def encode(rgb: np.ndarray, fmt: str, **kw) -> bytes:
    """uint8 [H, W, 3] (or [H, W]) -> file bytes in `fmt` (PNG, JPEG, WEBP, GIF, BMP)."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format=fmt, **kw)
    return out.getvalue()


def paper(ink: np.ndarray, dark_ink: bool = True, margin: int = 30, light=(0.95, 0.95)) -> np.ndarray:
    """Ink float [h, w] -> uint8 RGB [h + 2m, w + 2m, 3]: ink on paper, lit from `light[0]` on the
    left to `light[1]` on the right (uneven light = a photo)."""
    ink = np.pad(ink, margin)
    h, w = ink.shape
    lit = np.linspace(light[0], light[1], w)[None, :]
    grey = lit * (0.92 * (1 - ink) + 0.15 * ink)
    if not dark_ink:
        grey = 1 - grey
    grey = (np.clip(grey, 0, 1) * 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


# Clear MNIST test digits: among the first of their class that the CNN reads at p > 0.9.
CLEAR = {
    0: [3, 10, 13],
    1: [2, 5, 14],
    2: [1, 35, 38],
    3: [30, 32, 44],
    4: [4, 6, 24],
    5: [15, 23, 45],
    6: [11, 21, 22],
    7: [0, 17, 26],
    8: [61, 84, 110],
    9: [7, 9, 12],
}


def mnist_digit(images, labels, digit: int, height: int = 160, pick: int = 0):
    """(ink float [height, w], index): a clear MNIST test digit (CLEAR[digit][pick])."""
    bench = bench_module()
    i = CLEAR[digit][pick % 3]
    assert labels[i] == digit
    return bench._scale(bench._crop(images[i]), height), i


def mnist_number(images, labels, seed: int):
    """(ink float [H, W], text): a 4-digit number from MNIST test digits (bench/read_numbers.py)."""
    return bench_module().make_number(np.random.default_rng(seed), images, labels)


# ----------------------------------------------------------------------------- ways in


def upload(page, data: bytes, name: str, mime: str = "application/octet-stream") -> None:
    page.set_input_files(UPLOAD, files=[{"name": name, "mimeType": mime, "buffer": data}])


_FILE_JS = """([b64, name, mime]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, {type: mime}));
  return dt;
}"""


def drop(page, data: bytes, name: str, mime: str) -> None:
    """Drag a file over the page and drop it on the pad, as a user's drag from the desktop."""
    dt = page.evaluate_handle(_FILE_JS, [base64.b64encode(data).decode(), name, mime])
    pad = page.locator(harness.PAD)
    for event in ("dragenter", "dragover", "drop"):
        pad.dispatch_event(event, {"dataTransfer": dt})


def paste(page, data: bytes, name: str, mime: str) -> None:
    """Paste a file from the clipboard (Ctrl+V of a copied picture)."""
    page.evaluate(
        """([b64, name, mime]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, {type: mime}));
        document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true}));
    }""",
        [base64.b64encode(data).decode(), name, mime],
    )


# ----------------------------------------------------------------------------- waits


def seq(page, selector: str) -> int:
    value = page.evaluate("(s) => document.querySelector(s)?.dataset.seq ?? '0'", selector)
    return int(value or 0)


def wait_picture_read(page, before: int, timeout_ms: int = harness.PREDICT_TIMEOUT_MS) -> dict:
    """Wait until a picture's reading is shown (number data-seq past `before`, source image)."""
    page.wait_for_function(
        "([sel, n]) => { const el = document.querySelector(sel);"
        " return Number(el.dataset.seq) > n && el.dataset.source === 'image'; }",
        arg=[NUMBER, before],
        timeout=timeout_ms,
    )
    return read_state(page)


def wait_message(page, before: int, timeout_ms: int = harness.PREDICT_TIMEOUT_MS) -> str:
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel).dataset.seq || 0) > n",
        arg=[MESSAGE, before],
        timeout=timeout_ms,
    )
    return page.inner_text(MESSAGE).strip()


def wait_why(page, strokes: int, timeout_ms: int = harness.PREDICT_TIMEOUT_MS) -> dict:
    """Wait until the "Why" (and the pad's number) were computed for `strokes` strokes."""
    page.wait_for_function(
        "(n) => { const w = document.querySelector('.why');"
        " return w.dataset.strokes === String(n) && w.dataset.source === 'pad'"
        " && !w.classList.contains('stale'); }",
        arg=strokes,
        timeout=timeout_ms,
    )
    return read_state(page)


def read_state(page) -> dict:
    """What the page shows now: prediction, number, message, unsure, picture view."""
    return page.evaluate("""() => {
        const q = (s) => document.querySelector(s);
        const unsure = q('[data-testid=unsure]');
        const picture = q('.picture');
        return {
          digit: q('[data-testid=prediction]').textContent.trim(),
          number: q('[data-testid=number]').textContent.trim(),
          numberVisible: !q('.number').hidden,
          confidence: q('[data-testid=number]').dataset.confidence,
          message: q('[data-testid=message]').hidden ? '' : q('[data-testid=message]').textContent.trim(),
          unsure: unsure ? unsure.textContent.trim() : null,
          unsureVisible: !!unsure && unsure.checkVisibility(),
          picture: picture.hidden ? null : {...picture.dataset,
                                             caption: q('.picture-caption').textContent},
          top: [...document.querySelectorAll('.top3 li b')].map((b) => b.textContent),
          layers: document.querySelectorAll('.layers canvas').length,
        };
    }""")


def draw_digit(page, images, labels, digit: int, strokes_before: int = 0) -> harness.Prediction:
    """Draw a traced MNIST test digit on the pad; wait for its prediction."""
    from pen import draw_strokes, fit_strokes
    from strokes import trace_strokes

    _, i = mnist_digit(images, labels, digit)
    box = harness.pad_box(page)
    strokes = fit_strokes(trace_strokes(images[i]), box, 0.7, (0.5, 0.5))
    draw_strokes(page, strokes)
    return harness.wait_strokes(page, strokes_before + len(strokes))
