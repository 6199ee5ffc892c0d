"""inkling.worker.library: one-file exports, imports that refuse anything wrong, stored models."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inkling.nn import weights
from inkling.nn.model import Sequential, mlp_config
from inkling.nn.weights import WeightsError
from inkling.worker import app, library, studio

SHIPPED = Path(__file__).resolve().parents[3] / "weights"
IMAGES = np.random.default_rng(1).random((6, 28, 28), dtype=np.float32)


def packed(files: dict[str, bytes]) -> tuple[bytes, str]:
    """What the page sends: the files' bytes one after another, and their [[name, size], ...]."""
    return b"".join(files.values()), json.dumps([[n, len(d)] for n, d in files.items()])


def import_zip(data: bytes, file_name="model.zip") -> dict:
    return library.import_files(*packed({file_name: data}), weights_dir=SHIPPED)


def test_export_then_import_predicts_identically():
    out = library.export_model("mlp", json.dumps({"created": "2026-01-01", "bogus": 1}), SHIPPED)
    assert out["filename"] == "inkling-mlp.zip"
    data = out["zip"].tobytes()
    meta = json.loads(weights.unzip(data)["manifest.json"])["models"]["mlp"]
    assert meta["input"] == "normalized" and meta["created"] == "2026-01-01" and "bogus" not in meta
    r = import_zip(data)
    assert r["name"] == "mlp-2" and r["input"] == "normalized"  # "mlp" is taken: a new name
    a = app.load_model("mlp", SHIPPED).predict_proba(IMAGES)
    b = app.load_model("mlp-2", SHIPPED).predict_proba(IMAGES)
    assert np.array_equal(a, b)
    assert np.array_equal(weights.from_zip(r["zip"].tobytes()).predict_proba(IMAGES), a)


def test_manifest_and_npy_files_picked_together():
    files = weights.to_bytes(Sequential.from_config(mlp_config(hidden=(8,))), "tiny")
    bare = {Path(p).name: d for p, d in files.items()}  # no folders, as a file picker gives
    r = library.import_files(*packed(bare), weights_dir=SHIPPED)
    assert r["name"] == "tiny" and r["parameters"] == 784 * 8 + 8 + 8 * 10 + 10


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda files: b"this is text, not a zip", "not a .zip"),
        (lambda files: weights.to_zip(Sequential.from_config(mlp_config(hidden=(8,))), "m")[:200], "not a .zip"),
        (lambda files: rezip({**files, "m/1.W.npy": npy(np.zeros((5, 8), np.float32))}), "shape"),
        (lambda files: rezip({**files, "m/1.W.npy": files["m/1.W.npy"][:-1] + b"\x01"}), "sha256"),
        (lambda files: rezip({**files, "manifest.json": json.dumps({"format": 9}).encode()}), "format"),
    ],
)
def test_bad_imports_are_refused_and_nothing_registered(make, says):
    before = app.model_names(SHIPPED)
    files = weights.to_bytes(Sequential.from_config(mlp_config(hidden=(8,))), "m")
    with pytest.raises(WeightsError, match=says):
        import_zip(make(files))
    assert app.model_names(SHIPPED) == before


def test_a_model_without_ten_outputs_is_refused():
    model = Sequential.from_config([{"type": "Flatten"}, {"type": "Dense", "in": 784, "out": 7}])
    with pytest.raises(WeightsError, match="not 10 digits"):
        import_zip(weights.to_zip(model, "seven"))


def test_register_stored_keeps_the_name_and_moves_the_studio_counter():
    data = weights.to_zip(Sequential.from_config(mlp_config(hidden=(8,))), "x", {"input": "raw"})
    r = library.register_stored("my-mlp-7", data, SHIPPED)
    assert r["name"] == "my-mlp-7" and r["input"] == "raw"
    assert studio._count >= 7  # the next model trained in the page is my-mlp-8 or later
    with pytest.raises(WeightsError, match="plain name"):
        library.register_stored("../evil", data, SHIPPED)


def rezip(files):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def npy(array):
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_importing_a_model_never_imports_numpy_random():
    """A page loads numpy.random's extension modules only when it first trains
    (web/worker/wheel-install.js): restoring or importing a kept model must not need them."""
    code = (
        "import json, sys; from pathlib import Path; from inkling.worker import library; "
        f"shipped = Path({str(SHIPPED)!r}); "
        "data = library.export_model('mlp', '{}', shipped)['zip'].tobytes(); "
        "library.import_files(data, json.dumps([['m.zip', len(data)]]), weights_dir=shipped); "
        "print('numpy.random' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SHIPPED.parent / "py")},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
