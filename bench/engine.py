#!/usr/bin/env python
"""Engine figures for each shipped model: MNIST test accuracy, parameter count, single-image
forward time and training throughput, in CPython and inside Pyodide, and the ratio of the two.

    python bench/engine.py                          # the models in weights/manifest.json
    python bench/engine.py --weights /tmp/cnnrun/w  # another weights folder (or a manifest.json)
    python bench/engine.py --no-pyodide --json out.json

Importable: `run(...)` returns a dict and `format_table(result)` the printed table;
bench/benchmark.py's "engine" section calls both.

How each figure is taken:

* accuracy: inkling.load + inkling.data.mnist test set (10,000 images), in CPython.
* forward: one image [1, 28, 28] through `model.forward`, median (and min) of many runs after a
  warm-up, with the shipped weights.
* training: Trainer.train_batch at batch 128 with the model's preset (trainer.PRESETS: optimiser,
  schedule, label smoothing, augmentation settings) on a fresh model of the shipped architecture:
  forward + backward + optimiser step, augmentation off and on. Steps are timed one by one after
  two warm-up steps, until `min_train_s` has passed (at least 5 steps); images/s = batch /
  median step time.
  Inputs are raw MNIST training images scaled to [0, 1] (the cost does not depend on pixel values).
* CPython runs in a child process with OPENBLAS_NUM_THREADS=1 (and the other BLAS thread vars),
  so the figures are reproducible on a 2-core machine and compare one core with Pyodide's one.
* Pyodide runs under Node 20 through tests/pyodide/run_python.mjs (same V8/wasm engine family
  as Chromium); weights outside the repository are mounted into its file system.
* The matmul backend is left to inkling.nn.ops' choice in both runtimes (INKLING_MATMUL, if set, is
  passed to both: else `@` with a BLAS; in Pyodide the WebAssembly kernel, loaded first as the
  page's worker does) and reported with a timing of each backend available.

Timings on a shared machine are noisy: medians are reported, with mins alongside in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "tests" / "pyodide" / "run_python.mjs"
NUMPY_WHEEL = REPO / ".cache" / "wheels" / "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
BATCH = 128
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PYODIDE_WEIGHTS_MOUNT = "/engine-bench-weights"
BACKEND_REASONS = {
    "matmul": "numpy has a BLAS",
    "einsum": "numpy has no BLAS",
    "wasm": "numpy has no BLAS; the WebAssembly kernel is loaded",
}

if str(REPO / "py") not in sys.path:
    sys.path.insert(0, str(REPO / "py"))


# ----------------------------------------------------------------------------- measuring
# Everything in this part runs in whichever interpreter imports it: CPython or Pyodide.


def _median_ms(seconds):
    return statistics.median(seconds) * 1e3


def time_forward(model, image, runs=200, warmup=20):
    """Seconds for each of `runs` single-image forward passes, after `warmup` untimed ones."""
    for _ in range(warmup):
        model.forward(image, training=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model.forward(image, training=False)
        times.append(time.perf_counter() - start)
    return times


def time_training(architecture, model_type, images, labels, augment, min_seconds=3.0, min_steps=5, max_steps=200):
    """Seconds for each timed Trainer.train_batch step (batch BATCH, the model's preset)."""
    from inkling.nn.model import Sequential
    from inkling.training.trainer import Trainer, preset

    config = preset(model_type, augment=augment, batch_size=BATCH, validation=0, pen_share=0)  # no twins here
    model = Sequential.from_config(architecture, seed=config.seed)
    trainer = Trainer(model, images, labels, config)
    batches = max(1, len(labels) // BATCH)

    def step(index):
        start = (index % batches) * BATCH
        trainer.train_batch(trainer.images[start : start + BATCH], trainer.labels[start : start + BATCH])

    for index in range(2):  # warm-up: optimiser state, first allocations
        step(index)
    times, began = [], time.perf_counter()
    while len(times) < max_steps and (len(times) < min_steps or time.perf_counter() - began < min_seconds):
        start = time.perf_counter()
        step(len(times))
        times.append(time.perf_counter() - start)
    return times


def measure(weights_path, names=None, forward_runs=200, min_train_s=3.0, train_images=1024):
    """Forward and training timings of the models in `weights_path`, in this interpreter."""
    import platform

    import numpy as np

    from inkling.data import mnist
    from inkling.nn import ops, weights

    backend = ops.backend()
    result = {
        "runtime": "pyodide" if sys.platform == "emscripten" else "cpython",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matmul_backend": backend,
        "backend_timings_ms": {k: round(v * 1e3, 3) for k, v in ops.measure_backends().items()},
        "backend_env": os.environ.get(ops.ENV_VAR) or None,
        "models": {},
    }
    manifest = weights.read_manifest(weights_path)
    raw_images, raw_labels = mnist.load_raw("train")
    images = raw_images[:train_images].astype(np.float32) / 255.0
    labels = raw_labels[:train_images].astype(np.int64)
    for name, entry in manifest.get("models", {}).items():
        if names and name not in names:
            continue
        model = weights.load(weights_path, name)
        model_type = (entry.get("hyperparameters") or {}).get("model", name)
        forward = time_forward(model, images[:1], runs=forward_runs)
        row = {
            "model_type": model_type,
            "parameters": model.parameter_count(),
            "forward_ms": _median_ms(forward),
            "forward_ms_min": min(forward) * 1e3,
            "forward_runs": len(forward),
            "train": {},
        }
        for augment in (False, True):
            steps = time_training(entry["architecture"], model_type, images, labels, augment, min_seconds=min_train_s)
            row["train"]["on" if augment else "off"] = {
                "images_per_s": BATCH / statistics.median(steps),
                "images_per_s_best": BATCH / min(steps),
                "step_ms": _median_ms(steps),
                "steps": len(steps),
            }
        result["models"][name] = row
    return result


# ----------------------------------------------------------------------------- runtimes


def _last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON line in output:\n" + text[-2000:])


def run_cpython(weights_path, names=None, **options):
    """measure() in a child CPython with single-threaded BLAS."""
    env = dict(os.environ, **{var: "1" for var in BLAS_THREAD_VARS})
    request = json.dumps({"weights": str(weights_path), "names": names, **options})
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", request],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if completed.returncode:
        raise RuntimeError(f"CPython child failed:\n{completed.stderr[-3000:]}")
    return _last_json_line(completed.stdout)


PYODIDE_CODE = """
import json, sys
request = json.loads({request!r})
weights_path = request.pop("weights")
if request.pop("mount"):                 # a folder outside the repository: mount it (NODEFS)
    import pyodide_js
    from js import Object
    from pyodide.ffi import to_js
    pyodide_js.FS.mkdirTree({mount!r})
    pyodide_js.FS.mount(pyodide_js.FS.filesystems.NODEFS,
                        to_js({{"root": weights_path}}, dict_converter=Object.fromEntries), {mount!r})
    weights_path = {mount!r}
sys.path.insert(0, "/repo/bench")
import engine
from inkling.nn import ops
ops.use_wasm_kernel()                    # as the page's worker does once ready
RESULT = engine.measure(weights_path, **request)
"""


def _wasm_kernel():
    """The WebAssembly kernel as build.py assembles it (cached in .cache/kernels/)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from deploy.wheel import wasm_kernel

    return wasm_kernel(REPO / "py" / "inkling" / "nn" / "sgemm.wat")


def run_pyodide(weights_path, names=None, **options):
    """measure() inside Pyodide under Node (tests/pyodide/run_python.mjs)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed")
    if not (REPO / "node_modules" / "pyodide" / "pyodide.mjs").exists():
        raise RuntimeError("node_modules/pyodide is missing (npm ci)")
    weights_path = Path(weights_path).resolve()
    folder = weights_path if weights_path.is_dir() else weights_path.parent
    try:
        inside, mount = "/repo/" + str(folder.relative_to(REPO)), False
    except ValueError:  # outside the repo: mounted in Pyodide's FS
        inside, mount = str(folder), True
    request = {"weights": inside, "names": names, "mount": mount, **options}
    code = PYODIDE_CODE.format(request=json.dumps(request), mount=PYODIDE_WEIGHTS_MOUNT)
    wheel = os.environ.get("INKLING_NUMPY_WHEEL") or str(NUMPY_WHEEL)
    completed = subprocess.run(
        [node, str(RUNNER), "--wheel", wheel, "--kernel", str(_wasm_kernel()), "-c", code],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=REPO,
    )
    reply = _last_json_line(completed.stdout) if completed.stdout.strip() else {}
    if not reply.get("ok"):
        raise RuntimeError(f"Pyodide run failed: {reply.get('error') or completed.stderr[-3000:]}")
    result = reply["result"]
    result["boot_s"] = reply.get("seconds", {}).get("boot")
    return result


def test_accuracy(weights_path, names=None):
    """{name: (measured test accuracy, manifest's figure)} in this (CPython) process."""
    from inkling import load
    from inkling.data import mnist
    from inkling.nn import weights
    from inkling.training.trainer import accuracy

    manifest = weights.read_manifest(weights_path)
    test_x, test_y = mnist.load("test")
    out = {}
    for name, entry in manifest.get("models", {}).items():
        if names and name not in names:
            continue
        out[name] = (accuracy(load(weights_path, name), test_x, test_y), entry.get("test_accuracy"))
    return out


def run(weights=None, names=None, pyodide=True, cpython=True, forward_runs=200, min_train_s=3.0, log=None):
    """Every figure for the models of `weights` (a folder or manifest.json; default: the
    shipped weights). Returns {"weights", "cpython", "pyodide", "accuracy", "errors"}."""
    from inkling import weights_dir

    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    weights = Path(weights or weights_dir()).resolve()
    options = {"forward_runs": forward_runs, "min_train_s": min_train_s}
    result = {"weights": str(weights), "errors": {}}
    log(f"engine: accuracy on the MNIST test set ({weights})")
    result["accuracy"] = {
        name: {"test_accuracy": got, "manifest": claimed}
        for name, (got, claimed) in test_accuracy(weights, names).items()
    }
    for runtime, runner, wanted in (("cpython", run_cpython, cpython), ("pyodide", run_pyodide, pyodide)):
        if not wanted:
            continue
        log(f"engine: timing in {runtime}")
        started = time.perf_counter()
        try:
            result[runtime] = runner(weights, names, **options)
        except Exception as error:  # noqa: BLE001 - report it, keep the other runtime's figures
            result["errors"][runtime] = f"{type(error).__name__}: {error}"[:2000]
        log(f"engine: {runtime} done in {time.perf_counter() - started:.0f} s")
    return result


# ----------------------------------------------------------------------------- reporting


def _ratio(a, b):
    return a / b if a and b else None


def rows(result):
    """[(model, metric, cpython, pyodide, cpython/pyodide, unit, note)] for the table."""
    out = []
    cp, py = result.get("cpython") or {}, result.get("pyodide") or {}
    names = list(result.get("accuracy") or {}) or list((cp or py).get("models", {}))
    for name in names:
        acc = result.get("accuracy", {}).get(name, {})
        c, p = cp.get("models", {}).get(name, {}), py.get("models", {}).get(name, {})
        out.append(
            (name, "MNIST test accuracy", acc.get("test_accuracy"), None, None, "", f"manifest {acc.get('manifest')}")
        )
        out.append((name, "parameters", c.get("parameters") or p.get("parameters"), None, None, "", ""))
        out.append(
            (
                name,
                "forward, 1 image (median)",
                c.get("forward_ms"),
                p.get("forward_ms"),
                _ratio(p.get("forward_ms"), c.get("forward_ms")),
                "ms",
                "",
            )
        )
        for mode in ("off", "on"):
            ci = c.get("train", {}).get(mode, {}).get("images_per_s")
            pi = p.get("train", {}).get(mode, {}).get("images_per_s")
            out.append((name, f"training, batch {BATCH}, augment {mode}", ci, pi, _ratio(ci, pi), "images/s", ""))
    return out


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1 else f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def format_table(result):
    header = ("model", "metric", "CPython", "Pyodide", "CPython/Pyodide", "unit / note")
    body = [(m, k, _fmt(c), _fmt(p), f"{r:.1f}x" if r else "-", u or n) for m, k, c, p, r, u, n in rows(result)]
    table = [header] + body
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = [" | ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    for runtime in ("cpython", "pyodide"):
        info = result.get(runtime)
        if info:
            timings = ", ".join(f"{k} {v:.2f} ms" for k, v in info["backend_timings_ms"].items())
            why = (
                f"set by INKLING_MATMUL={info['backend_env']}"
                if info.get("backend_env")
                else BACKEND_REASONS[info["matmul_backend"]]
            )
            why += f"; 64x128 @ 128x512: {timings}"
            lines.append(
                f"{runtime}: python {info['python']}, numpy {info['numpy']}, matmul "
                f"backend {info['matmul_backend']!r} ({why})"
            )
    if "cpython" in result:
        lines.append(
            "CPython timings with "
            + ", ".join(f"{v}=1" for v in BLAS_THREAD_VARS)
            + "; Pyodide 0.27.7 under Node "
            + _node_version()
        )
    for runtime, error in result.get("errors", {}).items():
        lines.append(f"{runtime} FAILED: {error}")
    lines.append(
        "CPython/Pyodide: how many times faster CPython is (forward: Pyodide ms / "
        "CPython ms; training: CPython images/s / Pyodide images/s)"
    )
    return "\n".join(lines)


def _node_version():
    node = shutil.which("node")
    try:
        return subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    except Exception:  # noqa: BLE001
        return "?"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--weights", type=Path, help="weights folder or manifest.json (default: $INKLING_WEIGHTS or weights/)"
    )
    parser.add_argument("--models", help="comma-separated model names (default: all in the manifest)")
    parser.add_argument("--no-pyodide", action="store_true", help="CPython figures only")
    parser.add_argument("--forward-runs", type=int, default=200)
    parser.add_argument(
        "--min-train-s",
        type=float,
        default=3.0,
        help="seconds of timed training steps per model and augmentation setting",
    )
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: CPython measuring process
    args = parser.parse_args(argv)
    if args.child:
        request = json.loads(args.child)
        print(json.dumps(measure(request.pop("weights"), **request)))
        return 0
    from inkling import weights_dir

    weights = args.weights or weights_dir()
    if not Path(weights, "manifest.json").is_file() and not Path(weights).is_file():
        parser.error(f"no manifest.json in {weights}: pass --weights DIR")
    result = run(
        weights,
        args.models.split(",") if args.models else None,
        pyodide=not args.no_pyodide,
        forward_runs=args.forward_runs,
        min_train_s=args.min_train_s,
    )
    print(format_table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
        print(f"wrote {args.json}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
