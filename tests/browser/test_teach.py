"""Teach mode (issue 4): under a prediction the user picks the right digit; the model's 28x28 input
is saved in IndexedDB at once (kept across reloads, clearable), and "Fine-tune on my digits"
makes <model>-tuned-1 in the worker, shows accuracy on the samples and on the MNIST test set
before and after, selects it and keeps it in My models. Saving a sample starts the fine-tuning's
one-time preparation in the background, so the click on "Fine-tune" finds it done."""

from __future__ import annotations

import harness
import pytest
from pen import draw_strokes, fit_strokes
from strokes import sample_per_digit, trace_strokes

TEACH = ".teach"
DIGIT = "[data-testid=teach-digit]"
STATUS = "[data-testid=teach-status]"
TUNE_TIMEOUT_MS = 300_000  # MNIST download + preparing 15,000 images + fine-tuning, on a busy machine


@pytest.fixture(scope="module")
def page(app):
    """conftest's shared page on the ready app, under the name these tests use."""
    return app


def draw(page, image):
    harness.clear_pad(page)
    page.locator(harness.PAD).scroll_into_view_if_needed()
    strokes = fit_strokes(trace_strokes(image), harness.pad_box(page), 0.7)
    draw_strokes(page, strokes)
    return harness.wait_strokes(page, len(strokes))


def samples(page) -> int:
    return int(page.get_attribute(TEACH, "data-samples"))


def test_choosing_the_right_digit_saves_a_sample(page, mnist_test_raw):
    images, labels = mnist_test_raw
    page.select_option(harness.MODEL_SELECT, "mlp")
    assert page.is_disabled(DIGIT)  # nothing read yet: nothing to teach
    picks = sample_per_digit(labels, 1, 11)[:4]
    for n, i in enumerate(picks, start=1):
        p = draw(page, images[i])
        # "Wrong? It's a ...": say it is the digit after the one read, as a user whose 4s read as 9s
        right = (p.digit + 1) % 10
        page.select_option(DIGIT, str(right))
        page.wait_for_function("([s, n]) => document.querySelector(s).dataset.samples === String(n)", arg=[TEACH, n])
        assert page.inner_text(STATUS) == f"Saved as a {right} · {n} sample{'s' if n > 1 else ''}"
        assert page.input_value(DIGIT) == ""  # ready for the next one
    harness.clear_pad(page)
    assert page.is_disabled(DIGIT)
    assert not page.is_disabled("[data-testid=fine-tune]")


def test_samples_survive_a_reload(page, site, net_guard):
    # The saved samples started the fine-tuning's preparation, whose MNIST download the reload cuts.
    with net_guard.navigating_away():
        harness.open_app(page, site)
    page.wait_for_function("document.querySelector('.teach').dataset.samples === '4'")
    assert "4 samples saved" in page.inner_text(STATUS)


def test_a_new_sample_prepares_the_fine_tuning_in_the_background(page, mnist_test_raw):
    """After the reload nothing is prepared; a saved sample starts MNIST's download and the
    preparation for the current model, in chunks: the pad is read meanwhile."""
    page.select_option(harness.MODEL_SELECT, "mlp")
    assert page.get_attribute(TEACH, "data-prep") is None
    images, labels = mnist_test_raw
    p = draw(page, images[sample_per_digit(labels, 1, 12)[3]])
    page.select_option(DIGIT, str((p.digit + 1) % 10))
    page.wait_for_function("document.querySelector('.teach').dataset.samples === '5'")
    assert page.get_attribute(TEACH, "data-prep") in ("running", "ready")
    assert page.get_attribute(TEACH, "data-prep-model") == "mlp"
    page.wait_for_function(
        "/Getting ready to fine-tune|Ready/.test(document.querySelector('[data-testid=teach-prep]').textContent)",
        timeout=TUNE_TIMEOUT_MS,
    )
    assert draw(page, images[sample_per_digit(labels, 1, 6)[0]]).digit is not None
    page.wait_for_function("document.querySelector('.teach').dataset.prep === 'ready'", timeout=TUNE_TIMEOUT_MS)
    figures = page.evaluate("() => ({...document.querySelector('.teach').dataset})")
    assert figures["prepPhases"] == "prepare-test,prepare-train,features-test,features-train"
    assert page.inner_text("[data-testid=teach-prep]") == "Ready to fine-tune mlp"


def test_fine_tune_shows_before_and_after_and_selects_the_new_model(page, mnist_test_raw):
    page.select_option(harness.MODEL_SELECT, "mlp")
    images, labels = mnist_test_raw
    page.click("[data-testid=fine-tune]")
    page.wait_for_function(
        "document.querySelector('.teach').dataset.tuning === 'false' && "
        "document.querySelector('.teach').dataset.afterMnist !== undefined",
        timeout=TUNE_TIMEOUT_MS,
    )
    text = page.inner_text("[data-testid=fine-tune-result]")
    figures = page.evaluate("() => ({...document.querySelector('.teach').dataset})")
    print(f"\nfine-tune mlp: {text}")
    assert text.startswith("mlp-tuned-1: your 5 digits") and "MNIST test (10,000 images)" in text, text
    assert figures["phases"] == ""  # all prepared ahead: only training and evaluating
    assert "→" in text
    before_user, after_user = float(figures["beforeUser"]), float(figures["afterUser"])
    before_mnist, after_mnist = float(figures["beforeMnist"]), float(figures["afterMnist"])
    assert before_user == 0.0  # every label differs from what it read
    assert after_user >= before_user
    assert before_mnist > 0.98 and after_mnist >= before_mnist - 0.005  # at most 0.5 points lost
    assert page.input_value(harness.MODEL_SELECT) == "mlp-tuned-1"
    page.wait_for_selector("[data-testid=my-models] li[data-name=mlp-tuned-1]")
    assert draw(page, images[sample_per_digit(labels, 1, 5)[0]]).digit is not None


def test_clearing_samples(page):
    page.click("[data-testid=teach-clear]")
    page.wait_for_function("document.querySelector('.teach').dataset.samples === '0'")
    assert page.inner_text(STATUS) == "Samples cleared"
    assert page.is_disabled("[data-testid=fine-tune]")
    harness.clear_pad(page)


def test_fine_tune_clicked_during_the_preparation_waits_for_it(page, mnist_test_raw):
    """The CNN's preparation takes a while: a click meanwhile shows its progress, then tunes
    from what it left cached (no phase of its own prepares anything)."""
    page.select_option(harness.MODEL_SELECT, "cnn")
    images, labels = mnist_test_raw
    p = draw(page, images[sample_per_digit(labels, 1, 13)[7]])
    page.select_option(DIGIT, str(p.digit))
    page.wait_for_function("document.querySelector('.teach').dataset.samples === '1'")
    assert page.get_attribute(TEACH, "data-prep-model") == "cnn"
    assert page.get_attribute(TEACH, "data-prep") == "running"
    page.evaluate("() => { delete document.querySelector('.teach').dataset.afterMnist; }")
    page.click("[data-testid=fine-tune]")
    page.wait_for_function(
        "/Reading MNIST .* images through the model/.test("
        "document.querySelector('[data-testid=fine-tune-result]').textContent)",
        timeout=TUNE_TIMEOUT_MS,
    )
    page.wait_for_function(
        "document.querySelector('.teach').dataset.tuning === 'false' && "
        "document.querySelector('.teach').dataset.afterMnist !== undefined",
        timeout=TUNE_TIMEOUT_MS,
    )
    text = page.inner_text("[data-testid=fine-tune-result]")
    figures = page.evaluate("() => ({...document.querySelector('.teach').dataset})")
    assert text.startswith("cnn-tuned-1: your 1 digit ") and "MNIST test (10,000 images)" in text, text
    assert figures["phases"] == ""  # the preparation it waited for left it all cached
    assert float(figures["afterMnist"]) >= float(figures["beforeMnist"]) - 0.005
    page.click("[data-testid=teach-clear]")
    page.wait_for_function("document.querySelector('.teach').dataset.samples === '0'")
    harness.clear_pad(page)
