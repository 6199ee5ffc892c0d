"""ops.matmul: both formulations agree, and the run-time choice honours env var and timing."""

import numpy as np
import pytest

from engine_checks import MATMUL_TOLERANCE, matmul_agreement
from inkling import ops


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch):
    monkeypatch.delenv(ops.ENV_VAR, raising=False)
    ops.set_backend(None)
    yield
    ops.set_backend(None)


def test_einsum_and_operator_agree_in_float32():
    assert matmul_agreement() < MATMUL_TOLERANCE


def test_matmul_is_a_matrix_product_with_each_backend():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    expected = [[20, 23, 26, 29], [56, 68, 80, 92]]
    for name in ops.BACKENDS:
        ops.set_backend(name)
        result = ops.matmul(a, b)
        assert ops.backend() == name
        assert result.dtype == np.float32
        np.testing.assert_array_equal(result, expected)
        np.testing.assert_array_equal(ops.matmul(b.T, a.T), np.array(expected).T)


@pytest.mark.parametrize("name", ops.BACKENDS)
def test_env_var_overrides_the_timing(monkeypatch, name):
    monkeypatch.setenv(ops.ENV_VAR, name)
    monkeypatch.setattr(ops, "measure_backends", lambda: pytest.fail("should not time"))
    assert ops.backend() == name


def test_unknown_env_var_value_is_an_error(monkeypatch):
    monkeypatch.setenv(ops.ENV_VAR, "blas")
    with pytest.raises(ValueError, match="INKLING_MATMUL"):
        ops.backend()
    with pytest.raises(ValueError):
        ops.set_backend("blas")


@pytest.mark.parametrize("faster", ops.BACKENDS)
def test_without_env_var_the_faster_measured_backend_wins(monkeypatch, faster):
    monkeypatch.setattr(ops, "numpy_has_blas", lambda: False)
    fake = {name: (0.001 if name == faster else 0.01) for name in ops.BACKENDS}
    monkeypatch.setattr(ops, "measure_backends", lambda: dict(fake))
    assert ops.backend() == faster
    assert ops.timings() == fake


def test_measure_backends_times_both():
    timings = ops.measure_backends(shape=(8, 16, 4), repeats=1)
    assert set(timings) == set(ops.BACKENDS) and all(t > 0 for t in timings.values())


def test_einsum_must_be_clearly_faster_to_replace_blas(monkeypatch):
    """A noisy timing that has einsum only slightly ahead keeps `@` (BLAS builds stay fast)."""
    monkeypatch.setattr(ops, "numpy_has_blas", lambda: False)
    fake = {"matmul": 0.0012, "einsum": 0.0010}
    monkeypatch.setattr(ops, "measure_backends", lambda: dict(fake))
    assert ops.backend() == "matmul"


def test_a_numpy_with_blas_uses_the_operator_without_timing(monkeypatch):
    def no_timing():
        raise AssertionError("timed although numpy has a BLAS")
    monkeypatch.setattr(ops, "numpy_has_blas", lambda: True)
    monkeypatch.setattr(ops, "measure_backends", no_timing)
    assert ops.backend() == "matmul"


def test_this_cpython_numpy_reports_its_blas():
    """The CPython wheels link OpenBLAS; if this ever fails, the check above reads the wrong key."""
    assert ops.numpy_has_blas()
