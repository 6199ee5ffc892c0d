"""weights: .npy + manifest.json round trips, and every way a weights folder is refused."""

import hashlib
import json

import numpy as np
import pytest

import inkling
from inkling.nn import weights
from inkling.nn.model import Sequential, cnn_config, mlp_config
from inkling.nn.weights import WeightsError

IMAGES = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)


def small_mlp(seed=0):
    return Sequential.from_config(mlp_config(hidden=(8,)), seed=seed)


def small_cnn(seed=0):  # has BatchNorm state arrays as well as params
    return Sequential.from_config(cnn_config(channels=(2,), hidden=8), seed=seed)


@pytest.fixture
def saved(tmp_path):
    """A folder with one saved MLP; returns (folder, model)."""
    model = small_mlp()
    weights.save(model, "mlp", tmp_path, {"test_accuracy": 0.5, "seed": 0})
    return tmp_path, model


def edit_manifest(folder, change):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest["models"]["mlp"])
    path.write_text(json.dumps(manifest))


def replace_file(folder, key, data, update_sha=True):
    """Overwrite the array file of `key`, keeping the manifest's sha256 in step if asked."""
    (folder / "mlp" / f"{key}.npy").write_bytes(data)
    if update_sha:
        edit_manifest(folder, lambda entry: entry["files"][key].update(sha256=hashlib.sha256(data).hexdigest()))


def npy(array, allow_pickle=False):
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def test_round_trip_predicts_identically(saved):
    folder, model = saved
    loaded = weights.load(folder, "mlp")
    assert loaded.config() == model.config()
    assert np.array_equal(loaded.predict_proba(IMAGES), model.predict_proba(IMAGES))


def test_manifest_lists_files_and_metadata(saved):
    folder, model = saved
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["models"]["mlp"]
    assert manifest["format"] == 1 and entry["test_accuracy"] == 0.5
    assert entry["architecture"] == model.config()
    spec = entry["files"]["1.W"]
    assert spec["path"] == "mlp/1.W.npy" and spec["shape"] == [784, 8] and spec["dtype"] == "float32"
    assert spec["sha256"] == hashlib.sha256((folder / "mlp" / "1.W.npy").read_bytes()).hexdigest()


def test_save_merges_entries_and_cnn_state_round_trips(saved):
    folder, mlp = saved
    cnn = small_cnn(seed=3)
    for array in cnn.arrays().values():  # make BatchNorm state non-trivial
        array += 0.25
    weights.save(cnn, "cnn", folder, {"test_accuracy": 0.7})
    assert set(json.loads((folder / "manifest.json").read_text())["models"]) == {"mlp", "cnn"}
    loaded = weights.load(folder / "manifest.json", "cnn")
    for key, value in cnn.arrays().items():
        assert np.array_equal(loaded.arrays()[key], value)
    assert np.array_equal(weights.load(folder, "mlp").predict_proba(IMAGES), mlp.predict_proba(IMAGES))


def test_bytes_round_trip():
    model = small_cnn(seed=1)
    files = weights.to_bytes(model, "mine", {"note": "exported"})
    assert "manifest.json" in files and "mine/0.W.npy" not in files  # layer 0 is Reshape
    loaded = weights.from_bytes(files)
    assert np.array_equal(loaded.predict_proba(IMAGES), model.predict_proba(IMAGES))
    with pytest.raises(WeightsError, match="manifest.json is missing"):
        weights.from_bytes({k: v for k, v in files.items() if k != "manifest.json"})


def test_inkling_load_by_name_path_and_folder(saved, monkeypatch):
    folder, model = saved
    monkeypatch.setenv("INKLING_WEIGHTS", str(folder))
    expected = model.predict_proba(IMAGES)
    for loaded in (
        inkling.load("mlp"),
        inkling.load(folder),
        inkling.load(str(folder / "manifest.json")),
        inkling.load(folder / "manifest.json", model="mlp"),
    ):
        assert np.array_equal(loaded.predict_proba(IMAGES), expected)
    with pytest.raises(WeightsError, match="no model 'cnn'"):
        inkling.load("cnn")


def test_refuses_wrong_shape(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["files"]["1.W"].update(shape=[8, 784]))
    with pytest.raises(WeightsError, match=r"mlp/1\.W\.npy.*shape is \(784, 8\), manifest says \(8, 784\)"):
        weights.load(folder, "mlp")


def test_refuses_wrong_dtype(saved):
    folder, model = saved
    replace_file(folder, "1.W", npy(model.arrays()["1.W"].astype(np.float64)))
    with pytest.raises(WeightsError, match=r"mlp/1\.W\.npy.*dtype is <f8, manifest says float32"):
        weights.load(folder, "mlp")


def int8_weights(folder, model, scale):
    """1.W stored as int8 (all ones) with the manifest entry's scale set to `scale`."""
    replace_file(folder, "1.W", npy(np.ones(model.arrays()["1.W"].shape, np.int8)))
    edit_manifest(folder, lambda e: e["files"]["1.W"].update(dtype="int8", scale=scale))


def test_int8_array_is_widened_by_its_scale(saved):
    """An int8 array loads as the float32 q * scale, one scale per output channel (Dense: columns)."""
    folder, model = saved
    columns = model.arrays()["1.W"].shape[1]
    int8_weights(folder, model, [[0.5 * (k + 1) for k in range(columns)]])
    w = weights.load(folder, "mlp").arrays()["1.W"]
    assert w.dtype == np.float32
    assert np.array_equal(w, np.broadcast_to(np.arange(1, columns + 1, dtype=np.float32) * 0.5, w.shape))


@pytest.mark.parametrize(
    "scale, says",
    [
        (None, 'needs a "scale"'),
        ("big", 'needs a "scale"'),
        ([[1.0, 2.0]], r"scale of shape \(1, 2\) does not fit the array's \(784, 8\)"),
        ([1.0] * 8, r"scale of shape \(8,\) does not fit"),
        ([[1.0] * 7 + [-1.0]], "not finite and positive"),
        ([[1.0] * 7 + [float("nan")]], "not finite and positive"),
    ],
)
def test_refuses_int8_without_a_fitting_scale(saved, scale, says):
    folder, model = saved
    int8_weights(folder, model, scale)
    with pytest.raises(WeightsError, match=r"mlp/1\.W\.npy.*" + says):
        weights.load(folder, "mlp")


def test_refuses_big_endian(saved):
    folder, model = saved
    replace_file(folder, "1.b", npy(model.arrays()["1.b"].astype(">f4")))
    with pytest.raises(WeightsError, match="dtype is >f4"):
        weights.load(folder, "mlp")


def test_refuses_object_array(saved):
    folder, _ = saved
    replace_file(folder, "1.b", npy(np.array([{"x": 1}] * 8, dtype=object), allow_pickle=True))
    with pytest.raises(WeightsError, match=r"mlp/1\.b\.npy.*Python-object array"):
        weights.load(folder, "mlp")


def test_refuses_object_dtype_in_manifest(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["files"]["1.b"].update(dtype="object"))
    with pytest.raises(WeightsError, match="manifest dtype 'object'"):
        weights.load(folder, "mlp")


def test_refuses_truncated_file(saved):
    folder, _ = saved
    data = (folder / "mlp" / "1.W.npy").read_bytes()
    replace_file(folder, "1.W", data[:-100], update_sha=False)
    with pytest.raises(WeightsError, match=r"mlp/1\.W\.npy.*truncated"):
        weights.load(folder, "mlp")


def test_refuses_sha256_mismatch(saved):
    folder, _ = saved
    data = bytearray((folder / "mlp" / "1.W.npy").read_bytes())
    data[-1] ^= 0x40
    replace_file(folder, "1.W", bytes(data), update_sha=False)
    with pytest.raises(WeightsError, match=r"mlp/1\.W\.npy.*sha256 is [0-9a-f]{64}, manifest says"):
        weights.load(folder, "mlp")


def test_refuses_missing_file(saved):
    folder, _ = saved
    (folder / "mlp" / "3.b.npy").unlink()
    with pytest.raises(WeightsError, match=r"mlp/3\.b\.npy.*missing"):
        weights.load(folder, "mlp")


def test_refuses_not_an_npy_file(saved):
    folder, _ = saved
    replace_file(folder, "1.b", b"not numpy at all")
    with pytest.raises(WeightsError, match=r"1\.b\.npy.*not a valid \.npy"):
        weights.load(folder, "mlp")


def test_refuses_unknown_architecture(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["architecture"].insert(1, {"type": "Banana"}))
    with pytest.raises(WeightsError, match="unknown or invalid architecture.*Banana"):
        weights.load(folder, "mlp")


def test_refuses_missing_array(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["files"].pop("3.W"))
    with pytest.raises(WeightsError, match=r"array '3\.W' .* is missing"):
        weights.load(folder, "mlp")


def test_refuses_array_the_architecture_does_not_have(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["files"].__setitem__("9.W", dict(e["files"]["3.b"])))
    with pytest.raises(WeightsError, match=r"\['9\.W'\] are not part of the architecture"):
        weights.load(folder, "mlp")


def test_refuses_shape_the_architecture_does_not_have(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["architecture"][1].update({"out": 9}))
    with pytest.raises(WeightsError, match=r"'1\.W' has shape \(784, 8\), the architecture needs \(784, 9\)"):
        weights.load(folder, "mlp")


def test_refuses_paths_outside_the_folder(saved):
    folder, _ = saved
    edit_manifest(folder, lambda e: e["files"]["1.b"].update(path="../elsewhere/1.b.npy"))
    with pytest.raises(WeightsError, match="must be relative"):
        weights.load(folder, "mlp")


def test_refuses_foreign_or_broken_manifest(tmp_path):
    with pytest.raises(WeightsError, match="manifest file is missing"):
        weights.load(tmp_path, "mlp")
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(WeightsError, match="not valid JSON"):
        weights.load(tmp_path, "mlp")
    (tmp_path / "manifest.json").write_text('{"format": 2, "models": {}}')
    with pytest.raises(WeightsError, match="not an Inkling weights manifest"):
        weights.load(tmp_path, "mlp")


def test_files_are_checked_before_the_model_is_built(saved, monkeypatch):
    folder, _ = saved
    (folder / "mlp" / "1.W.npy").write_bytes(b"\x93NUMPY")

    def must_not_build(*args, **kwargs):
        raise AssertionError("model built before its files were checked")

    monkeypatch.setattr(Sequential, "from_config", classmethod(must_not_build))
    with pytest.raises(WeightsError, match=r"1\.W\.npy"):
        weights.load(folder, "mlp")


# ----------------------------------------------------------------------------- one-file .zip export


def test_zip_round_trip_via_inkling_load(tmp_path):
    model = small_cnn(seed=3)
    path = tmp_path / "model.zip"
    path.write_bytes(weights.to_zip(model, "mine", {"test_accuracy": 0.5}))
    loaded = inkling.load(str(path))
    assert loaded.config() == model.config()
    assert np.array_equal(loaded.predict_proba(IMAGES), model.predict_proba(IMAGES))
    import zipfile

    names = sorted(zipfile.ZipFile(path).namelist())
    assert "manifest.json" in names
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert manifest["format"] == 1 and manifest["models"]["mine"]["test_accuracy"] == 0.5
    assert all(f"mine/{key}.npy" in names for key in model.arrays())


def test_zip_of_a_folder_loads_too(saved, tmp_path):
    folder, model = saved
    import zipfile

    path = tmp_path / "folder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in folder.rglob("*"):
            if file.is_file():
                archive.write(file, f"export/{file.relative_to(folder)}")
    loaded = weights.load(path)
    assert np.array_equal(loaded.predict_proba(IMAGES), model.predict_proba(IMAGES))


def rezip(files: dict) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "break_it, says",
    [
        (lambda files: b"PK\x03\x04 not really a zip", "not a .zip"),
        (lambda files: rezip({k: v for k, v in files.items() if k != "manifest.json"}), "no manifest.json"),
        (lambda files: rezip({**files, "m/1.W.npy": npy(np.zeros((3, 3), np.float32))}), "shape"),
        (lambda files: rezip({**files, "m/1.W.npy": files["m/1.W.npy"][:-4] + b"\0\0\0\1"}), "sha256"),
        (lambda files: rezip({**files, "manifest.json": b"{"}), "not valid JSON"),
    ],
)
def test_zip_refusals(break_it, says):
    files = weights.to_bytes(small_mlp(), "m")
    with pytest.raises(WeightsError, match=says):
        weights.from_zip(break_it(files))


def test_zip_bomb_refused(monkeypatch):
    monkeypatch.setattr(weights, "ZIP_MAX_BYTES", 1000)
    with pytest.raises(WeightsError, match="unpacks to more than"):
        weights.from_zip(weights.to_zip(small_mlp(), "m"))
