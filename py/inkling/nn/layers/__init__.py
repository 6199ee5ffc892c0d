"""Layers, one a file; each `forward` sits beside its `backward` (interface: base.Layer).

`LAYER_TYPES` maps the "type" of a layer's config to its class, for Sequential.from_config.
"""

from .base import Layer
from .batchnorm import BatchNorm
from .conv2d import Conv2D
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .maxpool2d import MaxPool2D
from .relu import ReLU
from .reshape import Reshape

LAYER_TYPES = {cls.__name__: cls for cls in (BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU, Reshape)}

__all__ = ["LAYER_TYPES", "Layer", *LAYER_TYPES]
