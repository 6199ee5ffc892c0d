"""Brotli copies (FILE.br) of the big content-hashed files, for servers that serve them as is
(nginx's brotli_static; see deploy/nginx.conf). Hosts that compress on their own ignore them.

Brotli at quality 11 takes ~25 s for the 10 MB wasm, so each result is cached in
.cache/brotli/<sha256 of the input>.br; Node's built-in zlib does the work (no extra package).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

MIN_BYTES = 16_000
SUFFIXES = {".wasm", ".js", ".mjs", ".zip", ".whl", ".json", ".npy"}

# Reads "IN\tOUT" lines on stdin; compresses each IN to OUT at quality 11.
NODE_SCRIPT = r"""
const fs = require("fs"), zlib = require("zlib");
const jobs = fs.readFileSync(0, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t"));
for (const [src, dst] of jobs) {
  const data = fs.readFileSync(src);
  const out = zlib.brotliCompressSync(data, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  fs.writeFileSync(dst + ".part", out);
  fs.renameSync(dst + ".part", dst);
}
"""


def candidates(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES and p.stat().st_size >= MIN_BYTES
    )


def brotli_copies(files: list[Path], cache: Path) -> int:
    """Writes FILE.br beside each file (from the cache when it has it); returns bytes written."""
    store = cache / "brotli"
    store.mkdir(parents=True, exist_ok=True)
    keyed = [(f, store / (hashlib.sha256(f.read_bytes()).hexdigest() + ".br")) for f in files]
    todo = {str(f): str(c) for f, c in keyed if not c.is_file()}
    if todo:
        # Two node processes: the machines this builds on have at least two cores.
        items = sorted(todo.items(), key=lambda kv: -os.path.getsize(kv[0]))
        halves = [items[0::2], items[1::2]]
        procs = [
            subprocess.Popen(["node", "-e", NODE_SCRIPT], stdin=subprocess.PIPE, text=True) for half in halves if half
        ]
        for proc, half in zip(procs, halves):
            proc.stdin.write("".join(f"{s}\t{d}\n" for s, d in half))
            proc.stdin.close()
        if any(proc.wait() for proc in procs):
            raise RuntimeError("node could not brotli-compress the runtime files")
    total = 0
    for f, c in keyed:
        data = c.read_bytes()
        if len(data) < 0.95 * f.stat().st_size:  # else the server had better send the file itself
            f.with_name(f.name + ".br").write_bytes(data)
            total += len(data)
    return total
