"""The data files dist/ carries beside the code: the trained weights (checked against their
manifest), MNIST gzipped for the Train panel, and browser libraries copied from node_modules."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from deploy.errors import BuildError
from deploy.layout import sha256
from deploy.runtime import CACHE

ROOT = Path(__file__).resolve().parents[1]
# Browser libraries from npm, copied as they are: node_modules path -> dist path.
VENDOR_FILES = {"uplot/dist/uPlot.esm.js": "vendor/uPlot.esm.js", "uplot/dist/uPlot.min.css": "vendor/uPlot.min.css"}


def copy_weights(src: Path, dest: Path) -> None:
    """manifest.json and exactly the files it lists, each checked against its sha256."""
    manifest_path = src / "manifest.json"
    if not manifest_path.is_file():
        raise BuildError(f"{manifest_path} is missing: train with `python -m inkling.training.train`")
    manifest = json.loads(manifest_path.read_text())
    if not manifest.get("models"):
        raise BuildError(f"{manifest_path} lists no models")
    dest.mkdir(parents=True)
    shutil.copy2(manifest_path, dest / "manifest.json")
    for model in manifest["models"].values():
        for entry in model["files"].values():
            rel = Path(entry["path"])
            if rel.is_absolute() or ".." in rel.parts:
                raise BuildError(f"{manifest_path}: path {rel} leaves the weights folder")
            if not (src / rel).is_file() or sha256(src / rel) != entry["sha256"]:
                raise BuildError(f"{src / rel} is missing or differs from {manifest_path}")
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / rel, dest / rel)


MNIST_LEVEL = 9  # gzip level: the four files come to ~11.6 MB, under the 12 MB the page may fetch


def mnist_files(dest: Path, cache: Path = CACHE) -> dict:
    """dist/mnist/: the four MNIST IDX files gzipped (the browser's DecompressionStream("gzip")
    opens them with no library) + manifest.json with each file's sha256 (of the gzip bytes,
    what the page checks before use) and shape. The raw files are checked by inkling.data.mnist;
    the compressed ones are cached in .cache/mnist-web/ under the raw file's sha256."""
    sys.path.insert(0, str(ROOT / "py"))
    try:
        from inkling.data import mnist
    finally:
        sys.path.remove(str(ROOT / "py"))
    dest.mkdir(parents=True)
    files = {}
    for name, (_, raw_sha) in mnist.FILES.items():
        target = cache / "mnist-web" / f"{name}-{raw_sha[:16]}.idx.gz"
        if not target.is_file():
            try:
                raw = mnist.read_checked(name)
            except mnist.MnistError as e:
                raise BuildError(str(e)) from None
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".part{os.getpid()}")
            tmp.write_bytes(gzip.compress(raw, MNIST_LEVEL, mtime=0))  # mtime=0: same bytes each time
            os.replace(tmp, target)
        data = target.read_bytes()
        shape = mnist.parse_idx(gzip.decompress(data), name).shape
        (dest / f"{name}.idx.gz").write_bytes(data)
        files[name] = {
            "path": f"{name}.idx.gz",
            "bytes": len(data),
            "shape": list(shape),
            "sha256": hashlib.sha256(data).hexdigest(),
            "idx_sha256": raw_sha,
        }
    manifest = {"format": 1, "encoding": "gzip", "layout": "idx", "files": files}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def copy_vendor_files(dest: Path, node_modules: Path = ROOT / "node_modules") -> None:
    """Each VENDOR_FILES entry from node_modules/ into dest/ (dist/), unchanged."""
    for source, target in VENDOR_FILES.items():
        if not (node_modules / source).is_file():
            raise BuildError(f"{node_modules / source} is missing: run npm ci")
        (dest / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(node_modules / source, dest / target)
