"""deploy/headers.json -> each host's header config (Netlify _headers, vercel.json, nginx).

A rule's "for" is a path from the site's root: exact ("/index.html") or a prefix ending in "*"
("/pyodide-*"). A response carries every matching rule's headers; `headers_for(path)` is that
merge, the reference the tests hold each host's config (and the running nginx) to.
"""

from __future__ import annotations

import json
from pathlib import Path

HEADERS_JSON = Path(__file__).resolve().parent / "headers.json"


def load(path: Path = HEADERS_JSON) -> dict:
    spec = json.loads(path.read_text())
    for rule in spec["rules"]:
        pattern = rule["for"]
        if not pattern.startswith("/") or "*" in pattern[:-1]:
            raise ValueError(f"{path}: {pattern!r} must start with '/' and may only end in '*'")
    return spec


def matches(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def headers_for(path: str, spec: dict | None = None, otherwise: bool = True) -> dict[str, str]:
    """The headers a response for `path` (from the site's root) carries; with `otherwise`,
    also the defaults for paths no Cache-Control rule covers (what nginx is told)."""
    spec = spec or load()
    out: dict[str, str] = {}
    for rule in spec["rules"]:
        if matches(rule["for"], path):
            out.update(rule["headers"])
    if otherwise:
        for key, value in spec.get("otherwise", {}).items():
            out.setdefault(key, value)
    return out


def netlify(spec: dict | None = None) -> str:
    """dist/_headers (Netlify, Cloudflare Pages)."""
    spec = spec or load()
    blocks = ["# Made by build.py from deploy/headers.json: edit that file, not this one."]
    for rule in spec["rules"]:
        blocks.append("\n".join([rule["for"]] + [f"  {k}: {v}" for k, v in rule["headers"].items()]))
    return "\n".join(blocks) + "\n"


def vercel(spec: dict | None = None) -> list[dict]:
    """The "headers" list of vercel.json (path-to-regexp sources)."""
    spec = spec or load()
    return [
        {
            "source": r["for"][:-1] + "(.*)" if r["for"].endswith("*") else r["for"],
            "headers": [{"key": k, "value": v} for k, v in r["headers"].items()],
        }
        for r in spec["rules"]
    ]


def nginx(prefix: str, spec: dict | None = None) -> str:
    """Location blocks for a server that serves the site under `prefix` ("/inkling/").

    nginx's add_header in a location replaces every inherited one, so each block repeats the
    headers of the '/*' rule; paths no rule covers get the "otherwise" headers too."""
    spec = spec or load()
    base = prefix.rstrip("/")

    def block(match: str, path: str) -> str:
        lines = [f'    add_header {k} "{v}" always;' for k, v in headers_for(path, spec).items()]
        return f"location {match} {{\n" + "\n".join(lines) + "\n}"

    out = []
    for rule in spec["rules"]:
        pattern = rule["for"]
        if pattern == "/*":
            continue
        if pattern.endswith("*"):
            out.append(block(f"^~ {base}{pattern[:-1]}", pattern[:-1] + "x"))
        else:
            out.append(block(f"= {base}{pattern}", pattern))
    out.append(block(f"{prefix}", "/__any_other_path__"))
    return "# Made from deploy/headers.json by deploy/headers.py.\n" + "\n".join(out) + "\n"
