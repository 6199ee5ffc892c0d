"""The Lab's starter script (py/inkling/lab/starter.py), run as the Lab runs it, in CPython: it
trains to >= 97 % test accuracy and defines a predict_proba the pad can use. (In the page:
tests/browser/test_lab_starter.py.)"""

import re
from pathlib import Path

import numpy as np

from inkling import lab
from inkling.worker import lab_session

STARTER = Path(lab.__file__).parent / "starter.py"


def test_the_starter_is_a_notebook_sized_plain_numpy_mlp():
    text = STARTER.read_text()
    assert 60 <= len(text.splitlines()) <= 80
    assert "inkling.nn.layers" not in text and "Sequential" not in text


def test_the_starter_trains_to_97_percent_and_defines_predict_proba(capsys):
    r = lab_session.run(STARTER.read_text())
    out = capsys.readouterr().out
    assert r["ok"] and r["predict"], out
    accuracies = [float(a) for a in re.findall(r"test accuracy ([0-9.]+) %", out)]
    assert accuracies and accuracies[-1] >= 97.0, out
    assert len(lab.CHARTS["loss"]) >= 10 and len(lab.CHARTS["test accuracy"]) == len(accuracies)
    _, _, x_test, y_test = lab.load_mnist()
    proba = lab_session._namespace["predict_proba"](x_test[:2000])
    assert proba.shape == (2000, 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-4)
    assert (proba.argmax(axis=1) == y_test[:2000]).mean() >= 0.96
