"""Renders web/icons/icon.svg to the PNG icons the web app manifest lists (committed; run again
after changing the SVG):  python deploy/make_icons.py

Debian's chromium draws them (through Playwright, as the browser tests do): 192 and 512 px with
the rounded corners, and a 512 px maskable one whose background fills the whole square.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
import harness  # noqa: E402

ICONS = REPO / "web" / "icons"
SIZES = {"icon-192.png": (192, False), "icon-512.png": (512, False), "maskable-512.png": (512, True)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    svg = (ICONS / "icon.svg").read_text()
    with sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        for name, (size, maskable) in SIZES.items():
            art = svg.replace('rx="96"', 'rx="0"') if maskable else svg
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(
                f"<style>html,body{{margin:0;background:transparent}}svg{{display:block;"
                f"width:{size}px;height:{size}px}}</style>{art}"
            )
            page.screenshot(path=str(ICONS / name), omit_background=True)
            page.close()
            print(f"wrote {ICONS / name}")
        browser.close()


if __name__ == "__main__":
    main()
