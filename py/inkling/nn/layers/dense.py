"""Dense (fully connected) layer: y = x W + b.

Shapes: x [N, in] -> y [N, out]; W [in, out]; b [out].

Skipping zero inputs: an input column that is 0 for every row of the batch adds nothing to
x W and gets a zero gradient in dW = x^T g, so forward multiplies only the batch's non-zero
columns, `x[:, cols] @ W[cols]`, and backward fills dW only at rows `cols` (the rest are exactly
0). The result is the same sum without its zero terms. It pays for a first layer fed images:
in a batch of 128 MNIST digits a third of the 784 pixels are 0 in every image (the margins), and
without a BLAS (Pyodide) those two products are nearly all of an MLP's training step
(docs/benchmarks.md, Layers). With a BLAS the full product is cheaper than the gather, so by
default (`skip_zero_inputs=None`) it runs only where ops has no BLAS (einsum or the kernel); True
or False forces it (tests compare both ways). dL/dx = g W^T always uses the whole W.
"""

import numpy as np

from .. import ops
from .base import Layer, init_weights

# Gather the non-zero columns only when at most this share of them is non-zero: the gather
# copies x and W, so it must remove a fair share of the multiply-adds to pay for itself.
SKIP_WHEN_NONZERO_SHARE = 0.9


class Dense(Layer):
    def __init__(self, n_in, n_out, init="he", rng=None, dtype=np.float32):
        super().__init__()
        self.n_in, self.n_out, self.init = int(n_in), int(n_out), init
        self.params["W"] = init_weights(rng, (self.n_in, self.n_out), self.n_in, self.n_out, init, dtype)
        self.params["b"] = np.zeros(self.n_out, dtype=dtype)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.skip_zero_inputs = None  # None: where ops has no BLAS; True / False: always / never
        self._x = self._cols = None

    def _skipping(self):
        return ops.backend() != "matmul" if self.skip_zero_inputs is None else self.skip_zero_inputs

    def forward(self, x, training=False):
        W = self.params["W"].astype(x.dtype, copy=False)
        b = self.params["b"].astype(x.dtype, copy=False)
        self._x, self._cols = x, None
        if self._skipping():
            cols = np.flatnonzero(x.any(axis=0))  # [K'] input columns in use
            if len(cols) <= SKIP_WHEN_NONZERO_SHARE * self.n_in:
                self._x, self._cols = x[:, cols], cols  # [N, K']
                return ops.matmul(self._x, W[cols]) + b  # [N, K'] @ [K', out]
        return ops.matmul(x, W) + b

    def backward(self, grad_out):
        self.backward_params(grad_out)
        W = self.params["W"].astype(grad_out.dtype, copy=False)
        return ops.matmul(grad_out, W.T)  # [N, out] @ [out, in]

    def backward_params(self, grad_out):
        grad_W = ops.matmul(self._x.T, grad_out)  # [in or K', N] @ [N, out]
        if self._cols is not None:  # rows of skipped columns: 0
            full = np.zeros((self.n_in, self.n_out), dtype=grad_W.dtype)
            full[self._cols] = grad_W
            grad_W = full
        self._set_grad("W", grad_W)
        self._set_grad("b", grad_out.sum(axis=0))

    def config(self):
        config = {"type": "Dense", "in": self.n_in, "out": self.n_out}
        if self.init != "he":
            config["init"] = self.init
        return config

    @classmethod
    def from_config(cls, config, rng=None, dtype=np.float32):
        return cls(config["in"], config["out"], init=config.get("init", "he"), rng=rng, dtype=dtype)
