"""My models (issue 4): a model trained in the page is kept in IndexedDB and listed, comes back
after a reload, can be deleted; Export gives one .zip that CPython's inkling.load reads and that
Import (file input or drop) turns back into a model predicting identically; bad files get a
message and the current model keeps working."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import harness
import numpy as np
import pictures as P
import pytest
from pen import draw_strokes, fit_strokes
from strokes import sample_per_digit, trace_strokes

import inkling
from inkling.nn import weights
from inkling.nn.model import Sequential, mlp_config

SUBSET = 2000  # 1 epoch of MLP-128 on 2,000 images: a few seconds, ~85 % on MNIST test
LIST = "[data-testid=my-models]"
IMPORT = "[data-testid=import-weights]"


@pytest.fixture(scope="module")
def page(chromium, net_guard, site):
    """One visit: a small MLP trained on a MNIST subset (my-mlp-1), kept in IndexedDB."""
    ctx = harness.make_context(chromium, net_guard, viewport={"width": 800, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    harness.open_app(page, site)
    page.click("[data-testid=train-open]")
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
    page.eval_on_selector(".train-advanced", "d => { d.open = true; }")
    page.fill(".train-form [name=subset]", str(SUBSET))
    page.click("[data-testid=train-start]")
    page.wait_for_selector(f"{LIST} li[data-name=my-mlp-1]", timeout=240_000)
    yield page
    ctx.close()


def draw_digit(page, mnist_test_raw, n=0):
    """Draw one traced MNIST test digit on a cleared pad; its prediction's probabilities (text)."""
    images, labels = mnist_test_raw
    i = sample_per_digit(labels, 1, 3)[n]
    harness.clear_pad(page)
    page.locator(harness.PAD).scroll_into_view_if_needed()
    strokes = fit_strokes(trace_strokes(images[i]), harness.pad_box(page), 0.7)
    draw_strokes(page, strokes)
    harness.wait_strokes(page, len(strokes))
    return page.evaluate(
        "() => { const o = document.querySelector('[data-testid=prediction]');"
        " return [o.textContent, ...Array.from({length: 10}, (_, i) => o.dataset['p' + i])]; }"
    )


def choose(page, name):
    page.select_option(harness.MODEL_SELECT, name)
    assert page.input_value(harness.MODEL_SELECT) == name


def export(page, tmp_path, name):
    choose(page, name)
    with page.expect_download() as info:
        page.click("[data-testid=export-weights]")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def import_file(page, data: bytes, name: str) -> str:
    before = P.seq(page, P.MESSAGE)
    page.set_input_files(IMPORT, files=[{"name": name, "mimeType": "application/zip", "buffer": data}])
    return P.wait_message(page, before, timeout_ms=60_000)


def test_trained_model_is_listed_with_date_and_accuracy(page):
    item = page.inner_text(f"{LIST} li[data-name=my-mlp-1]")
    assert "my-mlp-1" in item and "MNIST test" in item and "%" in item and "trained in the page" in item
    assert page.input_value(harness.MODEL_SELECT) == "my-mlp-1"


def test_export_then_import_predicts_identically(page, mnist_test_raw, tmp_path):
    path = export(page, tmp_path, "my-mlp-1")
    assert path.name == "inkling-my-mlp-1.zip"
    model = inkling.load(str(path))  # CPython reads the page's export as it is
    assert model.config()[1] == {"type": "Dense", "in": 784, "out": 128}
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert manifest["format"] == 1 and manifest["models"]["my-mlp-1"]["input"] == "raw"
    exported = draw_digit(page, mnist_test_raw, 4)
    text = import_file(page, path.read_bytes(), path.name)
    assert "Imported" in text and "my-mlp-1-2" in text, text
    assert page.input_value(harness.MODEL_SELECT) == "my-mlp-1-2"
    assert draw_digit(page, mnist_test_raw, 4) == exported  # same drawing, same ten probabilities
    page.wait_for_selector(f"{LIST} li[data-name=my-mlp-1-2]")


def test_shipped_model_export_loads_in_cpython(page, tmp_path):
    """The export holds the weights the page runs: dist/'s (stored int8 + float16, deploy/compact_weights.py)."""
    path = export(page, tmp_path, "mlp")
    x = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    shipped = next(harness.DIST.glob("weights-*/manifest.json"))
    page_model = inkling.load(str(shipped), model="mlp")
    assert np.array_equal(inkling.load(str(path)).predict_proba(x), page_model.predict_proba(x))


def small_files():
    return weights.to_bytes(Sequential.from_config(mlp_config(hidden=(8,))), "tiny")


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()


def wrong_shape():
    files = small_files()
    manifest = json.loads(files["manifest.json"])
    w = np.zeros((784, 9), np.float32)  # the architecture says 784 x 8
    buffer = io.BytesIO()
    np.save(buffer, w)
    files["tiny/1.W.npy"] = buffer.getvalue()
    manifest["models"]["tiny"]["files"]["1.W"].update(
        shape=[784, 9], sha256=hashlib.sha256(buffer.getvalue()).hexdigest()
    )
    files["manifest.json"] = json.dumps(manifest).encode()
    return rezip(files)


def bad_sha():
    files = small_files()
    files["tiny/1.b.npy"] = files["tiny/1.b.npy"][:-4] + np.float32(0.5).tobytes()
    return rezip(files)


@pytest.mark.parametrize(
    "make, name, says",
    [
        (lambda: b"just some text, not a zip at all\n" * 10, "notes.zip", "not a .zip"),
        (wrong_shape, "shapes.zip", "the architecture needs"),
        (bad_sha, "tampered.zip", "sha256"),
    ],
)
def test_bad_import_gives_a_message_and_the_pad_keeps_predicting(page, mnist_test_raw, make, name, says):
    choose(page, "mlp")
    text = import_file(page, make(), name)
    assert says in text and name in text and "current model is unchanged" in text, text
    assert page.get_attribute(P.MESSAGE, "data-tone") == "error"
    assert page.input_value(harness.MODEL_SELECT) == "mlp"
    assert draw_digit(page, mnist_test_raw, 1)[0] != ""


def test_dropped_zip_is_imported_and_a_dropped_bad_one_refused(page, mnist_test_raw):
    before = P.seq(page, P.MESSAGE)
    P.drop(
        page,
        weights.to_zip(Sequential.from_config(mlp_config(hidden=(8,))), "dropped"),
        "dropped.zip",
        "application/zip",
    )
    assert "as dropped" in P.wait_message(page, before, timeout_ms=60_000)
    assert page.input_value(harness.MODEL_SELECT) == "dropped"
    before = P.seq(page, P.MESSAGE)
    P.drop(page, b"PK\x03\x04 broken", "broken.zip", "application/zip")
    assert "not a .zip" in P.wait_message(page, before, timeout_ms=60_000)
    assert page.input_value(harness.MODEL_SELECT) == "dropped"
    assert draw_digit(page, mnist_test_raw, 2)[0] != ""


def test_stored_models_come_back_after_a_reload_and_can_be_deleted(page, mnist_test_raw, site):
    harness.open_app(page, site)  # a reload of the same profile
    page.wait_for_function("Number(document.querySelector('.my-models').dataset.restored) >= 3", timeout=60_000)
    names = page.eval_on_selector_all(f"{LIST} li", "lis => lis.map(li => li.dataset.name)")
    assert {"my-mlp-1", "my-mlp-1-2", "dropped"} <= set(names), names
    options = page.eval_on_selector_all(f"{harness.MODEL_SELECT} option", "os => os.map(o => o.value)")
    assert {"my-mlp-1", "my-mlp-1-2", "dropped"} <= set(options)
    choose(page, "my-mlp-1")
    assert draw_digit(page, mnist_test_raw, 3)[0] != ""
    page.click(f"{LIST} li[data-name=dropped] [data-testid=delete-model]")
    page.wait_for_selector(f"{LIST} li[data-name=dropped]", state="detached")
    # Its Delete button went with it: the focus moved to another one, not to <body> (issue 15).
    assert page.evaluate("document.activeElement.dataset.testid") == "delete-model"
    harness.open_app(page, site)
    page.wait_for_function("Number(document.querySelector('.my-models').dataset.restored) >= 2", timeout=60_000)
    names = page.eval_on_selector_all(f"{LIST} li", "lis => lis.map(li => li.dataset.name)")
    assert "dropped" not in names and "my-mlp-1" in names
    harness.clear_pad(page)
