"""Reshape each example: x [N, ...] -> [N, *shape]. The CNN starts with Reshape([1, 28, 28])
so it takes the same [N, 28, 28] images as the MLP and sees them as one-channel [N, 1, 28, 28].
"""

from .base import Layer


class Reshape(Layer):
    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(int(d) for d in shape)
        self._in_shape = None

    def forward(self, x, training=False):
        self._in_shape = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, grad_out):
        return grad_out.reshape(self._in_shape)

    def config(self):
        return {"type": "Reshape", "shape": list(self.shape)}
