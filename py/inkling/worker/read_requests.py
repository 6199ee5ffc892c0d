"""What the worker's "explain" and "readImage" requests compute, as flat values for JavaScript.

`explain_ink(model, ink)`: for a drawing already shown as a prediction, the heavier follow-up:
the "Why" (explain.py; occlusion.py for a model that is only a predict_proba) and the number,
if the pad holds several digits (number.py).
`read_picture(model, rgba)`: a picture (upload, paste, camera) from pixels to everything the
page shows: ink (images.py), the crop that was read, the digit, the number and the "Why".

Arrays are flattened (JavaScript gets typed arrays, shapes travel beside them) and every value is
a plain int/float/str/bool, a list, a dict or a numpy array, so the worker's toJs() makes no
PyProxy.
"""

from __future__ import annotations

import numpy as np

from inkling.data.preprocess import SIZE, normalize_digit
from inkling.reading import explain, images, number, occlusion, second_look

PREVIEW_SIDE = 192  # the crop shown on the page is at most this many pixels on its longer side


def _flat_activations(activations: list[dict]) -> list[dict]:
    return [
        {
            "label": a["label"],
            "shape": list(a["values"].shape),
            "values": np.ascontiguousarray(a["values"], np.float32).reshape(-1),
        }
        for a in activations
    ]


def _why(model, x: np.ndarray) -> dict:
    """The "Why" of x: from the model's own backward pass when it has one (an inkling model), else
    by occlusion (a Lab script's predict_proba: reading/occlusion.py); "method" says which."""
    differentiable = callable(getattr(model, "backward", None)) and hasattr(model, "layers")
    why = (explain if differentiable else occlusion).explain(model, x)
    return {
        "method": "gradient" if differentiable else "occlusion",
        "saliency": why["saliency"].reshape(-1),
        "activations": _flat_activations(why["activations"]),
        "top": why["top"],
        "top_p": why["top_p"],
        "unsure": why["unsure"],
        "reason": why["reason"],
    }


def _number(model, ink: np.ndarray) -> dict:
    return number_fields(number.read_number(model, ink))


def number_fields(n: dict, unsure: bool = True) -> dict:
    """A number's reading (number.read_pieces) as the page gets it; with several digits (and
    `unsure`), "unsure" and "reason" speak for the number's digits."""
    out = {
        "number": n["text"],
        "number_digits": n["digits"],
        "number_confidence": n["confidence"],
        "number_boxes": n["boxes"].reshape(-1),
    }
    if unsure and len(n["text"]) >= 2:
        # Several digits: reading all the ink as one digit is bound to look unsure, so say
        # whether the number's own digits are.
        reasons = [(k, explain.unsure_reason(p, x)) for k, (p, x) in enumerate(zip(n["probabilities"], n["inputs"]))]
        reasons = [(k, r) for k, r in reasons if r]
        out["unsure"] = bool(reasons)
        out["reason"] = f"Digit {reasons[0][0] + 1} of {len(n['text'])}: {reasons[0][1]}" if reasons else ""
    return out


def empty_why() -> dict:
    """The explanation of nothing: no saliency, no activations, not unsure."""
    return {
        "saliency": np.zeros(SIZE * SIZE, np.float32),
        "activations": [],
        "top": np.zeros(0, np.int32),
        "top_p": np.zeros(0, np.float32),
        "unsure": False,
        "reason": "",
        "number": "",
        "number_digits": np.zeros(0, np.int32),
        "number_confidence": np.zeros(0, np.float32),
        "number_boxes": np.zeros(0, np.int32),
    }


def explain_ink(model, ink: np.ndarray) -> dict:
    """ink float32 [H, W] -> the "Why" of its single-digit reading plus the number in it; with
    several digits, "unsure" speaks for the number's digits."""
    x = normalize_digit(ink)
    if x is None:
        return empty_why()
    return {**_why(model, x), **_number(model, ink)}


def explain_read(model, n: dict, index: int | None = None) -> dict:
    """The "Why" of one digit of a number already read (strokes.read_strokes): digit `index`, or
    by default the least sure one (the likeliest mistake), plus the number; "why_index" says which
    and "input" is what the model read for it."""
    if not len(n["text"]):
        return {**empty_why(), "why_index": -1, "input": np.zeros(SIZE * SIZE, np.float32)}
    k = int(np.argmin(n["confidence"])) if index is None else int(index)
    if not 0 <= k < len(n["text"]):
        raise ValueError(f"there is no digit {k + 1} in a number of {len(n['text'])} digits")
    x = n["inputs"][k]
    return {**_why(model, x), **number_fields(n), "why_index": k, "input": x.reshape(-1).astype(np.float32)}


def _preview(ink: np.ndarray, box) -> tuple[np.ndarray, int, int, float]:
    """The ink inside box, shrunk (nearest pixel: it is for looking at) to <= PREVIEW_SIDE.
    Returns (uint8 [h * w], 255 = ink, w, h, scale from picture pixels to preview pixels)."""
    y0, x0, y1, x1 = box
    crop = ink[y0:y1, x0:x1]
    scale = min(1.0, PREVIEW_SIDE / max(crop.shape))
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    rows = np.minimum((np.arange(h) / scale).astype(int), crop.shape[0] - 1)
    cols = np.minimum((np.arange(w) / scale).astype(int), crop.shape[1] - 1)
    return (crop[np.ix_(rows, cols)] * 255).astype(np.uint8).reshape(-1), w, h, scale


def read_picture(model, rgba: np.ndarray) -> dict:
    """rgba uint8 [H, W, 4] -> everything the page shows for a picture.

    {"digit": int | None, "probabilities": float32 [10], "input": float32 [784],
     "blank": bool, "dark_ink": bool, "crop": int32 [4] (y0, x0, y1, x1; empty if blank),
     "preview": uint8 [w * h] (the crop's ink, 255 = ink), "preview_width", "preview_height",
     "preview_scale": float, ...the "Why" and the number (explain_ink)}
    Number boxes are in picture pixels.
    """
    ink, info = images.ink_from_grey(images.rgba_to_grey(rgba))
    box = images.ink_box(ink)
    x = normalize_digit(ink) if box is not None else None
    result = {
        "blank": x is None,
        "dark_ink": info["dark_ink"],
        "digit": None,
        "probabilities": np.zeros(10, np.float32),
        "input": np.zeros(SIZE * SIZE, np.float32),
        "crop": np.zeros(0, np.int32),
        "preview": np.zeros(0, np.uint8),
        "preview_width": 0,
        "preview_height": 0,
        "preview_scale": 1.0,
    }
    if x is None:
        return {
            **result,
            **empty_why(),
            "unsure": True,
            "reason": "This doesn't look like a digit: no ink stands out from the background.",
        }
    preview, w, h, scale = _preview(ink, box)
    why = explain_ink(model, ink)
    probabilities = second_look.predict(model, x[None])[0]
    return {
        **result,
        **why,
        "digit": int(np.argmax(probabilities)),
        "probabilities": probabilities,
        "input": x.reshape(-1).astype(np.float32),
        "crop": np.array(box, np.int32),
        "preview": preview,
        "preview_width": w,
        "preview_height": h,
        "preview_scale": scale,
    }
