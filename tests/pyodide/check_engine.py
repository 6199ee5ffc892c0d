"""Run inside Pyodide by tests/py/nn/test_in_pyodide.py (via run_python.mjs): every gradient case
of tests/engine_checks.py with each matmul backend, the conv reference and einsum-vs-@; then the
WebAssembly kernel (given to the runner with --kernel) against exact products, and a float32
training step with each backend against the same step in float64.
Sets RESULT (JSON-able) for the runner; asserting is left to the pytest side."""

import sys

import numpy as np
from engine_checks import (
    GRADIENT_CASES,
    conv_reference_error,
    float32_step_errors,
    gradient_errors,
    kernel_agreement,
    matmul_agreement,
)

from inkling.nn import ops, wasm_matmul

chosen = ops.backend()  # the run-time choice, made before anything below forces one
kernel_loaded = ops.use_wasm_kernel()
RESULT = {
    "platform": sys.platform,
    "numpy": np.__version__,
    "auto_backend": chosen,
    "kernel_loaded": kernel_loaded,
    "backend_with_kernel": ops.backend(),
    "gradients": {},
    "float32_step": {},
    "conv_reference": {f"s{s}p{p}": conv_reference_error(s, p) for s, p in [(1, 0), (2, 1), (3, 2)]},
    "matmul_agreement": matmul_agreement(),
    "kernel_agreement": kernel_agreement(wasm_matmul.matmul) if kernel_loaded else None,
}
for backend in ops.available_backends():
    ops.set_backend(backend)
    for name in GRADIENT_CASES:
        RESULT["gradients"][f"{backend}:{name}"] = gradient_errors(name)
    RESULT["float32_step"][backend] = float32_step_errors()
ops.set_backend(None)
