"""NumPy's missing BLAS in Pyodide: a float32 matrix product in WebAssembly SIMD (sgemm.wat).

Pyodide's numpy has no BLAS, so its products run as scalar loops. sgemm.wat computes C = A @ B
four rows by eight columns at a time in 128-bit vectors, so each value loaded is used 4 or 8
times: several times einsum's speed, and about half of a training step's time saved
(docs/benchmarks.md, Matrix products). build.py assembles sgemm.wat into sgemm.so, an Emscripten
side module that works in Pyodide's own memory, and ships it in the inkling wheel; `matmul` hands the kernel the arrays'
addresses through ctypes, so the operands are not copied (unless B's rows are not contiguous).

Nothing loads it at import: `load()` does, once asked (the worker asks after its memory snapshot
is taken, since a snapshot cannot hold a library loaded at run time). CPython has a BLAS and
never loads it; ops.matmul decides which product runs.
"""

import ctypes
import os
import sys
from pathlib import Path

import numpy as np

LIBRARY = Path(__file__).with_name("sgemm.so")
ENV_VAR = "INKLING_SGEMM"  # another path to the library (the Node test runner's)
LANES = 4  # float32 lanes of a 128-bit vector: N is padded to a multiple

_sgemm = None  # the kernel's ctypes function, once loaded


def load():
    """Load the kernel (Pyodide only); returns whether it is ready. Safe to call again."""
    global _sgemm
    if _sgemm is None and sys.platform == "emscripten":
        library = Path(os.environ.get(ENV_VAR) or LIBRARY)
        if library.is_file():
            try:
                function = ctypes.CDLL(str(library)).inkling_sgemm
            except OSError:  # a browser without WebAssembly SIMD (Safari before 16.4): einsum does it
                return False
            function.restype = None
            # m, n, k; A's address and byte strides (row, column); B's and C's address and row stride
            function.argtypes = [ctypes.c_int] * 3 + [
                ctypes.c_void_p,
                ctypes.c_int,
                ctypes.c_int,
                ctypes.c_void_p,
                ctypes.c_int,
                ctypes.c_void_p,
                ctypes.c_int,
            ]
            _sgemm = function
    return _sgemm is not None


def loaded():
    return _sgemm is not None


def handles(a, b):
    """Whether `matmul` can take these operands: both float32 and 2-D (others go elsewhere)."""
    return a.dtype == np.float32 and b.dtype == np.float32 and a.ndim == 2 and b.ndim == 2


def matmul(a, b):
    """`a [M, K] @ b [K, N] -> [M, N]`, float32, by the kernel (load() must have succeeded).

    a may be any view (a transpose included): the kernel reads it element by element. b's rows
    must be contiguous and N a multiple of 4; when they are not, b is copied into that form and
    the result cut back to N columns, or, when a is the smaller of the two, the product is taken
    the other way round, (b.T @ a.T).T, so that a.T is the one copied: a conv layer's weight
    gradient g [16, 8192] @ cols.T [8192, 200] copies 16 columns instead of 200.
    """
    if _sgemm is None:
        raise RuntimeError("the WebAssembly matmul kernel is not loaded (inkling.nn.wasm_matmul.load)")
    (m, k), (k_b, n) = a.shape, b.shape
    if k != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not fit")
    if k == 0 or m == 0 or n == 0:
        return np.zeros((m, n), np.float32)
    width = -(-n // LANES) * LANES
    if width != n or b.strides[1] != b.itemsize:
        if -(-m // LANES) * LANES < width:
            return np.ascontiguousarray(matmul(b.T, a.T).T)
        padded = np.zeros((k, width), np.float32)
        padded[:, :n] = b
        b = padded
    c = np.empty((m, width), np.float32)
    _sgemm(
        m, width, k, a.ctypes.data, a.strides[0], a.strides[1], b.ctypes.data, b.strides[0], c.ctypes.data, c.strides[0]
    )
    return c if width == n else np.ascontiguousarray(c[:, :n])
