"""inkling.worker.lab_session: what the Lab's worker calls: runs, tracebacks, a script's
predict_proba lent to the pad (and refused when it is broken)."""

import numpy as np
import pytest
from test_app import canvas, draw_line

from inkling.worker import app, lab_session


def test_a_run_prints_and_reports_predict_proba(capsys):
    r = lab_session.run("print('hello', 6 * 7)\ndef predict_proba(images):\n    return images\n")
    assert r == {"ok": True, "error": "", "predict": True}
    assert "hello 42" in capsys.readouterr().out


def test_a_failing_run_prints_the_scripts_traceback_only(capsys):
    r = lab_session.run("x = 1\n\ndef f():\n    return 1 / 0\n\nf()\n")
    assert r["ok"] is False and r["error"] == "ZeroDivisionError: division by zero"
    err = capsys.readouterr().err
    assert 'File "lab.py", line 6' in err and "return 1 / 0" in err
    assert "lab_session" not in err


def test_a_syntax_error_is_reported():
    r = lab_session.run("def broken(:\n")
    assert r["ok"] is False and r["error"].startswith("SyntaxError")


def test_use_for_pad_registers_predict_proba_and_the_pad_reads_and_explains_with_it():
    lab_session.run(
        "import numpy as np\ndef predict_proba(images):\n"
        "    p = np.full((len(images), 10), 0.02, np.float32)\n"
        "    p[:, 6] = 0.1 + 0.72 * (images[:, :14].sum(axis=(1, 2)) / np.maximum(images.sum(axis=(1, 2)), 1))\n"
        "    return p / p.sum(axis=1, keepdims=True)\n"
    )
    assert lab_session.use_for_pad("lab-test-1")["name"] == "lab-test-1"
    # The pad's strokes, as the page sends them (pad units), to inkling.worker.app like the main worker's.
    points = np.array([[0.45, 0.15], [0.5, 0.5], [0.55, 0.85]], np.float32).tobytes()
    counts = np.array([3], np.int32).tobytes()
    r = app.predict(None, 280, 280, "lab-test-1", points=points, counts=counts)
    assert r["digit"] == 6 and r["probabilities"].shape == (10,)
    why = app.explain(None, 280, 280, "lab-test-1", points=points, counts=counts)
    assert why["method"] == "occlusion" and why["number"] == "6" and why["top"][0] == 6
    sal = why["saliency"].reshape(28, 28)
    assert sal[:14].max() > 0, "the top half's ink is what makes it a 6 for this model"
    assert why["activations"][0]["label"] == "output"
    alpha = draw_line(canvas(), (100, 40), (140, 240), 18)  # the pad's pixels and a picture go the same way
    assert app.explain(alpha.tobytes(), 280, 280, "lab-test-1")["method"] == "occlusion"
    rgba = np.repeat((255 - alpha)[..., None], 4, axis=2)  # dark ink on white paper
    rgba[..., 3] = 255
    picture = app.read_image(rgba.tobytes(), 280, 280, "lab-test-1")
    assert picture["digit"] == 6 and picture["method"] == "occlusion" and picture["saliency"].any()


@pytest.mark.parametrize(
    "body, why",
    [
        ("    return np.zeros((len(images), 9))", "shape"),
        ("    return np.full((len(images), 10), np.nan)", "NaN"),
        ("    raise RuntimeError('mine')", "mine"),
    ],
)
def test_a_broken_predict_proba_is_refused(body, why):
    lab_session.run(f"import numpy as np\ndef predict_proba(images):\n{body}\n")
    with pytest.raises(Exception, match=why):
        lab_session.use_for_pad("lab-broken")
    assert "lab-broken" not in {name for _, name in app._models}


def test_use_for_pad_needs_a_predict_proba():
    lab_session.run("x = 1\n")
    with pytest.raises(ValueError, match="predict_proba"):
        lab_session.use_for_pad("lab-none")


def test_layers_and_exercises_are_served():
    import inkling
    from inkling.nn import weights

    zip_data = weights.to_zip(inkling.load("mlp"), "mlp")
    r = lab_session.layers(zip_data, np.zeros(784, np.float32).tobytes())
    assert r["layers"][0]["input"]["shape"] == [1, 28, 28]
    assert [e["id"] for e in lab_session.exercise_list()] == ["relu", "softmax-ce", "dense"]
    assert "def predict_proba(images):" in lab_session.starter()
