"""The Lab's code view, exercises and files: the selected model's layers as installed (forward and
backward sources, shapes for the drawing, the numbers on a click); each exercise's Check fails a
wrong answer and passes a right one; the editor's text survives a reload; Download .py saves it."""

from __future__ import annotations

import harness
import pytest
from lab_answers import RIGHT
from lab_page import editor_text, load_script, open_lab, paste_into


@pytest.fixture(scope="module")
def lab(app):
    open_lab(app)
    return app


def test_code_view_shows_each_layer_as_installed_with_its_shapes(lab):
    lab.select_option(harness.MODEL_SELECT, "cnn")
    lab.click(".code-refresh")
    lab.wait_for_function(
        "() => document.querySelector('[data-testid=lab-code]').dataset.model === 'cnn'"
        " && document.querySelector('[data-testid=lab-code]').dataset.layers"
    )
    shapes = lab.locator(".code-shapes").all_inner_texts()
    assert len(shapes) == int(lab.get_attribute("[data-testid=lab-code]", "data-layers")) == 15  # drawn once
    assert "[1, 1, 28, 28] → Conv2D → [1, 32, 24, 24]" in shapes, shapes
    assert shapes[-1].endswith("Dense → [1, 10]")
    conv = lab.locator(".code-layer[data-type=Conv2D]").first
    conv.locator(".code-shapes").click()
    numbers = conv.locator(".code-numbers")
    assert numbers.is_visible() and "input [1, 1, 28, 28]: min" in numbers.inner_text()
    conv.locator(".code-sources summary").click()
    forward = conv.locator("figure[data-method=forward]")
    forward.locator(".cm-content").wait_for()
    assert "site-packages/inkling/nn/layers/conv2d.py" in forward.locator("figcaption").inner_text()
    assert forward.locator(".cm-content").inner_text().startswith("def forward(self, x")
    assert "def backward(self, grad_out)" in conv.locator("figure[data-method=backward] .cm-content").inner_text()


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_each_exercise_fails_a_wrong_answer_and_passes_a_right_one(lab, exercise):
    section = lab.locator(f".lab-exercise[data-exercise={exercise}]")
    result = section.locator("[data-testid=lab-check-result]")
    section.locator("[data-testid=lab-check]").click()  # the template: not done yet
    lab.wait_for_function("(el) => el.dataset.passed !== undefined", arg=result.element_handle())
    assert result.get_attribute("data-passed") == "false" and result.inner_text().startswith("Fail")
    paste_into(lab, section, RIGHT[exercise])
    section.locator("[data-testid=lab-check]").click()
    lab.wait_for_function(
        "(el) => el.dataset.passed === 'true' || el.textContent.startsWith('Fail')", arg=result.element_handle()
    )
    assert result.get_attribute("data-passed") == "true", result.inner_text()
    assert "largest error" in result.inner_text()


def test_the_script_survives_a_reload_and_downloads(new_context, site):
    page = new_context(viewport={"width": 800, "height": 900}).new_page()
    harness.open_app(page, site)
    open_lab(page)
    assert editor_text(page) == (harness.REPO / "py/inkling/lab/starter.py").read_text()  # the starter, as installed
    load_script(page, "print('kept across reloads')\n")
    page.reload()
    harness.wait_ready(page)
    open_lab(page)
    assert editor_text(page) == "print('kept across reloads')\n"  # through Download .py


def test_typing_and_undo_in_the_editor_leave_the_pad_alone(lab):
    load_script(lab, "x = 1\n")
    harness.clear_pad(lab)
    lab.locator(harness.PAD).scroll_into_view_if_needed()
    box = harness.pad_box(lab)
    lab.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    lab.mouse.down()
    lab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20, steps=12)
    lab.mouse.up()
    strokes = str(harness.wait_strokes(lab, 1).strokes)  # one stroke on the pad
    lab.locator("[data-testid=lab-editor] .cm-content").click()
    lab.keyboard.press("Control+End")
    lab.keyboard.type("y = 2")
    assert editor_text(lab) == "x = 1\ny = 2"
    lab.keyboard.press("Control+z")
    assert editor_text(lab) == "x = 1\n"
    assert lab.get_attribute(harness.PREDICTION, "data-strokes") == strokes
