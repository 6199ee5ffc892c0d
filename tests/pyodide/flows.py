"""Every flow of the page, as the worker calls it, in one run: boot, predict, the number, the
"Why", pictures, training, fine-tuning, export and import, bad input. Run inside Pyodide by
run_python.mjs (with --kernel, as the worker loads it):
  - by deploy/trim.py `record`, on Pyodide's full standard library and numpy wheel, to list the
    modules the site needs at boot (RESULT["boot"]) and at all (RESULT["all"]);
  - by tests/pyodide/test_trimmed.py, on the trimmed ones dist/ ships, so that a module left out
    is found by a test, not by a user.
Sets RESULT (JSON-able); asserting is left to the pytest side. Small sizes: this is about what is
imported, not about how well a model learns."""

import json
import sys
import traceback


def loaded_files() -> dict[str, str]:
    """name -> file of every module loaded from a file (builtins and frozen ones have none)."""
    return {name: m.__file__ for name, m in list(sys.modules.items()) if isinstance(getattr(m, "__file__", None), str)}


def line(alpha, p0, p1, width=18):
    import numpy as np

    h, w = alpha.shape
    yy, xx = np.mgrid[0:h, 0:w]
    (x0, y0), (x1, y1) = p0, p1
    d = np.array([x1 - x0, y1 - y0], float)
    t = np.clip(((xx - x0) * d[0] + (yy - y0) * d[1]) / (d @ d), 0, 1)
    alpha[np.hypot(xx - (x0 + t * d[0]), yy - (y0 + t * d[1])) <= width / 2] = 255
    return alpha


WEIGHTS = "/repo/weights"
steps = {}

# Boot, as the worker does it: Python's import caches dropped once the wheels are in (wheel-install.js's
# finishInstall: in Python 3.12 that imports importlib.metadata), the app imported, the default
# model loaded, the kernel, one warm-up.
import importlib  # noqa: E402

importlib.invalidate_caches()
from inkling.nn import ops  # noqa: E402
from inkling.worker import app  # noqa: E402

with open(f"{WEIGHTS}/manifest.json") as manifest:
    default = json.load(manifest)["default"]
app.load_model(default, WEIGHTS, warm=False)
steps["kernel"] = ops.use_wasm_kernel()
app.load_model(default, WEIGHTS).predict_proba(__import__("numpy").zeros((1, 28, 28), "float32"))
app.memory()

import numpy as np  # noqa: E402

one = line(np.zeros((280, 280), np.uint8), (140, 40), (140, 240))
steps["predict"] = app.predict(one.tobytes(), 280, 280, default, WEIGHTS)["digit"]
wide = line(line(np.zeros((280, 560), np.uint8), (140, 40), (140, 240)), (420, 40), (420, 240))
why = app.explain(wide.tobytes(), 560, 280, default, WEIGHTS)
steps["number"] = why.get("number")
steps["why"] = sorted(why)[:3]
# The pad sends its strokes (pad units, points per stroke): a digit, then a number of three.
bar = np.array([[0.5, 0.15], [0.5, 0.5], [0.5, 0.85]], np.float32)
one_stroke = (bar.tobytes(), np.array([3], np.int32).tobytes())
steps["strokes"] = app.predict(None, 280, 280, default, WEIGHTS, *one_stroke)["digit"]
digits = np.concatenate([bar * (0.3, 0.5) + (x, 0.25) for x in (0.05, 0.4, 0.75)]).astype(np.float32)
three = (digits.tobytes(), np.array([3, 3, 3], np.int32).tobytes())
steps["stroke_number"] = app.predict(None, 560, 280, default, WEIGHTS, *three).get("number")
steps["stroke_why"] = sorted(app.explain(None, 560, 280, default, WEIGHTS, *three, index=1))[:3]
for bad in [(b"\0" * 10, 280, 280), (one.tobytes(), 0, 280)]:  # refused with a message
    try:
        app.predict(*bad, default, WEIGHTS)
    except ValueError:
        steps.setdefault("refused", []).append(traceback.format_exc().splitlines()[-1][:60])
BOOT = loaded_files()  # what the pad needs: ships in the boot files


def fetched() -> list[str]:
    """The rest zips the trimmed build's lazy_rest has fetched so far (none without it)."""
    finders = [f for f in sys.meta_path if type(f).__name__ == "RestFinder"]
    return list(finders[0].fetched) if finders else []


FETCHED_AT_BOOT = fetched()

# Pictures: an RGBA image, dark ink on white.
rgba = np.full((120, 200, 4), 255, np.uint8)
rgba[..., :3] -= line(np.zeros((120, 200), np.uint8), (100, 20), (100, 100), 10)[..., None]
steps["picture"] = app.read_image(rgba.tobytes(), 200, 120, default, WEIGHTS).get("digit")

# The other shipped model, export and import.
from inkling.worker import library, studio, tuning  # noqa: E402

steps["mlp"] = app.predict(one.tobytes(), 280, 280, "mlp", WEIGHTS)["digit"]
exported = library.export_model("mlp", json.dumps({"created": "2026-01-01"}), WEIGHTS)
data = exported["zip"].tobytes()
imported = library.import_files(data, json.dumps([["model.zip", len(data)]]), WEIGHTS)
steps["imported"] = imported["name"]
steps["stored"] = library.register_stored("stored-mlp", data, WEIGHTS)["name"]

# Training, both kinds, on a few hundred images; then its report.
from inkling.data import mnist  # noqa: E402

for name in mnist.FILES:
    studio.set_data(name, mnist.read_checked(name))
for kind in ("mlp", "cnn"):
    state = studio.start(model=kind, hidden="16", lr=0.1, batch_size=32, epochs=1, subset=256, augment=True)
    while not state["done"]:
        state = studio.run_chunk(1000)
    steps[f"trained-{kind}"] = studio.finish()["name"]
    steps[f"report-{kind}"] = int(studio.report(limit=8)["tested"])

# Fine-tuning: the preparation the Teach panel starts, then a job on a few samples.
state = tuning.prepare(default, WEIGHTS)
while not state["finished"]:
    state = tuning.prepare_chunk(1000)
x = np.stack([app.alpha_to_ink(one, 280, 280)[::10, ::10]] * 4).astype(np.float32)
tuned = tuning.fine_tune(default, x.tobytes(), bytes([1, 1, 1, 1]), WEIGHTS)
steps["tuned"] = tuned["name"]

# A Lab script may import any of numpy: numpy.ma copies docstrings from numpy.lib's modules,
# so it imports only when both were trimmed alike.
import numpy.ma  # noqa: E402, F401

steps["median"] = float(np.median(np.arange(5.0)))

RESULT = {"steps": steps, "boot": BOOT, "all": loaded_files(), "fetched": {"boot": FETCHED_AT_BOOT, "all": fetched()}}
