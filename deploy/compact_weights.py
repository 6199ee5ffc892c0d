"""The shipped weights as dist/ serves them, stored compactly: of the models in COMPACT, each
layer's weight matrix or kernel (the arrays with two dimensions or more: nearly all the bytes) as
int8 with one float32 scale per output channel in the manifest, every other float32 array as
float16. inkling.nn.weights widens both back to float32 when it loads them; each file's sha256
and dtype in the manifest are rewritten to match. weights/ itself (the training output) stays
float32: build.py makes the compact copy from it every time.

    python -m deploy.compact_weights [--check]   # MNIST test accuracy of each model, float32 vs compact

A model is listed in COMPACT only when `--check` measured its accuracy moving by at most
MAX_MOVE (docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import sys
from pathlib import Path

import numpy as np

COMPACT = ("cnn", "mlp")
MAX_MOVE = 0.0002  # 0.02 points of accuracy: 2 of the 10,000 MNIST test images
# The output channels' axis: a Dense layer's weights are (in, out), a Conv2D kernel (out, in, kh, kw).
OUTPUT_AXIS = {2: 1, 4: 0}


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _four_digits_up(x: float) -> float:
    """x rounded up to four significant digits (0.0307041 -> 0.03071): short in the manifest, and
    never below x, so no weight of the channel needs more than 127 steps."""
    exponent = math.floor(math.log10(x)) - 3
    return float(f"{math.ceil(round(x / 10.0**exponent, 6))}e{exponent}")


def quantize(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(q, scale): int8 q in [-127, 127] and one scale per output channel (shaped to broadcast
    against w; four significant digits), so that q * float32(scale) is w to within half a step
    of its channel."""
    axis = OUTPUT_AXIS[w.ndim]
    others = tuple(a for a in range(w.ndim) if a != axis)
    largest = np.abs(w).max(axis=others, keepdims=True).astype(np.float64)
    scale = np.vectorize(_four_digits_up)(np.where(largest > 0, largest, 1) / 127)
    return np.clip(np.round(w / scale.astype(np.float32)), -127, 127).astype(np.int8), scale


def compact(dest: Path, models=COMPACT) -> None:
    """Rewrites dest/ (a copy of weights/: manifest.json and the files it lists, already checked):
    the float32 arrays of `models` as int8 + scale (weights, kernels) or float16 (the rest),
    the manifest to match."""
    manifest = json.loads((dest / "manifest.json").read_text())
    for name in models:
        for entry in manifest["models"].get(name, {}).get("files", {}).values():
            if entry["dtype"] != "float32":
                continue
            path = dest / entry["path"]
            array = np.load(path, allow_pickle=False)
            if array.ndim in OUTPUT_AXIS:
                q, scale = quantize(array)
                data = _npy(q)
                entry.update(dtype="int8", scale=scale.tolist())
            else:
                data = _npy(array.astype(np.float16))
                entry.update(dtype="float16")
            path.write_bytes(data)
            entry.update(sha256=hashlib.sha256(data).hexdigest())
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def check(src: Path) -> list[dict]:
    """MNIST test accuracy of each model in src/, as stored and compacted."""
    import shutil
    import tempfile

    from inkling.training.evaluate import evaluate

    before = {r["name"]: r["test_accuracy"] for r in evaluate(src, tolerance=1)}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "weights"
        shutil.copytree(src, copy)
        compact(copy, models=list(before))
        after = {r["name"]: r["test_accuracy"] for r in evaluate(copy, tolerance=1)}
    return [
        {
            "model": n,
            "float32": before[n],
            "compact": after[n],
            "moved": after[n] - before[n],
            "ok": abs(after[n] - before[n]) <= MAX_MOVE,
        }
        for n in before
    ]


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "py"))
    rows = check(root / "weights")
    for r in rows:
        print(
            f"{r['model']}: float32 {r['float32']:.4f}, int8 + float16 {r['compact']:.4f}, "
            f"moved {r['moved'] * 100:+.2f} points ({'ok' if r['ok'] else 'too much'})"
        )
    return 0 if all(r["ok"] or r["model"] not in COMPACT for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
