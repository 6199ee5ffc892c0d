"""Helpers for the Lab's browser tests (tests/browser/test_lab*.py): open it, put a script in it
through the "Open .py" input ([data-testid=lab-file]), run it, read its output."""

from __future__ import annotations

import harness

LAB_BOOT_MS = 180_000
RUN = "[data-testid=lab-run]"
STOP = "[data-testid=lab-stop]"
OUTPUT = "[data-testid=lab-output]"
FILE = "[data-testid=lab-file]"


def open_lab(page) -> None:
    """Click lab-open and wait until the Lab's Python is up (Run enabled)."""
    page.click("[data-testid=lab-open]")
    page.wait_for_selector(f"{RUN}:not([disabled])", timeout=LAB_BOOT_MS)


def output(page) -> str:
    return page.inner_text(OUTPUT)


def load_script(page, code: str, name: str = "script.py") -> None:
    """The editor's text becomes `code`, through the Open .py file input."""
    before = output(page)
    page.set_input_files(FILE, files=[{"name": name, "mimeType": "text/x-python", "buffer": code.encode()}])
    page.wait_for_function("([sel, n]) => document.querySelector(sel).innerText.length > n", arg=[OUTPUT, len(before)])


def editor_text(page) -> str:
    """The Lab script's whole text, as "Download .py" saves it (the editor draws only what is in view)."""
    with page.expect_download() as info:
        page.click(".lab-download")
    with open(info.value.path(), encoding="utf-8") as f:
        return f.read()


def paste_into(page, editor, text: str) -> None:
    """Replaces the text of a CodeMirror editor (a locator holding it) the way a user pastes: typing
    into it natively would have the browser write inline styles, which the CSP refuses."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(t) => navigator.clipboard.writeText(t)", text)
    editor.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+V")


def run(page, code: str | None = None, timeout_ms: int = 120_000) -> str:
    """Runs `code` (or the editor's text) and waits for its end; the output the run added."""
    if code is not None:
        load_script(page, code)
    page.wait_for_selector(f"{RUN}:not([disabled])", timeout=LAB_BOOT_MS)  # after Use or Stop: a fresh Python
    start = len(output(page))
    page.click(RUN)
    page.wait_for_function(
        "([sel, n]) => { const t = document.querySelector(sel).innerText.slice(n);"
        " return /(✓ Done|✗ |■ Stopped)/.test(t); }",
        arg=[OUTPUT, start],
        timeout=timeout_ms,
    )
    page.wait_for_selector(f"{RUN}:not([disabled])", timeout=LAB_BOOT_MS)
    return output(page)[start:]


def select_model(page, name: str) -> None:
    page.select_option(harness.MODEL_SELECT, name)
