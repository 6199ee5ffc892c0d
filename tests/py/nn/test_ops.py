"""ops.matmul: the backends agree; the choice is the env var, else BLAS, else the WebAssembly
kernel once loaded (Pyodide only: tests/py/nn/test_in_pyodide.py), else einsum; never a timing."""

import numpy as np
import pytest
from engine_checks import FLOAT32_STEP_TOLERANCE, MATMUL_TOLERANCE, float32_step_errors, matmul_agreement

from inkling.nn import ops, wasm_matmul


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
    for name in ops.available_backends():
        ops.set_backend(name)
        result = ops.matmul(a, b)
        assert ops.backend() == name
        assert result.dtype == np.float32
        np.testing.assert_array_equal(result, expected)
        np.testing.assert_array_equal(ops.matmul(b.T, a.T), np.array(expected).T)


def no_timing(*args, **kwargs):
    raise AssertionError("the backend was chosen by timing")


@pytest.mark.parametrize("name", ["matmul", "einsum"])
def test_env_var_overrides_the_rule(monkeypatch, name):
    monkeypatch.setenv(ops.ENV_VAR, name)
    monkeypatch.setattr(ops, "numpy_has_blas", lambda: name == "einsum")  # the opposite pick
    assert ops.backend() == name


def test_unknown_env_var_value_is_an_error(monkeypatch):
    monkeypatch.setenv(ops.ENV_VAR, "blas")
    with pytest.raises(ValueError, match="INKLING_MATMUL"):
        ops.backend()
    with pytest.raises(ValueError):
        ops.set_backend("blas")


@pytest.mark.parametrize("has_blas, expected", [(True, "matmul"), (False, "einsum")])
def test_without_env_var_blas_decides_and_nothing_is_timed(monkeypatch, has_blas, expected):
    """A timing under load once picked `@` in Pyodide (2x slower training, other results)."""
    monkeypatch.setattr(ops, "numpy_has_blas", lambda: has_blas)
    monkeypatch.setattr(ops, "measure_backends", no_timing)
    assert ops.backend() == expected


def test_measure_backends_times_each_available_one():
    timings = ops.measure_backends(shape=(8, 16, 4), repeats=1)
    assert set(timings) == {"matmul", "einsum"} and all(t > 0 for t in timings.values())


def test_the_wasm_kernel_is_pyodide_only():
    """CPython cannot load a WebAssembly module: "wasm" is not offered, asking for it is an error,
    and use_wasm_kernel leaves BLAS in charge."""
    assert ops.available_backends() == ("matmul", "einsum")
    assert ops.use_wasm_kernel() is False and ops.backend() == "matmul"
    with pytest.raises(ValueError, match="not available"):
        ops.set_backend("wasm")
    with pytest.raises(RuntimeError, match="not loaded"):
        wasm_matmul.matmul(np.ones((2, 2), np.float32), np.ones((2, 4), np.float32))


def test_asking_for_the_kernel_by_env_var_without_it_is_an_error(monkeypatch):
    monkeypatch.setenv(ops.ENV_VAR, "wasm")
    with pytest.raises(ValueError, match="INKLING_MATMUL='wasm'"):
        ops.backend()


@pytest.mark.parametrize("name", ["matmul", "einsum"])
def test_a_float32_training_step_matches_float64(name):
    """The same check as in Pyodide (tests/py/nn/test_in_pyodide.py), where "wasm" joins in."""
    ops.set_backend(name)
    assert all(e < FLOAT32_STEP_TOLERANCE for e in float32_step_errors().values())


def test_this_cpython_numpy_reports_its_blas():
    """The CPython wheels link OpenBLAS; if this ever fails, the check above reads the wrong key."""
    assert ops.numpy_has_blas()


def einsum_loops_used(monkeypatch, a, b):
    """ops.matmul_einsum(a, b) checked against a @ b; returns the einsum subscripts it used."""
    used = []
    real = np.einsum
    monkeypatch.setattr(np, "einsum", lambda spec, *ops_, **kw: used.append(spec) or real(spec, *ops_, **kw))
    result = ops.matmul_einsum(a, b)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(result, exact, rtol=1e-5, atol=1e-5 * a.shape[1])  # float32 sums
    return used


@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True), (True, True)])
def test_einsum_runs_along_the_summed_axis_for_dense_layer_products(monkeypatch, transpose_a, transpose_b):
    """An MLP's products ([128, 520] @ [520, 128]): the dot-product loop, whatever the layouts."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((520, 128) if transpose_a else (128, 520)).astype(np.float32)
    b = rng.standard_normal((128, 520) if transpose_b else (520, 128)).astype(np.float32)
    a, b = (a.T if transpose_a else a), (b.T if transpose_b else b)
    assert einsum_loops_used(monkeypatch, a, b) == ["ik,jk->ij"]


@pytest.mark.parametrize(
    "shape",
    [
        (16, 200, 1024),  # conv forward: rows longer than the sum
        (16, 4096, 200),
    ],
)  # conv dW: operands too big for the cache
def test_einsum_runs_along_the_rows_for_im2col_products(monkeypatch, shape):
    m, k, p = shape
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, p)).astype(np.float32)
    assert einsum_loops_used(monkeypatch, a, b) == ["ik,kj->ij"]
