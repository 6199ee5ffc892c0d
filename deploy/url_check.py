"""The check that dist/ uses only relative URLs, so the site works from any path and fetches
nothing from another origin: the text files that name an absolute URL or a root-absolute path."""

from __future__ import annotations

import re
from pathlib import Path

TEXT_SUFFIXES = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".webmanifest"}
URL_CHECK_EXEMPT = {
    # Pyodide sets a CDN URL that only Node uses (to fetch packages missing from indexURL);
    # the page passes indexURL and lockFileURL explicitly, so the browser never requests it.
    "pyodide.mjs",
    # A "learn more" link inside one of Workbox's console warnings; nothing fetches it.
    "workbox-precaching.prod.js",
}

EXTERNAL_URL = re.compile(
    r"""https?://|(?:src|href|action|srcset)\s*=\s*["']?/"""
    r"""|url\(\s*["']?/|(?:import|from|fetch|Worker|URL)\s*\(?\s*["'`]/"""
)

XML_NAMESPACE = re.compile(r"""\bxmlns(?::\w+)?=["']http://www\.w3\.org/[^"']*["']""")  # a name, not a fetch


CODE_SUFFIXES = {".js", ".mjs", ".css"}
COMMENT_STARTS = ("//", "/*", "*")


def external_references(dist: Path) -> list[str]:
    """Text files in dist/ that name an absolute URL or a root-absolute path ("/x")."""
    found = []
    for path in sorted(dist.rglob("*")):
        rel = path.relative_to(dist).as_posix()
        if path.suffix in TEXT_SUFFIXES and path.name not in URL_CHECK_EXEMPT:
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if path.suffix in CODE_SUFFIXES and line.lstrip().startswith(COMMENT_STARTS):
                    continue  # a comment fetches nothing (uPlot's source cites web pages)
                if m := EXTERNAL_URL.search(XML_NAMESPACE.sub("", line)):
                    found.append(f"{rel}:{n}: {line.strip()[:120]} ({m.group(0)!r})")
    return found
