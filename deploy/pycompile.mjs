// Compiles the .py files of a zip (a wheel, the boot stdlib) to .pyc with Pyodide's own CPython
// (the same 3.12 as in the page), so the browser imports bytecode instead of compiling the modules
// at every first visit (pyodide-build's `pyodide py-compile` does the same, but needs a host
// Python 3.12).
//
//   node deploy/pycompile.mjs IN.zip OUT.zip PREFIX [LEAVE_OUT]
//
// Members whose name matches the regular expression LEAVE_OUT are not copied (deploy/layout.py
// says which, and why).
// Each x.py becomes x.pyc beside it (sourceless: Python imports it only when no .py is there),
// with co_filename under PREFIX (site-packages, or the stdlib zip's path) for readable tracebacks; RECORD,
// where there is one, is rewritten to match. A file that does not compile stays as source.
// Deterministic: the pyc header holds mtime 0.
// Each code object keeps its line numbers but not its column positions (`lines_only`): columns
// are what makes 3.12's location tables big (a third of the compressed stdlib's bytecode), and
// all they add is the ^^^ under the failing expression in a traceback.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [input, output, prefix, leaveOut = ""] = process.argv.slice(2);
if (!prefix) throw new Error("usage: node deploy/pycompile.mjs IN.zip OUT.zip PREFIX [LEAVE_OUT]");
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { loadPyodide } = await import(path.join(repo, "node_modules", "pyodide", "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: path.join(repo, "node_modules", "pyodide") + "/" });

pyodide.FS.writeFile("/tmp/in.whl", readFileSync(input));
pyodide.globals.set("PREFIX", prefix);
pyodide.globals.set("LEAVE_OUT", leaveOut);
pyodide.runPython(`
import base64, hashlib, re, zipfile
from importlib._bootstrap_external import _code_to_timestamp_pyc

def _varint(out, v):   # CPython's Objects/locations.md: 6-bit chunks, bit 6 = more follow
    while v >= 64:
        out.append(0x40 | (v & 63))
        v >>= 6
    out.append(v)

# code (and the code objects in its constants) with a location table of line numbers only: an
# entry per run of at most 8 code units, kind 13 (line delta, no columns) or 15 (no location), so
# co_lines() reads the same and co_positions() has no columns.
def lines_only(code):
    table, line_before = bytearray(), code.co_firstlineno
    for start, end, line in code.co_lines():
        units = (end - start) // 2
        while units > 0:
            n = min(units, 8)
            if line is None:
                table.append(0x80 | 15 << 3 | n - 1)
            else:
                table.append(0x80 | 13 << 3 | n - 1)
                delta = line - line_before
                _varint(table, (-delta << 1) | 1 if delta < 0 else delta << 1)
                line_before = line
            units -= n
    consts = tuple(lines_only(c) if hasattr(c, "co_code") else c for c in code.co_consts)
    return code.replace(co_linetable=bytes(table), co_consts=consts)

def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

members, record_name = [], None
with zipfile.ZipFile("/tmp/in.whl") as zin:
    for info in zin.infolist():
        data, name = zin.read(info), info.filename
        if LEAVE_OUT and re.search(LEAVE_OUT, name):
            continue
        if name.endswith(".dist-info/RECORD"):
            record_name = name
            continue
        if name.endswith(".py"):
            try:
                code = lines_only(compile(data, f"{PREFIX}/{name}", "exec", dont_inherit=True))
                data, name = bytes(_code_to_timestamp_pyc(code, 0, len(data))), name + "c"
            except SyntaxError:
                pass
        members.append((info, name, data))

with zipfile.ZipFile("/tmp/out.whl", "w", zipfile.ZIP_STORED) as zout:
    for info, name, data in members:
        out = zipfile.ZipInfo(name, info.date_time)
        out.external_attr = info.external_attr
        zout.writestr(out, data)
    if record_name:
        lines = [f"{name},{digest(data)},{len(data)}" for _, name, data in members]
        out = zipfile.ZipInfo(record_name, members[0][0].date_time)
        out.external_attr = 0o644 << 16
        zout.writestr(out, "\\n".join(lines + [f"{record_name},,"]) + "\\n")
`);
writeFileSync(output, pyodide.FS.readFile("/tmp/out.whl"));
