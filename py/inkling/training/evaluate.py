"""`python -m inkling.training.evaluate`: the test accuracy of each shipped model, checked against its manifest.

Exits non-zero when a model's measured accuracy differs from the manifest's `test_accuracy` by
more than the tolerance (default 0.002, i.e. 20 of the 10,000 test images: BLAS builds may
round differently, nothing more), or when a manifest entry cannot be loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inkling import weights_dir
from inkling.data import mnist
from inkling.nn import weights

from .train import pin_matmul_backend
from .trainer import accuracy


def evaluate(directory=None, names=None, tolerance: float = 0.002) -> list[dict]:
    """[{name, test_accuracy, manifest_accuracy, parameters, ok, error?}] for each model."""
    directory = Path(directory or weights_dir())
    manifest = weights.read_manifest(directory)
    test_x, test_y = mnist.load("test")
    rows = []
    for name, entry in manifest.get("models", {}).items():
        if names and name not in names:
            continue
        row = {"name": name, "manifest_accuracy": entry.get("test_accuracy"), "parameters": entry.get("parameters")}
        try:
            model = weights.load(directory, name)
        except weights.WeightsError as error:
            rows.append({**row, "test_accuracy": None, "ok": False, "error": str(error)})
            continue
        measured = accuracy(model, test_x, test_y)
        claimed = row["manifest_accuracy"]
        ok = isinstance(claimed, (int, float)) and abs(measured - claimed) <= tolerance
        rows.append({**row, "test_accuracy": measured, "ok": ok})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inkling.training.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, help="folder holding manifest.json (default: shipped)")
    parser.add_argument("--model", action="append", help="only this model (repeatable)")
    parser.add_argument("--tolerance", type=float, default=0.002)
    args = parser.parse_args(argv)
    pin_matmul_backend()
    rows = evaluate(args.weights, args.model, args.tolerance)
    if not rows:
        print("no models found", file=sys.stderr)
        return 1
    for row in rows:
        if row["test_accuracy"] is None:
            print(f"{row['name']:6s} FAILED to load: {row['error']}")
            continue
        verdict = "ok" if row["ok"] else f"MISMATCH (tolerance {args.tolerance})"
        print(
            f"{row['name']:6s} test accuracy {row['test_accuracy']:.4f}  "
            f"manifest {row['manifest_accuracy']}  parameters {row['parameters']}  {verdict}"
        )
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
