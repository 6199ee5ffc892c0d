"""`Layer`: the interface every layer implements (see docs/architecture.md), plus weight init.

A layer owns three dicts of arrays:

* ``params``: trainable arrays by name ("W", "b", "gamma", ...);
* ``grads``:  same keys and shapes, written by ``backward``;
* ``state``:  saved with the model but not trained (BatchNorm running statistics).

``forward(x, training=False)`` caches what ``backward`` needs; ``backward(grad_out)`` returns
dL/dx and fills ``grads``. Computation follows the input's dtype (float32 when training,
float64 in gradient checks): parameters are cast to ``x.dtype`` (free when they already match)
and gradients are stored in each parameter's own dtype so optimisers can update in place.
"""

import numpy as np


class Layer:
    """Base class: a layer without parameters that passes its input through."""

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.state = {}

    def forward(self, x, training=False):
        return x

    def backward(self, grad_out):
        return grad_out

    def backward_params(self, grad_out):
        """Fill ``grads`` only, when dL/dx is not needed (the model's first trainable layer);
        layers whose input gradient is costly override this to skip it."""
        self.backward(grad_out)

    def config(self):
        """JSON-able description: {"type": <class name>, ...constructor arguments}."""
        return {"type": type(self).__name__}

    @classmethod
    def from_config(cls, config, rng=None, dtype=np.float32):
        """Build from `config()` output; `rng` draws initial weights, `dtype` is the params' dtype."""
        kwargs = {key: value for key, value in config.items() if key != "type"}
        return cls(**kwargs)

    def _set_grad(self, name, value):
        """Store a gradient in the dtype of its parameter (it may have been computed in x.dtype)."""
        self.grads[name] = value.astype(self.params[name].dtype, copy=False)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({args})"


class NoDraws:
    """Stands in for a Generator when the weights are loaded right after the model is built:
    weights start at zero and dropout seeds at 0, nothing is drawn, so loading a model to predict
    never imports numpy.random (~60 ms of a page load in Pyodide)."""

    def standard_normal(self, shape):
        return np.zeros(shape)

    def integers(self, high):
        return 0


def init_weights(rng, shape, fan_in, fan_out, scheme, dtype):
    """Deterministic normal init drawn from `rng`.

    "he": std sqrt(2 / fan_in), right before a ReLU (He et al. 2015).
    "glorot": std sqrt(2 / (fan_in + fan_out)), for the output layer (Glorot & Bengio 2010).
    """
    if rng is None:
        rng = np.random.default_rng(0)
    if scheme == "he":
        std = np.sqrt(2.0 / fan_in)
    elif scheme == "glorot":
        std = np.sqrt(2.0 / (fan_in + fan_out))
    else:
        raise ValueError(f"unknown init scheme {scheme!r}: expected 'he' or 'glorot'")
    return (rng.standard_normal(shape) * std).astype(dtype)
