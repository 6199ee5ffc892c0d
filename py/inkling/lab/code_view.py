"""The Lab's code view: each layer of a model as the `inkling` package installed here defines it
(its forward and backward, read with `inspect` at run time, not a copy), and the arrays that
enter and leave it for one drawing."""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from inkling.nn import weights

NUMBERS = {"precision": 3, "threshold": 400, "edgeitems": 3, "suppress_small": True, "max_line_width": 100}


def model_from_zip(data: bytes):
    """A model from an export .zip (the page's exportModel: every array checked)."""
    return weights.from_zip(data, where="the selected model")


def source(cls, method: str) -> dict:
    """{"code", "file", "line"} of `cls.method` where Python finds it (the class that defines it)."""
    fn = getattr(cls, method)
    lines, first = inspect.getsourcelines(fn)
    return {"code": textwrap.dedent("".join(lines)), "file": inspect.getsourcefile(fn), "line": first}


def describe(a: np.ndarray) -> dict:
    """Shape, a few statistics and the numbers as numpy prints them (summarised when large)."""
    return {
        "shape": list(a.shape),
        "min": float(a.min()),
        "max": float(a.max()),
        "mean": float(a.mean()),
        "numbers": np.array2string(a, **NUMBERS),
    }


def trace(model, x: np.ndarray) -> list[dict]:
    """One forward pass of `x` [1, 28, 28], layer by layer: for each layer its name, config,
    forward and backward sources, and the arrays going in and out."""
    out = []
    for index, layer in enumerate(model.layers):
        y = layer.forward(x, training=False)
        cls = type(layer)
        out.append(
            {
                "index": index,
                "type": cls.__name__,
                "config": layer.config(),
                "forward": source(cls, "forward"),
                "backward": source(cls, "backward"),
                "input": describe(x),
                "output": describe(y),
            }
        )
        x = y
    return out
