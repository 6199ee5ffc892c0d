"""The one matrix product every layer uses: `matmul(a, b)` for 2-D `a [M, K]`, `b [K, P]` -> `[M, P]`.

Two formulations compute it:

* ``"matmul"``: ``a @ b``. In CPython numpy links a BLAS, so this is the fast one by far.
* ``"einsum"``: ``np.einsum("ik,kj->ij", a, b)``. Pyodide's numpy has no BLAS and its fallback
  ``@`` is a naive loop; einsum's sum-of-products kernel was measured ~2.5x faster there
  (256x784 @ 784x128 float32: ``@`` 24.5 ms, einsum 10.3 ms).

Which one runs is decided once, on first use: the env var ``INKLING_MATMUL=matmul|einsum`` wins;
otherwise, where numpy reports a BLAS, ``@``; otherwise both are timed on a small layer-sized
product, and einsum is kept only if it is clearly
faster (EINSUM_MARGIN): where numpy has a BLAS, a busy machine can make one noisy timing favour
einsum, which would then slow every conv ~10x. Timing (rather than trusting ``sys.platform``)
keeps the choice right on any build, BLAS or not.
The probe is wide (P = 512, like Dense's [N, in] @ [in, out] and conv's [F, C*k*k] @ [C*k*k, N*OH*OW]):
BLAS-less ``@`` walks ``b``'s columns with a stride of P, so that is where it is slowest. Measured in
Pyodide on a busy 2-core machine, `@`/einsum over 5 fresh timings: 0.98-4.1x for the old
128x512 @ 512x64 probe (so the 1.5x margin could pick `@`, 3x slower training, 6.6x for the CNN),
6.2-11x for 64x128 @ 128x512 (same multiply-adds). The two are timed in alternation so a burst
of load hits both, not just one.
Transposed views (``a.T``) are fine as arguments: neither formulation needs a contiguous copy.
"""

import os
import time

import numpy as np

BACKENDS = ("matmul", "einsum")
ENV_VAR = "INKLING_MATMUL"

EINSUM_MARGIN = 1.5  # einsum must beat `@` by this factor to be chosen (Pyodide: ~2.5x)

_backend = None      # the chosen name, or None until first use
_timings = {}        # seconds per product for each backend, filled when timed


def matmul_operator(a, b):
    """`a @ b` (BLAS where numpy has one)."""
    return a @ b


def matmul_einsum(a, b):
    """`a @ b` written as an einsum; `optimize=False` so it never routes back to BLAS-less dot."""
    return np.einsum("ik,kj->ij", a, b, optimize=False)


_IMPLEMENTATIONS = {"matmul": matmul_operator, "einsum": matmul_einsum}


def measure_backends(shape=(64, 128, 512), repeats=5, dtype=np.float32):
    """Best-of-`repeats` seconds for one `[M, K] @ [K, P]` product with each backend
    (the backends take turns, one product each per round)."""
    m, k, p = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, p)).astype(dtype)
    for impl in _IMPLEMENTATIONS.values():
        impl(a, b)  # warm-up: first calls pay for allocation and dispatch set-up
    timings = {name: float("inf") for name in _IMPLEMENTATIONS}
    for _ in range(repeats):
        for name, impl in _IMPLEMENTATIONS.items():
            start = time.perf_counter()
            impl(a, b)
            timings[name] = min(timings[name], time.perf_counter() - start)
    return timings


def _choose_backend():
    requested = os.environ.get(ENV_VAR, "").strip().lower()
    if requested:
        if requested not in BACKENDS:
            raise ValueError(f"{ENV_VAR}={requested!r}: expected one of {BACKENDS}")
        return requested
    if numpy_has_blas():
        return "matmul"
    _timings.update(measure_backends())
    return "einsum" if _timings["einsum"] * EINSUM_MARGIN < _timings["matmul"] else "matmul"


def numpy_has_blas():
    """True where numpy was built against a BLAS (CPython wheels: OpenBLAS). Pyodide's numpy has
    none. Asked first because on a busy machine late-waking BLAS threads made the timing pick
    einsum in 6 of 12 fresh CPython processes."""
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    except (AttributeError, KeyError, TypeError):
        return False
    return blas.get("found") is True


def backend():
    """Name of the formulation in use ("matmul" or "einsum"), choosing it if not yet chosen."""
    global _backend
    if _backend is None:
        _backend = _choose_backend()
    return _backend


def set_backend(name):
    """Force a backend ("matmul" / "einsum"), or pass None to choose again (env var, then timing)."""
    global _backend
    if name is not None and name not in BACKENDS:
        raise ValueError(f"unknown matmul backend {name!r}: expected one of {BACKENDS}")
    _backend = name
    _timings.clear()


def timings():
    """Seconds per product measured when the backend was chosen by timing (empty otherwise)."""
    return dict(_timings)


def matmul(a, b):
    """`a [M, K] @ b [K, P] -> [M, P]` with the chosen formulation; dtype follows numpy promotion."""
    return _IMPLEMENTATIONS[backend()](a, b)
