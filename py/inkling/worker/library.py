"""The worker's model library (web/worker/model-handlers.js): export, import and stored models
(fine-tuning on the user's digits is inkling.worker.tuning). Plain values in and out: bytes for files,
JSON text for dicts.

Every model is exported, stored (the page keeps the .zip in IndexedDB) and imported in one form,
the one-file .zip of weights.to_zip. Its metadata says how the model's inputs were prepared
("input"): the shipped models were trained on MNIST passed through preprocess.normalize_digit
("normalized"), models trained in the page on raw MNIST / 255 ("raw"); fine-tuning replays and
tests MNIST prepared the same way as the model was trained (inkling.worker.tuning).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

import numpy as np

from inkling.nn import weights
from inkling.nn.weights import WeightsError

from . import app, studio

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,47}")
STUDIO_NAME = re.compile(r"my-(?:mlp|cnn)-(\d+)")
PAGE_INFO = ("test_accuracy", "created", "source")  # what the page may add to an export
# A forward-pass check: 4 images of values spread over [0, 1) (the golden-ratio sequence), made
# without numpy.random, whose extension modules a page loads only when it first trains.
PROBE = (np.arange(4 * 28 * 28) * 0.6180339887 % 1).astype(np.float32).reshape(4, 28, 28)

_info: dict[str, dict] = {}  # metadata of the models registered here, by name


def input_kind(meta: dict) -> str:
    """ "normalized" (trained on normalize_digit MNIST) or "raw" (MNIST / 255)."""
    kind = meta.get("input") or ("normalized" if meta.get("preprocess_version") else "raw")
    return kind if kind in ("normalized", "raw") else "raw"


def metadata(name: str, weights_dir=app.WEIGHTS_DIR) -> dict:
    """What is known about model `name`: its manifest entry less arrays, or what was registered."""
    if name in _info:
        return dict(_info[name])
    path = app._manifest_path(weights_dir)
    shipped = weights.read_manifest(path)["models"] if path.is_file() else {}
    if name in shipped:
        meta = {k: v for k, v in shipped[name].items() if k not in ("architecture", "files")}
        return {**meta, "input": input_kind(meta), "source": "shipped with Inkling"}
    return {"input": "raw", "source": "trained in the page"}  # inkling.worker.studio's models


def summary(name: str, model, meta: dict) -> dict:
    return {
        "name": name,
        "test_accuracy": meta.get("test_accuracy"),
        "parameters": model.parameter_count(),
        "input": input_kind(meta),
        "source": meta.get("source", ""),
    }


def export_model(model: str, info: str = "{}", weights_dir=app.WEIGHTS_DIR) -> dict:
    """{"zip": bytes of the one-file export, "filename"}; info: JSON of PAGE_INFO fields to add."""
    extra = {k: v for k, v in json.loads(info or "{}").items() if k in PAGE_INFO}
    meta = {**metadata(model, weights_dir), **extra}
    meta["input"] = input_kind(meta)
    data = weights.to_zip(app.load_model(model, weights_dir), model, meta)
    return {"zip": np.frombuffer(data, np.uint8), "filename": f"inkling-{model}.zip"}


def check_works(model, where: str) -> None:
    """A forward pass must give 10 finite probabilities per image, summing to 1."""
    try:
        proba = model.predict_proba(PROBE)
    except Exception as error:  # a shape that does not chain through the layers
        raise WeightsError(f"{where}: the model fails on a 28x28 image ({error})") from None
    if proba.shape != (len(PROBE), 10):
        raise WeightsError(f"{where}: gives {proba.shape[1:]} outputs per image, not 10 digits")
    if not np.isfinite(proba).all() or not np.allclose(proba.sum(axis=1), 1, atol=1e-3):
        raise WeightsError(f"{where}: gives probabilities that are not finite numbers")


def unique_name(wanted: str, weights_dir=app.WEIGHTS_DIR) -> str:
    """`wanted` made safe (letters, digits, . _ -), with -2, -3, ... if the pad has it already."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", wanted).strip("-._")[:40] or "imported"
    taken = app.model_names(weights_dir)
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def register(model, name: str, meta: dict, weights_dir=app.WEIGHTS_DIR) -> dict:
    app.register_model(name, model, weights_dir)
    _info[name] = meta
    studio_name = STUDIO_NAME.fullmatch(name)
    if studio_name:  # after a reload, the next model trained must not take a stored one's name
        studio._count = max(studio._count, int(studio_name.group(1)))
    return summary(name, model, meta)


def read_export(files: dict[str, bytes], where: str) -> tuple[str, dict, object]:
    """(name, metadata, checked model) from an export's files; paths may be bare file names
    (a manifest and its .npy files picked together, without their folder)."""
    if len(files) == 1 and next(iter(files)).lower().endswith(".zip"):
        where, data = next(iter(files.items()))
        files = weights.unzip(data, where)
    by_name = {PurePosixPath(path).name: data for path, data in files.items()}
    if weights.MANIFEST not in files and weights.MANIFEST not in by_name:
        raise WeightsError(f"{where}: no {weights.MANIFEST}; pick the .zip, or a manifest.json with its .npy files")
    manifest = weights.parse_manifest(
        files.get(weights.MANIFEST, by_name.get(weights.MANIFEST)), f"{where}: {weights.MANIFEST}"
    )
    name, entry = weights.pick_entry(
        manifest,
        manifest.get("default") if isinstance(manifest, dict) and len(manifest.get("models") or {}) > 1 else None,
        where,
    )
    model = weights.build_checked(
        entry, lambda path: files.get(path, by_name.get(PurePosixPath(path).name)), f"{where}: model {name!r}"
    )
    check_works(model, where)
    meta = {k: v for k, v in entry.items() if k not in ("architecture", "files")}
    meta["input"] = input_kind(meta)
    return name, meta, model


def import_files(data, index: str, weights_dir=app.WEIGHTS_DIR) -> dict:
    """Check and register the model in the files picked or dropped.

    data: the files' bytes one after another; index: JSON [[file name, byte count], ...].
    Returns summary() plus "zip", the canonical export to store. Raises WeightsError saying what
    is wrong; nothing is registered then.
    """
    raw, files, at = bytes(data), {}, 0
    for file_name, size in json.loads(index):
        files[str(file_name)] = raw[at : at + int(size)]
        at += int(size)
    where = " + ".join(files) if len(files) <= 3 else f"the {len(files)} files"
    name, meta, model = read_export(files, f"“{where}”")
    name = unique_name(name, weights_dir)
    meta["source"] = meta.get("source") or "imported"
    return {
        **register(model, name, meta, weights_dir),
        "zip": np.frombuffer(weights.to_zip(model, name, meta), np.uint8),
    }


def register_stored(name: str, data, weights_dir=app.WEIGHTS_DIR) -> dict:
    """A model the page kept in IndexedDB (its export .zip), registered again under `name`."""
    if not NAME.fullmatch(str(name)):
        raise WeightsError(f"stored model name {name!r} is not a plain name")
    _, meta, model = read_export({f"{name}.zip": bytes(data)}, f"stored model {name!r}")
    return register(model, name, meta, weights_dir)


def tuned_name(parent: str, weights_dir=app.WEIGHTS_DIR) -> str:
    """<parent>-tuned-<n>, n the first free number (a tuned model's own suffix is replaced)."""
    base = re.sub(r"-tuned-\d+$", "", parent)
    taken, n = app.model_names(weights_dir), 1
    while f"{base}-tuned-{n}" in taken:
        n += 1
    return f"{base}-tuned-{n}"
