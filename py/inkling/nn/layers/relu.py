"""ReLU: y = max(x, 0), elementwise. Any shape in, the same shape out."""

import numpy as np

from .base import Layer


class ReLU(Layer):
    def __init__(self):
        super().__init__()
        self._positive = None

    def forward(self, x, training=False):
        self._positive = x > 0
        return np.maximum(x, 0)  # a Python 0 keeps x's dtype (NEP 50)

    def backward(self, grad_out):
        # The kink at exactly 0 gets gradient 0 (the usual subgradient choice).
        return grad_out * self._positive

    def config(self):
        return {"type": "ReLU"}
