"""Batch normalisation (Ioffe & Szegedy 2015) over the channel axis 1.

Shapes: x [N, C] (after Dense) or [N, C, H, W] (after Conv2D) -> same shape;
gamma, beta [C]; state running_mean, running_var [C].

Training normalises with the batch's own mean and variance (over N, or over N, H and W) and
folds them into the running averages kept in `state`; inference normalises with those.
"""

import numpy as np

from .base import Layer


class BatchNorm(Layer):
    def __init__(self, channels, momentum=0.9, eps=1e-5, dtype=np.float32):
        super().__init__()
        self.channels, self.momentum, self.eps = int(channels), float(momentum), float(eps)
        self.params["gamma"] = np.ones(self.channels, dtype=dtype)
        self.params["beta"] = np.zeros(self.channels, dtype=dtype)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.state["running_mean"] = np.zeros(self.channels, dtype=dtype)
        self.state["running_var"] = np.ones(self.channels, dtype=dtype)
        self._cache = None

    @staticmethod
    def _layout(x):
        """Axes to reduce over and the shape that broadcasts a [C] vector against x."""
        if x.ndim == 2:
            return (0,), (1, x.shape[1])
        if x.ndim == 4:
            return (0, 2, 3), (1, x.shape[1], 1, 1)
        raise ValueError(f"BatchNorm expects [N, C] or [N, C, H, W], got shape {x.shape}")

    def forward(self, x, training=False):
        axes, bshape = self._layout(x)
        gamma = self.params["gamma"].astype(x.dtype, copy=False).reshape(bshape)
        beta = self.params["beta"].astype(x.dtype, copy=False).reshape(bshape)
        if training:
            mean = x.mean(axis=axes, keepdims=True)
            centred = x - mean
            var = (centred * centred).mean(axis=axes, keepdims=True)
            inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.eps))
            self._update_running(mean.reshape(-1), var.reshape(-1), x.size // x.shape[1])
        else:
            mean = self.state["running_mean"].astype(x.dtype).reshape(bshape)
            var = self.state["running_var"].astype(x.dtype).reshape(bshape)
            inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.eps))
            centred = x - mean
        x_hat = centred * inv_std
        self._cache = (x_hat, inv_std, gamma, axes, training)
        return x_hat * gamma + beta

    def _update_running(self, batch_mean, batch_var, count):
        m = self.momentum
        unbiased = batch_var * (count / max(count - 1, 1))
        running_mean, running_var = self.state["running_mean"], self.state["running_var"]
        running_mean *= m  # in place: the arrays stay the ones arrays()/load_arrays() share
        running_mean += (1.0 - m) * batch_mean.astype(running_mean.dtype)
        running_var *= m
        running_var += (1.0 - m) * unbiased.astype(running_var.dtype)

    def backward(self, grad_out):
        x_hat, inv_std, gamma, axes, training = self._cache
        grad_beta = grad_out.sum(axis=axes, keepdims=True)
        grad_gamma = (grad_out * x_hat).sum(axis=axes, keepdims=True)
        self._set_grad("beta", grad_beta.reshape(-1))
        self._set_grad("gamma", grad_gamma.reshape(-1))
        if not training:  # fixed statistics: an affine map per channel
            return grad_out * (gamma * inv_std)
        # The batch mean and variance depend on every x too; these two terms carry that
        # (the standard closed form, written with the sums already computed above).
        count = grad_out.size // grad_out.shape[1]
        return (gamma * inv_std) * (grad_out - grad_beta / count - x_hat * (grad_gamma / count))

    def config(self):
        return {"type": "BatchNorm", "channels": self.channels, "momentum": self.momentum, "eps": self.eps}

    @classmethod
    def from_config(cls, config, rng=None, dtype=np.float32):
        return cls(config["channels"], momentum=config.get("momentum", 0.9), eps=config.get("eps", 1e-5), dtype=dtype)
