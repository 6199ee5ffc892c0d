"""The README's Python examples run as written (with `images`, the one name they leave to the reader,
given as a few MNIST-format digits), and its figures block is there for bench/readme_figures.py."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_the_python_examples_run(capsys):
    blocks = python_blocks()
    assert len(blocks) >= 2
    namespace = {"images": np.zeros((3, 28, 28), np.float32)}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["probabilities"].shape == (3, 10)
    trained = float(capsys.readouterr().out.split()[-1])
    assert 0.85 < trained <= 1.0, "one MLP epoch over 10,000 images should read most of MNIST's test set"


def test_the_figures_block_is_there():
    text = README.read_text()
    assert text.count("<!-- figures:start -->") == 1 and text.count("<!-- figures:end -->") == 1
