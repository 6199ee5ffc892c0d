"""Inverted dropout: in training, zero each activation with probability `rate` and scale the
survivors by 1 / (1 - rate), so inference is the identity (no rescaling at test time).

Any shape in, the same shape out. Masks come from the layer's own seeded generator
(`self.rng`, made on first use), so a run is reproducible; a test may reset `rng` to replay a mask.
"""

import numpy as np

from .base import Layer


class Dropout(Layer):
    def __init__(self, rate=0.5, seed=0):
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.seed = seed
        self._rng = None
        self._mask = None  # None: the last forward was the identity

    @property
    def rng(self):
        """The mask generator, made when training first needs it: a model that only predicts
        never imports numpy.random (~60 ms of a page load in Pyodide)."""
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng

    @rng.setter
    def rng(self, generator):
        self._rng = generator

    def forward(self, x, training=False):
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
        self._mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.rate))
        return x * self._mask

    def backward(self, grad_out):
        return grad_out if self._mask is None else grad_out * self._mask

    def config(self):
        # The seed is not part of the architecture: Sequential.from_config draws one from its rng.
        return {"type": "Dropout", "rate": self.rate}

    @classmethod
    def from_config(cls, config, rng=None, dtype=np.float32):
        seed = int(rng.integers(2**31)) if rng is not None else config.get("seed", 0)
        return cls(config.get("rate", 0.5), seed=seed)
