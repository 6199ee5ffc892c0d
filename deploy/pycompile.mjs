// Compiles a wheel's .py files to .pyc with Pyodide's own CPython (the same 3.12 as in the page),
// so the browser imports bytecode instead of compiling numpy's ~170 modules at every load
// (pyodide-build's `pyodide py-compile` does the same, but needs a host Python 3.12).
//
//   node deploy/pycompile.mjs IN.whl OUT.whl SITE_PACKAGES [LEAVE_OUT]
//
// Members whose name matches the regular expression LEAVE_OUT are not copied (deploy/layout.py
// says which, and why).
// Each x.py becomes x.pyc beside it (sourceless: Python imports it only when no .py is there),
// with co_filename under SITE_PACKAGES for readable tracebacks; RECORD is rewritten to match.
// A file that does not compile stays as source. Deterministic: the pyc header holds mtime 0.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [input, output, sitePackages, leaveOut = ""] = process.argv.slice(2);
if (!sitePackages) throw new Error("usage: node deploy/pycompile.mjs IN.whl OUT.whl SITE_PACKAGES [LEAVE_OUT]");
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { loadPyodide } = await import(path.join(repo, "node_modules", "pyodide", "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: path.join(repo, "node_modules", "pyodide") + "/" });

pyodide.FS.writeFile("/tmp/in.whl", readFileSync(input));
pyodide.globals.set("SITE_PACKAGES", sitePackages);
pyodide.globals.set("LEAVE_OUT", leaveOut);
pyodide.runPython(`
import base64, hashlib, re, zipfile
from importlib._bootstrap_external import _code_to_timestamp_pyc

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
                code = compile(data, f"{SITE_PACKAGES}/{name}", "exec", dont_inherit=True)
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
