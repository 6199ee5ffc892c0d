"""Checks of the NumPy engine written once and run twice: by pytest in CPython
(tests/py/nn/test_layers.py, test_ops.py) and inside real Pyodide (tests/pyodide/check_engine.py).

Plain functions and data only, no pytest: each returns numbers the caller asserts on.
"""

import numpy as np
from gradcheck import check_gradients

from inkling.nn import ops
from inkling.nn.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU, Reshape
from inkling.nn.model import Sequential

GRADIENT_TOLERANCE = 1e-6  # relative error, float64 central differences
MATMUL_TOLERANCE = 1e-5  # einsum vs @ in float32, relative to the product's magnitude
FLOAT32_STEP_TOLERANCE = 1e-3  # a float32 training step vs float64 (wrong products are off by ~1)

F64 = np.float64


def _normal(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


def _replay_mask(layer):
    layer.rng = np.random.default_rng(7)  # same generator state -> the same dropout mask


def _batchnorm_with_running_stats(channels):
    layer = BatchNorm(channels, dtype=F64)
    layer.state["running_mean"][:] = _normal(channels, seed=3)
    layer.state["running_var"][:] = 0.5 + np.abs(_normal(channels, seed=4))
    return layer


def _rng(seed=0):
    return np.random.default_rng(seed)


def _tiny_cnn():
    # BatchNorm after the pool, not right after the conv: a bias feeding BatchNorm has a zero
    # gradient, which finite differences can only report as noise.
    config = [
        {"type": "Reshape", "shape": [1, 6, 6]},
        {"type": "Conv2D", "in": 1, "out": 2, "kernel": 3, "stride": 1, "padding": 1},
        {"type": "ReLU"},
        {"type": "MaxPool2D", "size": 2, "stride": 2},
        {"type": "BatchNorm", "channels": 2, "momentum": 0.9, "eps": 1e-5},
        {"type": "Flatten"},
        {"type": "Dense", "in": 18, "out": 5},
        {"type": "ReLU"},
        {"type": "Dense", "in": 5, "out": 3, "init": "glorot"},
    ]
    return Sequential.from_config(config, seed=0, dtype=F64)


# name -> () -> dict(layer=..., x=..., training=..., before_forward=...); float64 throughout.
GRADIENT_CASES = {
    "dense": lambda: dict(layer=Dense(5, 4, rng=_rng(), dtype=F64), x=_normal(3, 5)),
    "conv2d_valid": lambda: dict(layer=Conv2D(2, 3, 3, rng=_rng(), dtype=F64), x=_normal(2, 2, 6, 6)),
    "conv2d_stride2_pad1": lambda: dict(
        layer=Conv2D(2, 3, 3, stride=2, padding=1, rng=_rng(), dtype=F64), x=_normal(2, 2, 7, 7)
    ),
    "conv2d_uncovered_edge": lambda: dict(  # 5x5, k2 s2: the last row/column is never read
        layer=Conv2D(1, 2, 2, stride=2, rng=_rng(), dtype=F64), x=_normal(2, 1, 5, 5)
    ),
    "maxpool_2x2": lambda: dict(layer=MaxPool2D(2), x=_normal(2, 3, 6, 6)),
    "maxpool_odd_input": lambda: dict(layer=MaxPool2D(2), x=_normal(1, 2, 5, 5)),
    "maxpool_overlapping_3s2": lambda: dict(layer=MaxPool2D(3, stride=2), x=_normal(2, 2, 7, 7)),
    "relu": lambda: dict(layer=ReLU(), x=_normal(4, 6)),
    "dropout_training": lambda: dict(layer=Dropout(0.4), x=_normal(5, 8), before_forward=_replay_mask),
    "dropout_inference": lambda: dict(layer=Dropout(0.4), x=_normal(5, 8), training=False),
    "batchnorm_nc_training": lambda: dict(layer=BatchNorm(4, dtype=F64), x=_normal(6, 4)),
    "batchnorm_nchw_training": lambda: dict(layer=BatchNorm(3, dtype=F64), x=_normal(4, 3, 3, 3)),
    "batchnorm_nchw_inference": lambda: dict(
        layer=_batchnorm_with_running_stats(3), x=_normal(4, 3, 3, 3), training=False
    ),
    "flatten": lambda: dict(layer=Flatten(), x=_normal(2, 3, 4, 4)),
    "reshape": lambda: dict(layer=Reshape([2, 3]), x=_normal(4, 6)),
    "sequential_tiny_cnn": lambda: dict(layer=_tiny_cnn(), x=_normal(3, 6, 6)),
}


def gradient_errors(name):
    """Relative errors {"x": ..., "W": ...} of one case's analytic gradients."""
    case = GRADIENT_CASES[name]()
    return check_gradients(
        case["layer"], case["x"], training=case.get("training", True), before_forward=case.get("before_forward")
    )


def conv2d_naive(x, W, b, stride, padding):
    """Reference convolution with explicit loops: x [N, C, H, W], W [F, C, k, k] -> [N, F, OH, OW]."""
    n, _, h, w = x.shape
    f, _, k, _ = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(n):
        for j in range(f):
            for r in range(oh):
                for c in range(ow):
                    patch = xp[i, :, r * stride : r * stride + k, c * stride : c * stride + k]
                    out[i, j, r, c] = np.sum(patch * W[j]) + b[j]
    return out


def conv_reference_error(stride, padding, seed=0):
    """Max abs difference between Conv2D.forward and the naive loops (float64)."""
    layer = Conv2D(3, 4, 3, stride=stride, padding=padding, rng=_rng(seed), dtype=F64)
    layer.params["b"][:] = _normal(4, seed=seed + 1)
    x = _normal(2, 3, 7, 8, seed=seed + 2)
    expected = conv2d_naive(x, layer.params["W"], layer.params["b"], stride, padding)
    actual = layer.forward(x)
    if actual.shape != expected.shape:
        return float("inf")
    return float(np.abs(actual - expected).max())


# (stored a shape, stored b shape, use a.T?, use b.T?): the products the layers make.
MATMUL_SHAPES = [
    ((256, 784), (784, 128), False, False),  # Dense forward, MLP batch
    ((256, 784), (256, 128), True, False),  # Dense dW = x.T @ g
    ((256, 128), (784, 128), False, True),  # Dense dx = g @ W.T
    ((64, 800), (800, 512), False, False),  # Conv2D forward, W @ cols
    ((64, 800), (64, 512), True, False),  # Conv2D grad_cols = W.T @ g
    ((64, 512), (800, 512), False, True),
]  # Conv2D dW = g @ cols.T


def _layer_operands(rng):
    """(a, b) float32 pairs of MATMUL_SHAPES, transposed as the layers pass them."""
    for a_shape, b_shape, transpose_a, transpose_b in MATMUL_SHAPES:
        a = rng.standard_normal(a_shape).astype(np.float32)
        b = rng.standard_normal(b_shape).astype(np.float32)
        yield (a.T if transpose_a else a), (b.T if transpose_b else b)


def matmul_agreement():
    """max |einsum - @| / max |@| over MATMUL_SHAPES, in float32."""
    worst = 0.0
    for a, b in _layer_operands(np.random.default_rng(0)):
        by_operator, by_einsum = ops.matmul_operator(a, b), ops.matmul_einsum(a, b)
        if by_einsum.dtype != np.float32 or by_operator.shape != by_einsum.shape:
            return float("inf")
        error = np.abs(by_einsum - by_operator).max() / np.abs(by_operator).max()
        worst = max(worst, float(error))
    return worst


# The WebAssembly kernel's edges: rows not a multiple of its 4-row tile, columns not a multiple
# of its 8-column tile or of 4 (padded), an empty sum, a last 256-column panel that is partial;
# (M, K, N).
KERNEL_EDGE_SHAPES = [(m, k, n) for m in (1, 3, 4, 5, 9) for k in (0, 1, 7) for n in (1, 4, 6, 8, 12, 13)] + [
    (5, 3, 260),
    (9, 7, 301),
    (6, 2, 520),
]


def _kernel_operands(rng):
    """(a, b) pairs for a float32 product: the layers' products, the edge shapes, and views
    (a transpose, negative and non-unit strides) of both operands."""
    yield from _layer_operands(rng)
    for m, k, n in KERNEL_EDGE_SHAPES:
        yield (rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32))
    a = rng.standard_normal((10, 14)).astype(np.float32)
    b = rng.standard_normal((14, 18)).astype(np.float32)
    yield a[::-1, ::2], b[::2, ::-1]
    yield a[1:, 1:].T, b[1:9, ::2].T
    yield a[:, ::-1], b[::-1]  # B's rows contiguous, walked backwards


def kernel_agreement(product):
    """max |product(a, b) - a @ b| / max(1, max |a @ b|) over _kernel_operands, the exact product
    taken in float64; inf if a result's shape or dtype is wrong."""
    worst = 0.0
    for a, b in _kernel_operands(np.random.default_rng(0)):
        result = product(a, b)
        exact = a.astype(F64) @ b.astype(F64)
        if result.dtype != np.float32 or result.shape != exact.shape:
            return float("inf")
        if exact.size:
            worst = max(worst, float(np.abs(result - exact).max() / max(1.0, np.abs(exact).max())))
    return worst


def _float32_models():
    from inkling.nn.model import cnn_config, mlp_config

    return {
        "mlp_batchnorm": mlp_config(hidden=(32,), batchnorm=True),
        "cnn": cnn_config(channels=(4, 8), hidden=16, dropout=0.0),
    }


def float32_step_errors(seed=0):
    """{model: worst relative error} of one float32 training step (logits and every gradient) with
    the backend in use, against the same step in float64 (whose gradients the finite-difference
    checks verify). Images with blank margins, so Dense also takes its zero-column path."""
    from inkling.nn.losses import softmax_cross_entropy

    rng = np.random.default_rng(seed)
    x = np.zeros((6, 28, 28))
    x[:, 4:24, 6:22] = np.clip(rng.standard_normal((6, 20, 16)), 0, None)
    labels = np.arange(6) % 10
    errors = {}
    for name, config in _float32_models().items():
        results = []
        for dtype in (np.float32, F64):
            model = Sequential.from_config(config, seed=seed, dtype=dtype)
            logits = model.forward(x.astype(dtype), training=True)
            _, grad = softmax_cross_entropy(logits, labels)
            model.backward(grad)
            results.append([logits] + [model.grads()[key] for key in sorted(model.grads())])
        # The floor: a bias feeding BatchNorm has a zero gradient, float32 rounding noise.
        errors[name] = max(
            float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-3)) for got, want in zip(*results)
        )
    return errors
