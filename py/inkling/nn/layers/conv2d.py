"""2-D convolution (cross-correlation, as in every DL library) with stride and zero padding.

Shapes: x [N, C, H, W] -> y [N, F, OH, OW] with OH = (H + 2p - k) // s + 1 (same for OW);
W [F, C, k, k]; b [F].

Vectorised with im2col: every k x k window of every channel becomes one column of
`cols [C*k*k, OH*OW*N]` (copied once from strided views), so the convolution is one matrix
product `W.reshape(F, -1) @ cols`. The backward pass is two more products; col2im (scattering
window gradients back onto the image) loops over the k*k kernel offsets adding one strided slice
each, far faster than `np.add.at` over every element.
The image is first laid out batch-last, [C, Hp, Wp, N], and the columns ordered (oh, ow, n):
then a kernel offset's slice is a run of OW*N contiguous numbers per output row, so the copies
in im2col and the adds in col2im go in long runs instead of OW-long ones: several times faster
without a BLAS, where these copies are a large part of a step (docs/benchmarks.md, Layers).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import ops
from .base import Layer, init_weights


def conv_output_size(size, kernel, stride=1, padding=0):
    """Spatial size after a convolution or pooling window: floor((size + 2p - k) / s) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x_padded, kernel, stride):
    """x_padded [C, Hp, Wp, N] (batch last) -> cols [C*k*k, OH*OW*N]; rows ordered (c, i, j),
    columns (oh, ow, n)."""
    c, n = x_padded.shape[0], x_padded.shape[3]
    windows = sliding_window_view(x_padded, (kernel, kernel), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # [C, OH, OW, N, k, k] view
    oh, ow = windows.shape[1:3]
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(c * kernel * kernel, oh * ow * n)


def col2im(cols, padded_shape, kernel, stride, out_hw):
    """Adjoint of im2col: sum window gradients cols [C*k*k, OH*OW*N] into [C, Hp, Wp, N]."""
    c, hp, wp, n = padded_shape
    oh, ow = out_hw
    windows = cols.reshape(c, kernel, kernel, oh, ow, n)
    image = np.zeros((c, hp, wp, n), dtype=cols.dtype)
    h_span, w_span = stride * (oh - 1) + 1, stride * (ow - 1) + 1
    for i in range(kernel):
        for j in range(kernel):
            image[:, i : i + h_span : stride, j : j + w_span : stride] += windows[:, i, j]
    return image


class Conv2D(Layer):
    def __init__(self, n_in, n_out, kernel, stride=1, padding=0, init="he", rng=None, dtype=np.float32):
        super().__init__()
        self.n_in, self.n_out, self.kernel = int(n_in), int(n_out), int(kernel)
        self.stride, self.padding, self.init = int(stride), int(padding), init
        fan_in, fan_out = self.n_in * self.kernel**2, self.n_out * self.kernel**2
        shape = (self.n_out, self.n_in, self.kernel, self.kernel)
        self.params["W"] = init_weights(rng, shape, fan_in, fan_out, init, dtype)
        self.params["b"] = np.zeros(self.n_out, dtype=dtype)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self._cols = self._padded_shape = self._out_hw = None

    def forward(self, x, training=False):
        n, _, h, w = x.shape
        p, k, s = self.padding, self.kernel, self.stride
        x_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0))  # [C, H, W, N]
        x_padded = np.pad(x_last, ((0, 0), (p, p), (p, p), (0, 0))) if p else x_last
        oh, ow = conv_output_size(h, k, s, p), conv_output_size(w, k, s, p)
        cols = im2col(x_padded, k, s)  # [C*k*k, OH*OW*N]
        W = self.params["W"].astype(x.dtype, copy=False).reshape(self.n_out, -1)
        out = ops.matmul(W, cols)  # [F, OH*OW*N]
        out += self.params["b"].astype(x.dtype, copy=False)[:, None]
        self._cols, self._padded_shape, self._out_hw = cols, x_padded.shape, (oh, ow)
        # [F, OH, OW, N] -> [N, F, OH, OW], made contiguous once so the layers after stay fast.
        return np.ascontiguousarray(out.reshape(self.n_out, oh, ow, n).transpose(3, 0, 1, 2))

    def backward(self, grad_out):
        g = self.backward_params(grad_out)
        W = self.params["W"].astype(grad_out.dtype, copy=False).reshape(self.n_out, -1)
        grad_cols = ops.matmul(W.T, g)  # [C*k*k, OH*OW*N]
        grad_padded = col2im(grad_cols, self._padded_shape, self.kernel, self.stride, self._out_hw)  # [C, Hp, Wp, N]
        p = self.padding
        grad_last = grad_padded[:, p:-p, p:-p] if p else grad_padded
        return np.ascontiguousarray(grad_last.transpose(3, 0, 1, 2))  # [N, C, H, W]

    def backward_params(self, grad_out):
        """Fills grads["W"], grads["b"]; returns grad_out as [F, OH*OW*N] for backward()."""
        g = np.ascontiguousarray(grad_out.transpose(1, 2, 3, 0)).reshape(self.n_out, -1)
        self._set_grad("W", ops.matmul(g, self._cols.T).reshape(self.params["W"].shape))
        self._set_grad("b", g.sum(axis=1))
        return g

    def config(self):
        config = {
            "type": "Conv2D",
            "in": self.n_in,
            "out": self.n_out,
            "kernel": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
        }
        if self.init != "he":
            config["init"] = self.init
        return config

    @classmethod
    def from_config(cls, config, rng=None, dtype=np.float32):
        return cls(
            config["in"],
            config["out"],
            config["kernel"],
            stride=config.get("stride", 1),
            padding=config.get("padding", 0),
            init=config.get("init", "he"),
            rng=rng,
            dtype=dtype,
        )
