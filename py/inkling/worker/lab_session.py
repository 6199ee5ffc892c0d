"""What the Lab's worker (web/lab-worker/lab-worker.js) calls: run a script, keep its
`predict_proba` for the pad, show a model's layers, check an exercise. The pad's requests for a
script's model (predict, explain, read_image) go to inkling.worker.app in that worker, as the main
worker's do: app.register_model made the script's model one of its models.

A run executes the editor's text as a fresh `__main__`; print output goes wherever the worker
sends sys.stdout (the page's output pane, as it comes). The last run's names are kept, so "Use for
the pad" can pick its `predict_proba` up after the run has ended.
"""

from __future__ import annotations

import linecache
import sys
import traceback
from pathlib import Path

import numpy as np

from inkling import lab
from inkling.data.preprocess import SIZE
from inkling.lab import code_view, exercises

from . import app

SCRIPT = "lab.py"  # the name tracebacks give the editor's text
_namespace: dict = {}  # the last run's globals


def starter() -> str:
    """The text the editor opens on: inkling/lab/starter.py as installed."""
    return (Path(lab.__file__).parent / "starter.py").read_text()


def run(code: str) -> dict:
    """Runs `code` as a script. {"ok": bool, "error": the exception's last line or "",
    "predict": whether it defined a callable predict_proba}. The traceback is printed to stderr,
    without this module's frame: the script's own lines are what a person needs."""
    global _namespace
    lab.reset_charts()
    linecache.cache[SCRIPT] = (len(code), None, code.splitlines(True), SCRIPT)  # tracebacks show the lines
    _namespace = {"__name__": "__main__", "__file__": SCRIPT}
    try:
        exec(compile(code, SCRIPT, "exec"), _namespace)  # noqa: S102 - running the user's script is the point
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt end a script too
        shown = error.__traceback__.tb_next or error.__traceback__  # a SyntaxError has no frame of the script
        sys.stderr.write("".join(traceback.format_exception(type(error), error, shown)))
        return {
            "ok": False,
            "error": traceback.format_exception_only(type(error), error)[-1].strip(),
            "predict": callable(_namespace.get("predict_proba")),
        }
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return {"ok": True, "error": "", "predict": callable(_namespace.get("predict_proba"))}


class ScriptModel:
    """The pad's view of a script's `predict_proba`: checked to give [N, 10] finite numbers."""

    def __init__(self, fn):
        self.fn = fn

    def predict_proba(self, images):
        out = np.asarray(self.fn(np.asarray(images, np.float32)), np.float32)
        if out.shape != (len(images), 10):
            raise ValueError(
                f"predict_proba gave shape {list(out.shape)}; it should give [N, 10] "
                f"for images of shape {list(np.shape(images))}"
            )
        if not np.isfinite(out).all():
            raise ValueError("predict_proba gave NaN or infinite values")
        return out


def use_for_pad(name: str) -> dict:
    """Registers the last run's predict_proba as the model `name` (one test call first, so a
    broken one is refused here). {"name", "test_accuracy": None}."""
    fn = _namespace.get("predict_proba")
    if not callable(fn):
        raise ValueError("the script has not defined predict_proba(images): run a script that does")  # noqa: TRY004
    app.register_model(name, ScriptModel(fn))
    return {"name": name, "test_accuracy": None}


def layers(zip_data, input) -> dict:
    """The code view of the model in `zip_data` (an export .zip) for the drawing `input`
    (float32 784 values; all zeros for a blank pad)."""
    x = np.frombuffer(bytes(input), np.float32).reshape(1, SIZE, SIZE)
    return {"layers": code_view.trace(code_view.model_from_zip(bytes(zip_data)), x)}


def exercise_list() -> list[dict]:
    return [{"id": e.id, "title": e.title, "text": e.text, "template": e.template} for e in exercises.EXERCISES]


def check(exercise: str, code: str) -> dict:
    """An exercise's gradient check on the user's code (exercises.check)."""
    return exercises.check(exercise, code)
