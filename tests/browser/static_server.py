"""The one place that serves dist/ to the browser tests and the benchmark: Debian's nginx.

`serve(dist, prefix="/inkling/")` is a context manager yielding a `Site`: dist/ served on
127.0.0.1 at a free port under a sub-path (the site must work from one) by nginx, in the
foreground, with the repository's deploy/nginx.conf (compression, MIME types) and the headers
of deploy/headers.json, as a static host would. Pid, logs and temp files live in a temporary
folder removed afterwards; `Site.served` is read from nginx's access log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from deploy import headers  # noqa: E402

NGINX = os.environ.get("INKLING_NGINX", "/usr/sbin/nginx")
TEMPLATE = REPO / "deploy" / "nginx.conf"
MODULES = [Path("/usr/lib/nginx/modules") / f"ngx_http_brotli_{m}_module.so" for m in ("filter", "static")]


def missing() -> list[str]:
    """Why nginx cannot serve the site here (empty when it can)."""
    why = []
    if not (Path(NGINX).is_file() or shutil.which(NGINX)):
        why.append(f"nginx not found at {NGINX} (apt-get install nginx-light; or set INKLING_NGINX)")
    if any(not m.is_file() for m in MODULES):
        why.append(
            "nginx's brotli modules are missing "
            "(apt-get install libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static)"
        )
    return why


@dataclass
class Site:
    origin: str  # "http://127.0.0.1:PORT"
    url: str  # the app's URL: origin + prefix
    root: Path  # the folder served
    log: Path  # nginx's access log: "METHOD URI STATUS BYTES" a line

    @property
    def served(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request nginx has answered, in order."""
        out = []
        with contextlib.suppress(FileNotFoundError):
            for line in self.log.read_text(errors="replace").splitlines():
                parts = line.split(" ")
                if len(parts) >= 3 and parts[2].isdigit():
                    out.append((parts[0], parts[1], int(parts[2])))
        return out

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.served]

    def bytes_sent(self) -> list[tuple[str, int]]:
        """(path, body bytes as sent, i.e. compressed) of every request answered, in order."""
        out = []
        with contextlib.suppress(FileNotFoundError):
            for line in self.log.read_text(errors="replace").splitlines():
                parts = line.split(" ")
                if len(parts) >= 4 and parts[3].isdigit():
                    out.append((parts[1], int(parts[3])))
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(tmp: Path, port: int, prefix: str) -> str:
    """deploy/nginx.conf with its @NAMES@ filled in."""
    blocks = headers.nginx(prefix).replace("\n", "\n        ")
    return TEMPLATE.read_text().replace("@PORT@", str(port)).replace("@TMP@", str(tmp)).replace("@HEADERS@", blocks)


def _wait_listening(port: int, proc: subprocess.Popen, tmp: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (tmp / "error.log").read_text(errors="replace") if (tmp / "error.log").exists() else ""
            raise RuntimeError(f"nginx exited with {proc.returncode}: {proc.stderr.read()} {log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within {timeout} s")


@contextlib.contextmanager
def serve(root: Path | str, prefix: str = "/inkling/"):
    """Serve `root` on 127.0.0.1 (free port) under `prefix` with nginx; yields a Site."""
    root = Path(root).resolve()
    if not prefix.startswith("/") or not prefix.endswith("/") or ".." in prefix:
        raise ValueError(f"prefix must start and end with '/': {prefix!r}")
    if why := missing():
        raise RuntimeError("; ".join(why))
    with tempfile.TemporaryDirectory(prefix="inkling-nginx-") as name:
        tmp = Path(name)
        link = tmp / "www" / prefix.strip("/")
        link.parent.mkdir(parents=True, exist_ok=True)
        if prefix == "/":
            link = tmp / "www"
            link.rmdir()
        link.symlink_to(root, target_is_directory=True)
        for attempt in range(5):  # a free port can be taken between the check and nginx's bind
            port = _free_port()
            conf = tmp / "nginx.conf"
            conf.write_text(config(tmp, port, prefix))
            # One process, no master: it reads dist/ as the user running the tests (a master
            # started as root would hand the requests to "nobody", who may not reach dist/).
            proc = subprocess.Popen(
                [NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log"), "-g", "master_process off;"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                _wait_listening(port, proc, tmp)
                break
            except RuntimeError:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                if attempt == 4:
                    raise
        origin = f"http://127.0.0.1:{port}"
        try:
            yield Site(origin=origin, url=origin + prefix, root=root, log=tmp / "access.log")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
