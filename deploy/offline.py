"""dist/sw.js: the service worker, from web/sw/service-worker.js + Workbox + the precache list.

Workbox (npm: workbox-core, -routing, -strategies, -precaching, -window) is used through its
prebuilt scripts copied into dist/sw/, so no bundler runs. The precache list is everything the
pad needs: all of dist/ but MNIST (fetched only to train), the .br copies, the host configs, the
weights of the models other than the default and the "rest" zips of the stdlib and numpy (both
cached when first used). Files in content-
hashed folders carry their hash in the URL (revision null: Workbox may take them from the HTTP
cache); every other file gets the sha256 of its bytes as revision. The cache name carries
VERSION, the hash of the whole list, so a new deploy fills a new cache and drops the old ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

WORKBOX_SCRIPTS = ["workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching"]
WORKBOX_WINDOW = ("workbox-window/build/workbox-window.prod.mjs", "workbox-window.js")
TEMPLATE = "sw/service-worker.js"  # in web/, i.e. in dist/ before this runs
PLACEHOLDER = "/* @BUILD@ */ null"
HASHED = re.compile(r"^(pyodide|app|weights)-[0-9a-f]{12}/")
# MNIST (fetched to train) and the Lab (fetched when opened) are not what the pad needs.
NOT_PRECACHED = re.compile(
    r"^(mnist/|lab/|lab-worker/|sw\.js$|_headers$|\.nojekyll$|sw/service-worker\.js$)|\.(br|map)$"
)
LAZY = re.compile(r"^pyodide-[0-9a-f]{12}/\w+_rest\.zip$")  # deploy/lazy_rest.py fetches them on first use


def copy_workbox(node_modules: Path, dest: Path) -> None:
    """Workbox's prebuilt scripts into dest (dist/sw/), without their source-map comments."""
    sources = [(node_modules / name / "build" / f"{name}.prod.js", f"{name}.prod.js") for name in WORKBOX_SCRIPTS]
    sources.append((node_modules / WORKBOX_WINDOW[0], WORKBOX_WINDOW[1]))
    for src, name in sources:
        if not src.is_file():
            raise FileNotFoundError(f"{src} is missing: run npm ci")
        text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", src.read_text())
        (dest / name).write_text(text)


def lazy_weights(dist: Path, weights_dir: str) -> set[str]:
    """dist-relative paths of the weight files of every model but the default one."""
    manifest = json.loads((dist / weights_dir / "manifest.json").read_text())
    names = list(manifest["models"])
    default = manifest.get("default") if manifest.get("default") in names else names[0]
    return {weights_dir + f["path"] for n in names if n != default for f in manifest["models"][n]["files"].values()}


def precache_list(dist: Path, weights_dir: str) -> list[dict]:
    skip = lazy_weights(dist, weights_dir)
    entries = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        rel = path.relative_to(dist).as_posix()
        if NOT_PRECACHED.search(rel) or LAZY.match(rel) or rel in skip:
            continue
        revision = None if HASHED.match(rel) else hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        entries.append({"url": rel, "revision": revision})
    return entries


def write_service_worker(dist: Path, weights_dir: str) -> dict:
    """Writes dist/sw.js; returns what it put in (version, precache list, sizes)."""
    template = dist / TEMPLATE
    source = template.read_text()
    if PLACEHOLDER not in source:
        raise ValueError(f"{template} lacks {PLACEHOLDER}")
    entries = precache_list(dist, weights_dir)
    version = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:16]
    lazy = sorted(
        p.relative_to(dist).as_posix() for p in dist.rglob("*_rest.zip") if LAZY.match(p.relative_to(dist).as_posix())
    )
    build = {"version": version, "weights": weights_dir, "lazy": lazy, "precache": entries}
    (dist / "sw.js").write_text(source.replace(PLACEHOLDER, json.dumps(build, indent=1)))
    template.unlink()
    size = sum((dist / e["url"]).stat().st_size for e in entries)
    return {"version": version, "files": len(entries), "bytes": size}
