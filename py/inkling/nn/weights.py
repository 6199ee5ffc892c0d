"""Save and load models as `.npy` arrays + `manifest.json` (format in docs/architecture.md).

Loading trusts nothing: each array file is checked against its manifest entry (format, dtype,
shape, length, sha256) before any model is built, arrays are read with allow_pickle=False, and
the architecture must produce exactly the arrays listed. Every refusal is a WeightsError naming
the file and the problem. The same code works on a folder (CPython) or on a dict of bytes (the
browser hands files over as bytes, e.g. for export/import).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import numpy as np

FORMAT = 1
MANIFEST = "manifest.json"
ALLOWED_DTYPES = {"int8", "float16", "float32", "float64", "int64", "int32"}  # plain numbers only, never objects
ZIP_MAX_FILES = 256  # an export holds a manifest + one .npy per array (~20)
ZIP_MAX_BYTES = 256 << 20  # unpacked total: refuses zip bombs before inflating them


class WeightsError(Exception):
    """A weights file or manifest entry that cannot be trusted; the message names which and why."""


def npy_bytes(array: np.ndarray) -> bytes:
    """The exact bytes np.save writes for `array` (object arrays refused)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def check_npy(data: bytes, spec: dict, label: str) -> np.ndarray:
    """Parse `data` as .npy after checking it against its manifest `spec` {path, shape, dtype, sha256}."""
    try:
        want_dtype, want_shape = spec["dtype"], tuple(int(d) for d in spec["shape"])
    except (KeyError, TypeError, ValueError):
        raise WeightsError(f"{label}: manifest entry needs a dtype and a list shape") from None
    if want_dtype not in ALLOWED_DTYPES:
        raise WeightsError(f"{label}: manifest dtype {want_dtype!r} is not one of {sorted(ALLOWED_DTYPES)}")
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}[
            version
        ]
        shape, fortran_order, dtype = read_header(stream)
    except Exception as error:  # numpy raises ValueError / EOFError / KeyError for bad headers
        raise WeightsError(f"{label}: not a valid .npy file ({error!r})") from None
    if dtype.hasobject:
        raise WeightsError(f"{label}: holds a Python-object array; refused (could run code)")
    # .npy files written by np.save on any machine we ship to are little-endian.
    if dtype.str != np.dtype(want_dtype).newbyteorder("<").str:
        raise WeightsError(f"{label}: dtype is {dtype.str}, manifest says {want_dtype}")
    if tuple(shape) != want_shape:
        raise WeightsError(f"{label}: shape is {tuple(shape)}, manifest says {want_shape}")
    expected_length = stream.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) < expected_length:
        raise WeightsError(f"{label}: truncated: {len(data)} bytes, {expected_length} needed")
    if len(data) > expected_length:
        raise WeightsError(f"{label}: {len(data) - expected_length} unexpected bytes after the array")
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.get("sha256"):
        raise WeightsError(f"{label}: sha256 is {actual}, manifest says {spec.get('sha256')}")
    array = np.load(io.BytesIO(data), allow_pickle=False)
    return dequantized(array, spec, label) if want_dtype == "int8" else array


def dequantized(array: np.ndarray, spec: dict, label: str) -> np.ndarray:
    """An int8 array as the float32 it stands for: array * scale, where the manifest entry's
    "scale" is a nested list of positive numbers with as many dimensions as the array, that
    broadcasts against it (one number per output channel: shape (1, out) for a Dense layer's
    (in, out) weights, (out, 1, 1, 1) for a Conv2D kernel)."""
    try:
        if not isinstance(spec.get("scale"), list):
            raise TypeError
        scale = np.asarray(spec["scale"], dtype=np.float32)
    except (TypeError, ValueError):
        raise WeightsError(f'{label}: an int8 array needs a "scale": a nested list of numbers') from None
    try:
        fits = scale.ndim == array.ndim and np.broadcast_shapes(scale.shape, array.shape) == array.shape
    except ValueError:  # shapes that do not broadcast at all
        fits = False
    if not fits:
        raise WeightsError(f"{label}: scale of shape {scale.shape} does not fit the array's {array.shape}")
    if not (np.isfinite(scale).all() and (scale > 0).all()):
        raise WeightsError(f"{label}: scale holds a number that is not finite and positive")
    return array.astype(np.float32) * scale


def check_relative_path(path: str, label: str) -> str:
    """Manifest paths must stay inside the manifest's folder: no absolute paths, no '..'."""
    parts = PurePosixPath(path).parts
    if not path or PurePosixPath(path).is_absolute() or ".." in parts or "\\" in path:
        raise WeightsError(f"{label}: path {path!r} must be relative, inside the manifest's folder")
    return path


def pick_entry(manifest: dict, name: str | None, where: str) -> tuple[str, dict]:
    """(name, entry) of one model in a parsed manifest; name=None picks the only model."""
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("models"), dict)
    ):
        raise WeightsError(f"{where}: not an Inkling weights manifest (format {FORMAT})")
    models = manifest["models"]
    if name is None:
        if len(models) != 1:
            raise WeightsError(f"{where}: holds {sorted(models)}; say which model to load")
        name = next(iter(models))
    if name not in models:
        raise WeightsError(f"{where}: no model {name!r} (has {sorted(models)})")
    return name, models[name]


def build_checked(entry: dict, read: Callable[[str], bytes | None], where: str):
    """Check every file of a manifest `entry`, then build its Sequential and load the arrays.

    read(relative_path) returns the file's bytes, or None when the file does not exist.
    """
    from .model import Sequential  # deferred: keeps `import inkling.nn.weights` light

    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        raise WeightsError(f"{where}: the manifest entry lists no files")
    arrays = {}
    for key, spec in files.items():
        if not isinstance(spec, dict):
            raise WeightsError(f"{where}: array {key!r}: manifest entry is not an object")
        path = check_relative_path(str(spec.get("path", "")), f"{where}: array {key!r}")
        label = f"{where}: {path} (array {key!r})"
        data = read(path)
        if data is None:
            raise WeightsError(f"{label}: file is missing")
        arrays[key] = check_npy(data, spec, label)

    try:
        model = Sequential.from_config(entry["architecture"], init=False)
    except Exception as error:
        raise WeightsError(f"{where}: unknown or invalid architecture {entry.get('architecture')!r}: {error}") from None
    expected = model.arrays()
    for key, value in expected.items():
        if key not in arrays:
            raise WeightsError(f"{where}: array {key!r} (shape {value.shape}) is missing from the manifest's files")
        if arrays[key].shape != value.shape:
            raise WeightsError(
                f"{where}: array {key!r} has shape {arrays[key].shape}, the architecture needs {value.shape}"
            )
    extra = sorted(set(arrays) - set(expected))
    if extra:
        raise WeightsError(f"{where}: arrays {extra} are not part of the architecture")
    model.load_arrays({key: arrays[key].astype(expected[key].dtype, copy=False) for key in expected})
    return model


def entry_and_files(model, name: str, metadata: dict | None) -> tuple[dict, dict[str, bytes]]:
    """The manifest entry for `model` and its files {relative path: .npy bytes}."""
    entry = {"architecture": model.config(), "files": {}}
    files = {}
    for key, array in model.arrays().items():
        data = npy_bytes(array)
        path = f"{name}/{key}.npy"
        files[path] = data
        entry["files"][key] = {
            "path": path,
            "shape": list(array.shape),
            "dtype": str(array.dtype),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    entry.update(metadata or {})
    return entry, files


def to_bytes(model, name: str, metadata: dict | None = None) -> dict[str, bytes]:
    """Export one model as {relative path: bytes}, including a manifest.json listing just it."""
    entry, files = entry_and_files(model, name, metadata)
    manifest = {"format": FORMAT, "models": {name: entry}}
    files[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode()
    return files


def from_bytes(files: Mapping[str, bytes], name: str | None = None):
    """Import a model from {relative path: bytes} holding "manifest.json" (see to_bytes)."""
    if MANIFEST not in files:
        raise WeightsError(f"{MANIFEST} is missing from the files given")
    manifest = parse_manifest(files[MANIFEST], MANIFEST)
    name, entry = pick_entry(manifest, name, MANIFEST)
    return build_checked(entry, lambda path: files.get(path), f"{MANIFEST} model {name!r}")


def to_zip(model, name: str, metadata: dict | None = None) -> bytes:
    """Export one model as ONE .zip file: manifest.json + <name>/<array>.npy (see to_bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(to_bytes(model, name, metadata).items()):
            archive.writestr(path, data)
    return buffer.getvalue()


def unzip(data: bytes, where: str = "the .zip") -> dict[str, bytes]:
    """A .zip's files as {path: bytes}, refusing non-zips, too many or too big files (zip bombs).

    One folder level around the manifest (a zip of a folder) is stripped, so "x/manifest.json"
    works like "manifest.json".
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except zipfile.BadZipFile:
        raise WeightsError(f"{where} is not a .zip file") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > ZIP_MAX_FILES:
            raise WeightsError(f"{where} holds {len(infos)} files; at most {ZIP_MAX_FILES} expected")
        if sum(info.file_size for info in infos) > ZIP_MAX_BYTES:
            raise WeightsError(f"{where} unpacks to more than {ZIP_MAX_BYTES >> 20} MB")
        try:
            files = {info.filename: archive.read(info) for info in infos}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
            raise WeightsError(f"{where} is damaged: {error}") from None
    manifests = [path for path in files if PurePosixPath(path).name == MANIFEST]
    if len(manifests) == 1 and "/" in manifests[0]:
        prefix = manifests[0][: -len(MANIFEST)]
        files = {path[len(prefix) :]: data for path, data in files.items() if path.startswith(prefix)}
    return files


def from_zip(data: bytes, name: str | None = None, where: str = "the .zip"):
    """Import a model from the bytes of a .zip made by to_zip (or any zip of a manifest folder)."""
    files = unzip(data, where)
    if MANIFEST not in files:
        raise WeightsError(f"{where} holds no {MANIFEST}")
    manifest = parse_manifest(files[MANIFEST], f"{where}: {MANIFEST}")
    name, entry = pick_entry(manifest, name, f"{where}: {MANIFEST}")
    return build_checked(entry, lambda path: files.get(path), f"{where}: model {name!r}")


def parse_manifest(data: bytes | str, where: str) -> dict:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise WeightsError(f"{where}: not valid JSON ({error})") from None


def manifest_path(path_or_dir) -> Path:
    """A manifest.json path, or a folder holding one -> the manifest.json path."""
    path = Path(path_or_dir)
    return path / MANIFEST if path.is_dir() else path


def read_manifest(path_or_dir) -> dict:
    """The parsed manifest at path_or_dir (a manifest.json or its folder)."""
    path = manifest_path(path_or_dir)
    if not path.is_file():
        raise WeightsError(f"{path}: manifest file is missing")
    return parse_manifest(path.read_bytes(), str(path))


def load(path_or_dir, name: str | None = None):
    """Load model `name` (None: the manifest's only model) from a manifest.json, its folder, or
    a .zip export (to_zip)."""
    if str(path_or_dir).lower().endswith(".zip"):
        path = Path(path_or_dir)
        if not path.is_file():
            raise WeightsError(f"{path}: file is missing")
        return from_zip(path.read_bytes(), name, str(path))
    path = manifest_path(path_or_dir)
    name, entry = pick_entry(read_manifest(path), name, str(path))
    base = path.parent

    def read(relative: str) -> bytes | None:
        file = base / relative
        return file.read_bytes() if file.is_file() else None

    return build_checked(entry, read, f"{path} model {name!r}")


def save(model, name: str, directory, metadata: dict | None = None) -> Path:
    """Write <directory>/<name>/<array>.npy and merge the entry into <directory>/manifest.json.

    Returns the manifest path. Stale .npy files of an earlier save under the same name are removed.
    """
    directory = Path(directory)
    entry, files = entry_and_files(model, name, metadata)
    model_dir = directory / name
    model_dir.mkdir(parents=True, exist_ok=True)
    for old in model_dir.glob("*.npy"):
        if f"{name}/{old.name}" not in files:
            old.unlink()
    for relative, data in files.items():
        (directory / relative).write_bytes(data)
    path = directory / MANIFEST
    manifest = read_manifest(path) if path.is_file() else {"format": FORMAT, "models": {}}
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("models"), dict):
        raise WeightsError(f"{path}: not an Inkling weights manifest; refusing to overwrite it")
    manifest["models"][name] = entry
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, path)  # atomic: a reader never sees half a manifest
    return path
