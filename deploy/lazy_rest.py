"""The parts of the standard library and of numpy that a first visit does not download, fetched
the first time something imports a module they hold (build.py puts this file, and lazy_rest.json
naming each part's modules and sha256, into the trimmed python_stdlib.zip; deploy/trim.py).

    import lazy_rest; lazy_rest.install("https://site/pyodide-<hash>/")

adds a finder at the end of sys.meta_path: an import that every other finder failed, of a module
in a part not yet here, fetches that part (a synchronous request: allowed in a worker, and an
import cannot wait otherwise), checks its sha256, puts it in place, and finds the module again.
A "path" part (the stdlib's rest) joins sys.path as a zip; a "site-packages" part (numpy's rest,
extension modules included, which must be real files) is unpacked there. What was fetched is also
put in Cache Storage ("inkling-lazy"), where the service worker answers it from when offline.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import io
import json
import sys
import zipfile

CACHE = "inkling-lazy"
SITE_PACKAGES = "/lib/python3.12/site-packages"


def _fetch(url: str) -> bytes:
    """The bytes at `url`: a synchronous request in a browser, a file read under Node (tests)."""
    import js

    if not hasattr(js, "XMLHttpRequest"):  # Node: `url` is a path (a Buffer cannot cross as it is)
        from pyodide.code import run_js

        return run_js("(p) => new Uint8Array(process.getBuiltinModule('fs').readFileSync(p))")(url).to_bytes()
    request = js.XMLHttpRequest.new()
    request.open("GET", url, False)
    request.responseType = "arraybuffer"
    request.send(None)
    if request.status != 200:
        raise ImportError(f"cannot fetch {url}: HTTP {request.status}")
    data = request.response.to_bytes()
    _keep_for_offline(url, data)
    return data


def _keep_for_offline(url: str, data: bytes) -> None:
    """Put the part in Cache Storage (a first visit's worker is not controlled by the service
    worker, so its request went past it). Best effort: without Cache Storage it is fetched again."""
    try:
        from js import Response, caches
        from pyodide.ffi import to_js

        body = to_js(data)
        caches.open(CACHE).then(lambda cache: cache.put(url, Response.new(body)))
    except Exception:  # no Cache Storage (an insecure origin, Node): nothing to keep
        pass


class RestFinder:
    """A meta path finder that brings in the part holding a module, then finds it again."""

    def __init__(self, base_url: str, parts: dict, fetch=_fetch):
        self.base_url, self.fetch, self.parts = base_url, fetch, parts
        self.fetched: list[str] = []

    def find_spec(self, name, path=None, target=None):
        file = next((f for f, part in self.parts.items() if name in part["modules"]), None)
        if file is None:
            return None
        if file not in self.fetched:
            self._bring_in(file, self.parts[file])
        parent = sys.modules.get(name.rpartition(".")[0]) if "." in name else None
        if self.parts[file]["target"] == "path" and parent is not None:
            # A package that is in the boot stdlib (email) with a module only in this part
            # (email.mime): the package also looks inside the part's zip.
            inside = f"/lib/{file}/{parent.__name__.replace('.', '/')}"
            if inside not in parent.__path__:
                parent.__path__.append(inside)
            path = parent.__path__
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    return spec
        return None

    def _bring_in(self, file: str, part: dict) -> None:
        data = self.fetch(self.base_url + file)
        if hashlib.sha256(data).hexdigest() != part["sha256"]:
            raise ImportError(f"{file} differs from the build (sha256): not used")
        if part["target"] == "path":
            where = f"/lib/{file}"
            with open(where, "wb") as f:
                f.write(data)
            sys.path.append(where)
        else:
            zipfile.ZipFile(io.BytesIO(data)).extractall(SITE_PACKAGES)
            # The folders' finders forget what they listed. Not importlib.invalidate_caches():
            # Python 3.12's imports importlib.metadata, which may be what is being imported.
            for finder in list(sys.path_importer_cache.values()):
                if isinstance(finder, importlib.machinery.FileFinder):
                    finder.invalidate_caches()
        self.fetched.append(file)


def parts() -> dict:
    """lazy_rest.json, beside this module in the trimmed stdlib."""
    import os

    return json.loads(__loader__.get_data(os.path.join(os.path.dirname(__file__), "lazy_rest.json")))


def install(base_url: str, fetch=_fetch) -> RestFinder:
    """Adds the finder for this build's parts (once); returns it."""
    for finder in sys.meta_path:
        if isinstance(finder, RestFinder):
            return finder
    finder = RestFinder(base_url, parts(), fetch)
    sys.meta_path.append(finder)
    return finder
