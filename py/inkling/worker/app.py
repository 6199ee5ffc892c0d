"""The functions the web worker calls (web/worker/inkling-worker.js).

Plain values in (ints, strings, a bytes-like alpha channel); plain values and numpy arrays out.
The worker writes the shipped weights into Pyodide's file system under WEIGHTS_DIR; the same
functions run in CPython on any folder holding a manifest.json (tests/py/worker/test_app.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import inkling
from inkling.data.preprocess import SIZE, normalize_digit
from inkling.reading import second_look

WEIGHTS_DIR = "/weights"
MAX_SIDE = 4096  # larger pads are refused rather than allocating without bound
_models: dict = {}  # (manifest path, model name) -> loaded model


def _manifest_path(weights_dir) -> Path:
    path = Path(weights_dir)
    return path if path.suffix == ".json" else path / "manifest.json"


def load_model(name: str, weights_dir=WEIGHTS_DIR, warm: bool = True):
    """The model called `name`, loaded (and its weights checked) once, then reused. With warm,
    a first load also runs one forward pass (the first call is slow); the worker's boot passes
    warm=False and warms up with whole predictions once it has said it is ready."""
    key = (str(_manifest_path(weights_dir)), name)
    if key not in _models:
        model = inkling.load(key[0], model=name)
        if warm:
            model.predict_proba(np.zeros((1, SIZE, SIZE), np.float32))
        _models[key] = model
    return _models[key]


def register_model(name: str, model, weights_dir=WEIGHTS_DIR) -> None:
    """Make `model` (one trained in the page, inkling.worker.studio) usable by name like a shipped one.
    One single-image forward pass replaces what its layers cached for backward from the last
    training or test batch (MBs a model), which a kept model would otherwise hold for good."""
    model.predict_proba(np.zeros((1, SIZE, SIZE), np.float32))
    _models[(str(_manifest_path(weights_dir)), name)] = model


def model_names(weights_dir=WEIGHTS_DIR) -> set[str]:
    """Every name the pad can use now: the manifest's models and those registered or loaded."""
    from inkling.nn import weights

    path = _manifest_path(weights_dir)
    names = {name for (where, name) in _models if where == str(path)}
    if path.is_file():
        names |= set(weights.read_manifest(path).get("models", {}))
    return names


def pixel_array(buffer, width: int, height: int, channels: int = 1, what: str = "pad") -> np.ndarray:
    """A row-major uint8 buffer (bytes-like or array) -> uint8 [H, W] (or [H, W, channels]),
    refusing sizes that are not whole pixels in 1..MAX_SIDE or a buffer of the wrong length."""
    w, h = int(width), int(height)
    if (w, h) != (width, height) or not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE):
        raise ValueError(f"{what} size {width}x{height} is not whole pixels in 1..{MAX_SIDE}")
    pixels = (
        np.asarray(buffer, dtype=np.uint8) if isinstance(buffer, np.ndarray) else np.frombuffer(buffer, dtype=np.uint8)
    )
    if pixels.size != w * h * channels:
        raise ValueError(f"got {pixels.size} values for a {w}x{h} {what} ({w * h * channels} expected)")
    return pixels.reshape((h, w) if channels == 1 else (h, w, channels))


def alpha_to_ink(alpha, width: int, height: int) -> np.ndarray:
    """Canvas alpha channel (bytes-like or array, uint8, row-major) -> ink float32 [H, W] in [0, 1]."""
    return pixel_array(alpha, width, height).astype(np.float32) * np.float32(1 / 255)


def predict(alpha, width: int, height: int, model: str, weights_dir=WEIGHTS_DIR, points=None, counts=None) -> dict:
    """Read the digit drawn on the pad: from its strokes when they are sent (points: float32
    (x, y) pairs in pad units, 0..1 of the pad's width and height; counts: int32 points per
    stroke), else from its pixels (alpha).

    Returns {"digit": int, or None for an empty pad or a number, "probabilities": float32 [10]
    (zeros when empty), "input": float32 [784], the 28x28 image the model saw (row-major, ink = 1)}.
    From strokes also the number ("number", "number_digits", "number_confidence", "number_boxes":
    read_requests.number_fields) and "why_index": for a number, the digit whose probabilities
    and input are given (the least sure one).
    """
    if points is not None:
        return _predict_strokes(load_model(model, weights_dir), points, counts, width, height)
    x = normalize_digit(alpha_to_ink(alpha, width, height))
    if x is None:
        return {"digit": None, "probabilities": np.zeros(10, np.float32), "input": np.zeros(SIZE * SIZE, np.float32)}
    proba = second_look.predict(load_model(model, weights_dir), x[None])[0]
    return {
        "digit": int(np.argmax(proba)),
        "probabilities": proba,
        "input": np.ascontiguousarray(x, np.float32).reshape(-1),
    }


_last_read: list = [None, None]  # [(model, width, height, strokes' bytes), its reading]: "explain" reuses it


def _read_strokes(net, points, counts, width: int, height: int) -> dict:
    """strokes.read_strokes on the pad's points (pad units -> pad pixels), the last one kept."""
    from inkling.reading import strokes

    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValueError(f"pad size {width}x{height} is not in 1..{MAX_SIDE}")
    xy = np.asarray(points, np.float32) if isinstance(points, np.ndarray) else np.frombuffer(points, np.float32)
    n = np.asarray(counts, np.int32) if isinstance(counts, np.ndarray) else np.frombuffer(counts, np.int32)
    key = (net, width, height, xy.tobytes(), n.tobytes())
    if _last_read[0] != key:
        drawn = strokes.split_points(xy, n)
        _last_read[:] = [key, strokes.read_strokes(net, [s * (width, height) for s in drawn])]
    return _last_read[1]


def _predict_strokes(net, points, counts, width: int, height: int) -> dict:
    from . import read_requests

    n = _read_strokes(net, points, counts, width, height)
    if not n["text"]:
        empty = {"digit": None, "probabilities": np.zeros(10, np.float32), "input": np.zeros(SIZE * SIZE, np.float32)}
        return {**empty, **read_requests.number_fields(n), "why_index": -1}
    k = 0 if len(n["text"]) == 1 else int(np.argmin(n["confidence"]))
    return {
        "digit": int(n["digits"][0]) if len(n["text"]) == 1 else None,
        "probabilities": n["probabilities"][k],
        "input": n["inputs"][k].reshape(-1),
        **read_requests.number_fields(n, unsure=False),  # "explain" says whether unsure
        "why_index": k,
    }


def explain(
    alpha, width: int, height: int, model: str, weights_dir=WEIGHTS_DIR, points=None, counts=None, index=None
) -> dict:
    """The follow-up to predict() for the same pad: the "Why" and the number on the pad
    (inkling.worker.read_requests.explain_ink: saliency, activations, top three, unsure, number).
    From strokes: the "Why" of digit `index` of the number (default: the least sure), read_requests.explain_read."""
    from . import read_requests

    net = load_model(model, weights_dir)
    if points is not None:
        return read_requests.explain_read(net, _read_strokes(net, points, counts, width, height), index)
    return read_requests.explain_ink(net, alpha_to_ink(alpha, width, height))


def read_image(rgba, width: int, height: int, model: str, weights_dir=WEIGHTS_DIR) -> dict:
    """A picture's RGBA pixels (bytes-like, row-major, as getImageData gives) -> what the page
    shows for it (inkling.worker.read_requests.read_picture: digit, crop, number, the "Why")."""
    from . import read_requests

    pixels = pixel_array(rgba, width, height, channels=4, what="picture")
    return read_requests.read_picture(load_model(model, weights_dir), pixels)


def memory() -> dict:
    """Python's side of the soak benchmark and its test, after a full collection:
    {"gcObjects": objects the gc tracks, "models": models loaded}. A result kept alive per request
    (a PyProxy never destroyed holds its dict) adds at least one gc-tracked object per call.
    (sys.getallocatedblocks() says 0 in Pyodide, built without pymalloc; the worker reports
    malloc's bytes in use instead.)"""
    import gc

    gc.collect()
    return {"gcObjects": len(gc.get_objects()), "models": len(_models)}
