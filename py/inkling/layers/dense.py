"""Dense (fully connected) layer: y = x W + b.

Shapes: x [N, in] -> y [N, out]; W [in, out]; b [out].
"""

import numpy as np

from .. import ops
from .base import Layer, init_weights


class Dense(Layer):
    def __init__(self, n_in, n_out, init="he", rng=None, dtype=np.float32):
        super().__init__()
        self.n_in, self.n_out, self.init = int(n_in), int(n_out), init
        self.params["W"] = init_weights(rng, (self.n_in, self.n_out), self.n_in, self.n_out,
                                        init, dtype)
        self.params["b"] = np.zeros(self.n_out, dtype=dtype)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self._x = None

    def forward(self, x, training=False):
        W = self.params["W"].astype(x.dtype, copy=False)
        self._x = x
        return ops.matmul(x, W) + self.params["b"].astype(x.dtype, copy=False)

    def backward(self, grad_out):
        self.backward_params(grad_out)
        W = self.params["W"].astype(grad_out.dtype, copy=False)
        return ops.matmul(grad_out, W.T)                       # [N, out] @ [out, in]

    def backward_params(self, grad_out):
        self._set_grad("W", ops.matmul(self._x.T, grad_out))  # [in, N] @ [N, out]
        self._set_grad("b", grad_out.sum(axis=0))

    def config(self):
        config = {"type": "Dense", "in": self.n_in, "out": self.n_out}
        if self.init != "he":
            config["init"] = self.init
        return config

    @classmethod
    def from_config(cls, config, rng=None, dtype=np.float32):
        return cls(config["in"], config["out"], init=config.get("init", "he"), rng=rng,
                   dtype=dtype)
