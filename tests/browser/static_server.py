"""The one place that serves dist/ to the browser tests and the benchmark.

`serve(dist, prefix="/inkling/")` is a context manager yielding a `Site`: dist/ served on
127.0.0.1 at a free port under a sub-path (the site must work from one), by a small threaded
static server with the MIME types a static host must send. To test behind another server
(nginx, ...), replace the body of `serve` and keep the `Site` it yields.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".whl": "application/octet-stream",
    ".npy": "application/octet-stream",
    ".zip": "application/zip",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Site:
    origin: str                 # "http://127.0.0.1:PORT"
    url: str                    # the app's URL: origin + prefix
    root: Path                  # the folder served
    served: list = field(default_factory=list)   # (method, path, status) of every request

    def paths(self) -> list[str]:
        return [p for _, p, _ in list(self.served)]


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, prefix: str, site: Site, **kwargs):
        self._prefix = prefix
        self._site = site
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        p = unquote(urlsplit(path).path)
        bare = self._prefix.rstrip("/")
        if p == bare or p.startswith(self._prefix):
            return super().translate_path(path[len(bare):] or "/")
        return str(Path(self.directory) / "__outside_the_sub_path__")   # -> 404

    def list_directory(self, path):   # no listings: a static host would not give one either
        self.send_error(404, "Not Found")
        return None

    def log_request(self, code="-", size="-"):
        self._site.served.append((self.command, self.path, int(code) if str(code).isdigit() else 0))

    def log_message(self, format, *args):  # quiet
        pass

    def handle(self):
        with contextlib.suppress(ConnectionError, TimeoutError):
            super().handle()


@contextlib.contextmanager
def serve(root: Path | str, prefix: str = "/inkling/"):
    """Serve `root` on 127.0.0.1 (free port) under `prefix`; yields a Site."""
    root = Path(root).resolve()
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise ValueError(f"prefix must start and end with '/': {prefix!r}")
    site = Site(origin="", url="", root=root)
    handler = partial(_Handler, directory=str(root), prefix=prefix, site=site)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    site.origin = f"http://127.0.0.1:{port}"
    site.url = site.origin + prefix
    thread = threading.Thread(target=httpd.serve_forever, name="inkling-static", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
