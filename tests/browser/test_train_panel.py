"""The Train panel (issue 4): MNIST only when it opens, training in the worker, the trained model
on the pad at once; Pause holds the run still, Resume goes on, Stop hands over what was learnt."""

from __future__ import annotations

import re
import time

import harness
import pytest
from pen import draw_strokes, fit_strokes
from strokes import sample_per_digit, trace_strokes

SUBSET = 10000  # 1 epoch of MLP-128 on 10k images: ~92 % on the 10k test set, a few seconds
TRAIN_TIMEOUT_MS = 240_000


def mnist_requests(guard) -> list[str]:
    return [u for u in guard.requests if "/mnist/" in u]


@pytest.fixture(scope="module")
def panel(chromium, net_guard, site):
    """A fresh visit, pad used first, then the Train panel opened and MNIST loaded."""
    ctx = harness.make_context(chromium, net_guard, viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    before = len(mnist_requests(net_guard))
    harness.open_app(page, site)
    page.wait_for_timeout(500)
    assert len(mnist_requests(net_guard)) == before, "MNIST was fetched before the Train panel opened"
    t0 = time.perf_counter()
    page.click("[data-testid=train-open]")
    page.wait_for_function("!document.querySelector('[data-testid=train-start]').disabled", timeout=120_000)
    print(f"\nMNIST loaded in {time.perf_counter() - t0:.1f} s: {page.inner_text('[data-testid=train-data]')}")
    assert len(mnist_requests(net_guard)) - before == 5  # manifest + four files
    yield page
    ctx.close()


def fill(page, **fields):
    page.eval_on_selector(".train-advanced", "d => { d.open = true; }")  # subset lives there
    for name, value in fields.items():
        page.fill(f".train-form [name={name}]", str(value))


def wait_done(page):
    page.wait_for_function("document.querySelector('.train').dataset.running === 'false'", timeout=TRAIN_TIMEOUT_MS)


def test_train_small_mlp_then_it_reads_the_pad(panel, mnist_test_raw):
    page = panel
    fill(page, hidden="128", lr=0.5, batch_size=128, epochs=1, subset=SUBSET)
    t0 = time.perf_counter()
    page.click("[data-testid=train-start]")
    page.wait_for_function("document.querySelector('.train').dataset.running === 'true'")
    wait_done(page)
    seconds = time.perf_counter() - t0
    status = page.inner_text("[data-testid=train-status]")
    accuracy = float(page.inner_text("[data-testid=test-accuracy]"))
    print(f"\n1 epoch on {SUBSET} images in {seconds:.1f} s: {accuracy} % · {status}")
    assert accuracy > 80, status
    # The worker loaded the WebAssembly kernel once ready, and the run's products went to it.
    assert page.evaluate("document.querySelector('.train').dataset.matmul") == "wasm"
    assert page.eval_on_selector("[data-testid=train-progress]", "p => p.value === p.max && p.max > 0")
    assert page.input_value(harness.MODEL_SELECT) == "my-mlp-1"
    images, labels = mnist_test_raw
    box = harness.pad_box(page)
    correct = 0
    picks = sample_per_digit(labels, 1, 7)[:6]
    for i in picks:
        harness.clear_pad(page)
        strokes = fit_strokes(trace_strokes(images[i]), box, 0.7)
        draw_strokes(page, strokes)
        p = harness.wait_strokes(page, len(strokes))
        correct += p.digit == int(labels[i])
    harness.clear_pad(page)
    print(f"my-mlp-1 read {correct} of {len(picks)} drawn digits")
    assert correct >= len(picks) // 2


def draw_line(page, n_strokes):
    """One vertical stroke on a cleared pad; seconds until its prediction is shown."""
    harness.clear_pad(page)
    page.locator(harness.PAD).scroll_into_view_if_needed()  # the panel above may have scrolled it off
    box = harness.pad_box(page)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 40, steps=8)
    t0 = time.perf_counter()
    page.mouse.up()
    harness.wait_strokes(page, n_strokes, timeout_ms=5000)
    return time.perf_counter() - t0


def test_pause_resume_stop(panel):
    page = panel
    # The full 60,000 for 5 epochs: ~10-15 s, long enough to pause (one epoch is ~2-3 s now).
    fill(page, hidden="128", epochs=5, subset="")
    page.click("[data-testid=train-start]")
    page.wait_for_function("document.querySelector('[data-testid=train-progress]').value > 2", timeout=60_000)
    # While it trains, the pad still answers (a prediction waits for one ~100 ms chunk at most).
    busy = draw_line(page, 1)
    print(f"\nprediction while training: {busy * 1000:.0f} ms")
    assert busy < 2.0
    assert page.evaluate("document.querySelector('.train').dataset.running") == "true"
    page.click("[data-testid=train-pause]")
    page.wait_for_timeout(600)  # the chunk in flight ends
    held = page.eval_on_selector("[data-testid=train-progress]", "p => p.value")
    page.wait_for_timeout(1500)
    assert page.eval_on_selector("[data-testid=train-progress]", "p => p.value") == held
    assert page.inner_text("[data-testid=train-pause]").strip() == "Resume"
    assert page.inner_text("[data-testid=train-status]").startswith("Paused")
    draw_line(page, 1)  # paused, the pad answers too
    page.click("[data-testid=train-pause]")  # Resume
    page.wait_for_function(f"document.querySelector('[data-testid=train-progress]').value > {held}", timeout=30_000)
    page.click("[data-testid=train-stop]")
    wait_done(page)
    status = page.inner_text("[data-testid=train-status]")
    assert status.startswith("Stopped") and "my-mlp-2" in status, status
    assert page.input_value(harness.MODEL_SELECT) == "my-mlp-2"
    harness.clear_pad(page)


def test_a_corrupt_mnist_file_is_refused_with_a_message_and_the_pad_keeps_working(new_context, site):
    """One bit of train-labels flipped on the way: the worker's sha256 check refuses it, the panel
    says which file and how to retry, Start stays off, and the pad still reads."""
    ctx = new_context(viewport={"width": 800, "height": 900})

    def flip(route):
        response = route.fetch()
        body = bytearray(response.body())
        body[-1] ^= 1
        route.fulfill(response=response, body=bytes(body))

    ctx.route(re.compile(r".*/mnist/train-labels\.idx\.gz$"), flip)
    page = ctx.new_page()
    harness.open_app(page, site)
    page.click("[data-testid=train-open]")
    page.wait_for_function(
        "document.querySelector('[data-testid=train-data]').textContent.startsWith(\"Couldn't load MNIST\")",
        timeout=120_000,
    )
    page.wait_for_timeout(2000)  # the other files' downloads end meanwhile: the message stays
    text = page.inner_text("[data-testid=train-data]")
    assert "mnist/train-labels.idx.gz differs from mnist/manifest.json" in text, text
    assert "open the panel to try again" in text, text
    assert page.is_disabled("[data-testid=train-start]")
    assert draw_line(page, 1) < 5.0
