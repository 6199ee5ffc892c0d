"""The one matrix product every layer uses: `matmul(a, b)` for 2-D `a [M, K]`, `b [K, P]` -> `[M, P]`.

Three backends compute it:

* ``"matmul"``: ``a @ b``. In CPython numpy links a BLAS, so this is the fast one by far.
* ``"wasm"``: Pyodide only, once ``use_wasm_kernel()`` has loaded it: float32 products by a
  WebAssembly SIMD kernel (inkling.nn.wasm_matmul), several times einsum's speed there; products
  of other dtypes (the float64 gradient checks) go to einsum.
* ``"einsum"``: ``np.einsum("ik,kj->ij", a, b)``. Pyodide's numpy has no BLAS and its fallback
  ``@`` is a naive loop; einsum's sum-of-products kernel is about twice as fast there.

Which one runs is decided once, on first use, and never by a timing: the env var
``INKLING_MATMUL=matmul|einsum|wasm`` wins; otherwise ``@`` where numpy reports a BLAS, the kernel
where it is loaded, einsum otherwise. A timing at start-up is noisy under load: it once picked
``@`` in the page, which made training twice as slow and changed its result for the same seed
(docs/benchmarks.md). A fixed rule makes runs reproducible. ``measure_backends`` still times
them, for the benchmarks.
Transposed views (``a.T``) are fine as arguments: `@` and the kernel take them as they are, and
einsum makes the contiguous copies its faster loop needs (see matmul_einsum).
"""

import os
import time

import numpy as np

from . import wasm_matmul

BACKENDS = ("matmul", "einsum", "wasm")
ENV_VAR = "INKLING_MATMUL"

_backend = None  # the chosen name, or None until first use


def matmul_operator(a, b):
    """`a @ b` (BLAS where numpy has one)."""
    return a @ b


# einsum has two loops for a product. "ik,kj->ij" runs along a row of b and of the output
# (out[i, :] += a[i, k] * b[k, :]: two loads and a store per multiply-add); "ik,jk->ij" runs along
# the summed axis (a dot product of two contiguous rows: two loads, no store) but needs b.T
# contiguous, which usually means a copy. Pyodide under Node, medians of 7 interleaved rounds,
# ms "kj" -> "jk" (copies included): MLP 784-128-10 at batch 128, first layer (x [128, 520] of
# the batch's non-zero pixels) forward 5.60 -> 4.09, its dW 5.50 -> 4.65, second layer
# 0.25 -> 0.09; the CNN's im2col products, whose rows are 8192-73728 long, got slower (conv2
# forward 20.5 -> 21.6, dW 13.2 -> 15.1, conv1 forward 10.8 -> 18.4). So the dot-product loop
# runs when the summed axis is at least as long as the output rows and both operands fit in cache.
DOT_LOOP_MAX_ELEMENTS = 1 << 18  # a.size + b.size: 1 MB of float32


def matmul_einsum(a, b):
    """`a @ b` written as an einsum; `optimize=False` so it never routes back to BLAS-less dot."""
    k, p = b.shape
    if k >= p and a.size + b.size <= DOT_LOOP_MAX_ELEMENTS:
        return np.einsum("ik,jk->ij", np.ascontiguousarray(a), np.ascontiguousarray(b.T), optimize=False)
    return np.einsum("ik,kj->ij", a, b, optimize=False)


def matmul_wasm(a, b):
    """`a @ b` by the WebAssembly kernel where it takes the operands (float32), else einsum."""
    return wasm_matmul.matmul(a, b) if wasm_matmul.handles(a, b) else matmul_einsum(a, b)


_IMPLEMENTATIONS = {"matmul": matmul_operator, "einsum": matmul_einsum, "wasm": matmul_wasm}


def available_backends():
    """The backends that can run here: "wasm" only once the kernel is loaded."""
    return tuple(name for name in BACKENDS if name != "wasm" or wasm_matmul.loaded())


def use_wasm_kernel():
    """Load the WebAssembly kernel (Pyodide only) and choose the backend again, so the kernel
    runs where there is no BLAS; returns whether it loaded."""
    loaded = wasm_matmul.load()
    set_backend(None)
    return loaded


def measure_backends(shape=(64, 128, 512), repeats=5, dtype=np.float32):
    """Best-of-`repeats` seconds for one `[M, K] @ [K, P]` product with each available backend
    (the backends take turns, one product each per round)."""
    m, k, p = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, p)).astype(dtype)
    implementations = {name: _IMPLEMENTATIONS[name] for name in available_backends()}
    for impl in implementations.values():
        impl(a, b)  # warm-up: first calls pay for allocation and dispatch set-up
    timings = {name: float("inf") for name in implementations}
    for _ in range(repeats):
        for name, impl in implementations.items():
            start = time.perf_counter()
            impl(a, b)
            timings[name] = min(timings[name], time.perf_counter() - start)
    return timings


def _choose_backend():
    requested = os.environ.get(ENV_VAR, "").strip().lower()
    if requested:
        if requested not in available_backends():
            raise ValueError(f"{ENV_VAR}={requested!r}: expected one of {available_backends()}")
        return requested
    if numpy_has_blas():
        return "matmul"
    return "wasm" if wasm_matmul.loaded() else "einsum"


def numpy_has_blas():
    """True where numpy was built against a BLAS (CPython wheels: OpenBLAS). Pyodide's numpy has
    none."""
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    except (AttributeError, KeyError, TypeError):
        return False
    return blas.get("found") is True


def backend():
    """Name of the backend in use ("matmul", "einsum" or "wasm"), choosing it if not yet chosen."""
    global _backend
    if _backend is None:
        _backend = _choose_backend()
    return _backend


def set_backend(name):
    """Force a backend ("matmul" / "einsum" / "wasm" once loaded), or pass None to choose again
    (env var, then BLAS, then the kernel)."""
    global _backend
    if name is not None and name not in available_backends():
        raise ValueError(f"matmul backend {name!r} is not available: expected one of {available_backends()}")
    _backend = name


def matmul(a, b):
    """`a [M, K] @ b [K, P] -> [M, P]` with the chosen formulation; dtype follows numpy promotion."""
    return _IMPLEMENTATIONS[backend()](a, b)
