"""Flatten: x [N, d1, d2, ...] -> [N, d1*d2*...]; backward restores the shape."""

from .base import Layer


class Flatten(Layer):
    def __init__(self):
        super().__init__()
        self._in_shape = None

    def forward(self, x, training=False):
        self._in_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        return grad_out.reshape(self._in_shape)

    def config(self):
        return {"type": "Flatten"}
