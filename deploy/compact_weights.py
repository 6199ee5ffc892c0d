"""The shipped weights as dist/ serves them: the float32 arrays of the models in FLOAT16 stored as
float16 (half the bytes; inkling.nn.weights widens them back to float32 when it loads them),
each file's sha256 and dtype in the manifest rewritten to match. weights/ itself (the training
output) stays float32: build.py makes the compact copy from it every time.

    python -m deploy.compact_weights [--check]   # MNIST test accuracy of each model, float32 vs float16

A model is listed in FLOAT16 only when `--check` measured its accuracy moving by at most
MAX_MOVE (docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np

FLOAT16 = ("cnn", "mlp")
MAX_MOVE = 0.0002  # 0.02 points of accuracy: 2 of the 10,000 MNIST test images


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def compact(dest: Path, models=FLOAT16) -> None:
    """Rewrites dest/ (a copy of weights/: manifest.json and the files it lists, already checked):
    the float32 arrays of `models` as float16, the manifest to match."""
    manifest = json.loads((dest / "manifest.json").read_text())
    for name in models:
        for entry in manifest["models"].get(name, {}).get("files", {}).values():
            if entry["dtype"] != "float32":
                continue
            path = dest / entry["path"]
            data = _npy(np.load(path, allow_pickle=False).astype(np.float16))
            path.write_bytes(data)
            entry.update(dtype="float16", sha256=hashlib.sha256(data).hexdigest())
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def check(src: Path) -> list[dict]:
    """MNIST test accuracy of each model in src/, as stored and with every array float16."""
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
            "float16": after[n],
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
            f"{r['model']}: float32 {r['float32']:.4f}, float16 {r['float16']:.4f}, "
            f"moved {r['moved'] * 100:+.2f} points ({'ok' if r['ok'] else 'too much'})"
        )
    return 0 if all(r["ok"] or r["model"] not in FLOAT16 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
