"""Run inside Pyodide by tests/py/test_in_pyodide.py (via run_python.mjs): every gradient case
of tests/engine_checks.py with each matmul backend, the conv reference and einsum-vs-@.
Sets RESULT (JSON-able) for the runner; asserting is left to the pytest side."""

import sys

import numpy as np

from engine_checks import (GRADIENT_CASES, conv_reference_error, gradient_errors,
                           matmul_agreement)
from inkling import ops

chosen = ops.backend()  # the run-time choice, made before anything below forces one
RESULT = {"platform": sys.platform, "numpy": np.__version__, "auto_backend": chosen,
          "gradients": {},
          "conv_reference": {f"s{s}p{p}": conv_reference_error(s, p)
                             for s, p in [(1, 0), (2, 1), (3, 2)]},
          "matmul_agreement": matmul_agreement()}
for backend in ops.BACKENDS:
    ops.set_backend(backend)
    for name in GRADIENT_CASES:
        RESULT["gradients"][f"{backend}:{name}"] = gradient_errors(name)
ops.set_backend(None)
