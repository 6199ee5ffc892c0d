"""2-D max pooling over size x size windows moved by `stride` (default: the window size).

Shapes: x [N, C, H, W] -> y [N, C, OH, OW] with OH = (H - size) // stride + 1 (rows or columns
that no window covers are dropped, as in the usual "floor" mode).

Both passes loop over the size*size offsets inside a window: the entries at offset (i, j) of
every window form one strided slice of x, so the max is size*size elementwise np.maximum calls.
numpy's elementwise loops are fast over long runs, while reducing a reshaped
[N, C, OH, 2, OW, 2] view over two tiny axes is not (over 20x slower for the CNN's pool:
docs/benchmarks.md, Layers), and the same code serves overlapping windows.

The gradient goes to the window's maximum; entries tying for it share it equally (a valid
subgradient; ties are common after a ReLU, where whole windows can be 0).
"""

import numpy as np

from .base import Layer


class MaxPool2D(Layer):
    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = int(size)
        self.stride = int(stride) if stride is not None else self.size
        self._x = self._out = None

    def _offset_slices(self, out_hw):
        """(i, j) -> index of the entries at offset (i, j) of every window, as a strided slice."""
        oh, ow = out_hw
        s = self.stride
        h_span, w_span = s * (oh - 1) + 1, s * (ow - 1) + 1
        return [
            (slice(None), slice(None), slice(i, i + h_span, s), slice(j, j + w_span, s))
            for i in range(self.size)
            for j in range(self.size)
        ]

    def forward(self, x, training=False):
        h, w = x.shape[2:]
        out_hw = ((h - self.size) // self.stride + 1, (w - self.size) // self.stride + 1)
        slices = self._offset_slices(out_hw)
        out = x[slices[0]].copy()
        for index in slices[1:]:
            np.maximum(out, x[index], out=out)
        self._x, self._out = x, out
        return out

    def backward(self, grad_out):
        x, out = self._x, self._out
        slices = self._offset_slices(out.shape[2:])
        is_max = [x[index] == out for index in slices]
        ties = is_max[0].astype(grad_out.dtype)
        for mask in is_max[1:]:
            ties += mask
        share = grad_out / ties  # each maximum's part of the window's grad
        grad_x = np.zeros(x.shape, dtype=grad_out.dtype)
        disjoint = self.stride >= self.size  # windows never overlap: write, not add
        for index, mask in zip(slices, is_max):
            if disjoint:
                np.multiply(mask, share, out=grad_x[index])
            else:
                grad_x[index] += mask * share
        return grad_x

    def config(self):
        return {"type": "MaxPool2D", "size": self.size, "stride": self.stride}
