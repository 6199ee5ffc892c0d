"""`Sequential`: a list of layers built from a JSON-able config, plus the two shipped
architectures (`mlp_config`, `cnn_config`).

Array names are "<layer index>.<array name>" ("1.W", "2.running_mean"): the keys of
params()/grads()/arrays() and of the saved weight files. Models take images [N, 28, 28]
float32 in [0, 1] and return logits [N, 10].
"""

import numpy as np

from .layers import LAYER_TYPES
from .layers.base import NoDraws
from .layers.conv2d import conv_output_size
from .losses import softmax

IMAGE_SIZE = 28
NUM_CLASSES = 10


class Sequential:
    def __init__(self, layers):
        self.layers = list(layers)

    @classmethod
    def from_config(cls, config, seed=0, dtype=np.float32, init=True):
        """Layers from a list of layer configs; initial weights (He / Glorot normal) and dropout
        seeds all come from one np.random.default_rng(seed), so a seed fixes the whole model.
        init=False, for weights about to be loaded: zeros, dropout seeds 0, nothing drawn."""
        rng = np.random.default_rng(seed) if init else NoDraws()
        layers = []
        for index, layer_config in enumerate(config):
            layer_type = layer_config.get("type")
            if layer_type not in LAYER_TYPES:
                raise ValueError(f"layer {index}: unknown type {layer_type!r}; known: {sorted(LAYER_TYPES)}")
            layers.append(LAYER_TYPES[layer_type].from_config(layer_config, rng=rng, dtype=dtype))
        return cls(layers)

    def config(self):
        return [layer.config() for layer in self.layers]

    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_logits, input_grad=True):
        """Back-propagates dL/dlogits through every layer (filling their grads); returns dL/dx.

        input_grad=False (training) returns None and stops at the first layer with parameters,
        which fills its grads without computing dL/d(its input): nobody needs the gradient of the
        images, and for an MLP that product is a third of a training step's multiply-adds
        (docs/benchmarks.md, Layers).
        """
        grad = grad_logits
        first = next((i for i, layer in enumerate(self.layers) if layer.params), 0)
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            if not input_grad and index == first:
                layer.backward_params(grad)
                return None
            grad = layer.backward(grad)
        return grad

    def predict_proba(self, x, batch_size=256):
        """Images [N, 28, 28] -> softmax probabilities [N, 10] (float32), in inference mode.

        Runs `batch_size` images at a time so a 10k test set never materialises the CNN's
        intermediate activations for every image at once.
        """
        x = np.asarray(x, dtype=np.float32)
        batches = [
            softmax(self.forward(x[start : start + batch_size], training=False))
            for start in range(0, len(x), batch_size)
        ]
        if not batches:
            return np.zeros((0, NUM_CLASSES), dtype=np.float32)
        return np.concatenate(batches).astype(np.float32, copy=False)

    def _named(self, attribute):
        return {
            f"{index}.{name}": array
            for index, layer in enumerate(self.layers)
            for name, array in getattr(layer, attribute).items()
        }

    def params(self):
        """Trainable arrays by name: the live arrays, so in-place updates change the model."""
        return self._named("params")

    def grads(self):
        """Gradients from the last backward(), same keys as params()."""
        return self._named("grads")

    def arrays(self):
        """Everything saved: params plus state (BatchNorm running statistics)."""
        return {**self.params(), **self._named("state")}

    def load_arrays(self, arrays):
        """Copy saved arrays into the model in place; names and shapes must match exactly."""
        own = self.arrays()
        missing, unexpected = sorted(own.keys() - arrays.keys()), sorted(arrays.keys() - own.keys())
        if missing or unexpected:
            raise KeyError(f"arrays do not fit this model: missing {missing}, unexpected {unexpected}")
        for name, target in own.items():
            source = np.asarray(arrays[name])
            if source.shape != target.shape:
                raise ValueError(f"{name}: shape {source.shape} does not match the model's {target.shape}")
            np.copyto(target, source, casting="same_kind")

    def parameter_count(self):
        return int(sum(array.size for array in self.params().values()))


def _batchnorm(channels):
    # Written out in full so a builder's config equals Sequential.config() of the built model.
    return {"type": "BatchNorm", "channels": channels, "momentum": 0.9, "eps": 1e-5}


def mlp_config(hidden=(256,), dropout=0.0, batchnorm=False):
    """Flatten 784 -> [Dense -> (BatchNorm) -> ReLU -> (Dropout)] per hidden size -> Dense 10."""
    config, width = [{"type": "Flatten"}], IMAGE_SIZE * IMAGE_SIZE
    for size in hidden:
        config.append({"type": "Dense", "in": width, "out": size})
        if batchnorm:
            config.append(_batchnorm(size))
        config.append({"type": "ReLU"})
        if dropout:
            config.append({"type": "Dropout", "rate": float(dropout)})
        width = size
    config.append({"type": "Dense", "in": width, "out": NUM_CLASSES, "init": "glorot"})
    return config


def cnn_config(channels=(32, 64), kernel=5, padding=0, hidden=128, dropout=0.5, batchnorm=True):
    """Reshape [1, 28, 28] -> [Conv kxk -> (BatchNorm) -> ReLU -> MaxPool 2] per stage
    -> Flatten -> Dense hidden -> (BatchNorm) -> ReLU -> (Dropout) -> Dense 10.

    A stage of `channels` is one conv's channel count, or a list of them: several convs (each with
    its BatchNorm and ReLU) before the stage's one pool, as in VGG-style nets, where two 3x3 convs
    see as far as one 5x5 with fewer weights. The defaults (two 5x5 valid convs 1->32->64, hidden
    128) give 185,034 parameters (~0.7 MB float32): 28 -> 24 -> 12 -> 8 -> 4, so the flattened
    feature vector is 64 * 4 * 4 = 1024.
    """
    config = [{"type": "Reshape", "shape": [1, IMAGE_SIZE, IMAGE_SIZE]}]
    size, n_in = IMAGE_SIZE, 1
    for stage in channels:
        for n_out in [stage] if isinstance(stage, int) else stage:
            config.append(
                {"type": "Conv2D", "in": n_in, "out": n_out, "kernel": kernel, "stride": 1, "padding": padding}
            )
            if batchnorm:
                config.append(_batchnorm(n_out))
            config.append({"type": "ReLU"})
            size, n_in = conv_output_size(size, kernel, 1, padding), n_out
        config.append({"type": "MaxPool2D", "size": 2, "stride": 2})
        size //= 2
        if size < 1:
            raise ValueError(
                f"cnn_config: {len(channels)} conv+pool stages shrink a {IMAGE_SIZE}x{IMAGE_SIZE} image to nothing"
            )
    config += [{"type": "Flatten"}, {"type": "Dense", "in": n_in * size * size, "out": hidden}]
    if batchnorm:
        config.append(_batchnorm(hidden))
    config.append({"type": "ReLU"})
    if dropout:
        config.append({"type": "Dropout", "rate": float(dropout)})
    config.append({"type": "Dense", "in": hidden, "out": NUM_CLASSES, "init": "glorot"})
    return config


ARCHITECTURES = {"mlp": mlp_config, "cnn": cnn_config}
