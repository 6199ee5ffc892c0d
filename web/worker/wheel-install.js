// Installs the app's wheels into Pyodide from JavaScript, instead of pyodide.loadPackage.
//
// Why: loadPackage unpacks a wheel with Python's zipfile and shutil inside Pyodide, on every page
// load: a warm load's largest step after the runtime itself (docs/benchmarks.md, Loading).
// build.py stores every member of both wheels uncompressed, so each file is a slice of the
// wheel's bytes: writing those slices into Pyodide's file system takes a few milliseconds. The
// rest is what loadPackage does after unpacking, through the same Pyodide 0.27.7 functions: load
// extension modules' wasm (numpy-in-snapshot.js), resolve symbols, record the package, and
// invalidate Python's import caches (runtime-snapshot.js's bootRuntime puts these steps in order).
// tests/pyodide/test_worker_boot.py checks it in Pyodide under Node.
//
// Only the extension modules that `import numpy` itself loads are loaded here (BOOT_EXTENSIONS):
// 4.6 of numpy's 7.5 MB of wasm. The others (numpy.random, numpy.fft, lapack_lite, numpy's test
// modules) are loaded by Python's import, synchronously (allowed in a worker), the first time
// something imports them: training, not reading the pad, so a boot that only reads does not pay
// for compiling them (docs/benchmarks.md). test_worker_boot.py fails if booting loads one not
// listed here (it would be compiled synchronously in the middle of `import numpy`).
//
// Each wheel is fetched with its sha256 from the lock file as the request's integrity, so the
// browser refuses bytes that differ from the build, as loadPackage does.

const EOCD = 0x06054b50;         // end of central directory record
const CENTRAL = 0x02014b50;      // central directory file header
const LOCAL = 0x04034b50;        // local file header
const SITE_PACKAGES = "/lib/python3.12/site-packages";
export const BOOT_EXTENSIONS = ["numpy/_core/_multiarray_umath.", "numpy/_core/_multiarray_tests.",
                                "numpy/linalg/_umath_linalg."];

/** The members of a zip whose members are all stored: [{name, data}], data a view into `bytes`. */
export function storedMembers(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - 22 - 65535);   // 22 bytes and a comment of up to 65535
  let end = bytes.length - 22;
  while (end >= lowest && view.getUint32(end, true) !== EOCD) end--;
  if (end < lowest) throw new Error("not a zip file (no end of central directory)");
  const count = view.getUint16(end + 10, true);
  const decoder = new TextDecoder();
  const members = [];
  for (let i = 0, at = view.getUint32(end + 16, true); i < count; i++) {
    if (view.getUint32(at, true) !== CENTRAL) throw new Error("broken zip: bad central directory entry");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0) throw new Error(`${name} is compressed: only stored members can be read here`);
    if (view.getUint32(local, true) !== LOCAL) throw new Error(`broken zip: bad local header for ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > bytes.length) throw new Error(`broken zip: ${name} runs past the end`);
    members.push({ name, data: bytes.subarray(start, start + size) });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return members;
}

/** "sha256-<base64>" (a request's integrity) from a hex digest. */
function integrity(hex) {
  const bytes = hex.match(/../g).map((h) => parseInt(h, 16));
  return "sha256-" + btoa(String.fromCharCode(...bytes));
}

/**
 * Downloads `names`, packages of the lock file at `lockUrl` (file names relative to `indexUrl`, as
 * Pyodide reads them), with download(url, init) -> Uint8Array (the worker's, which names the file
 * on failure). Returns a promise of [{name, bytes}].
 */
export async function fetchWheels(download, lockUrl, indexUrl, names) {
  const lock = JSON.parse(new TextDecoder().decode(await download(new URL(lockUrl))));
  return Promise.all(names.map(async (name) => {
    const entry = lock.packages?.[name];
    if (!entry) throw new Error(`package install failed: ${name} is not in ${lockUrl}`);
    return { name, bytes: await download(new URL(entry.file_name, indexUrl), { integrity: integrity(entry.sha256) }) };
  }));
}

const isBootExtension = (name) => BOOT_EXTENSIONS.some((prefix) => name.startsWith(prefix));

/** The BOOT_EXTENSIONS in `wheel` ({name, bytes}): [{path (where writeWheel puts it), data}]. */
export function bootExtensions({ bytes }) {
  return storedMembers(bytes).filter((member) => isBootExtension(member.name))
    .map((member) => ({ path: `${SITE_PACKAGES}/${member.name}`, data: member.data }));
}

/** Writes `wheel`'s files ({name, bytes}) into site-packages; returns the paths of its BOOT_EXTENSIONS. */
export function writeWheel(pyodide, { name, bytes }) {
  const { FS } = pyodide;
  const extensions = [];
  for (const member of storedMembers(bytes)) {
    const parts = member.name.split("/");
    if (member.name.startsWith("/") || parts.includes("..")) throw new Error(`${name}: unsafe path ${member.name}`);
    if (member.name.endsWith("/")) continue;   // folders are made for the files in them
    const path = `${SITE_PACKAGES}/${member.name}`;
    FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, member.data);
    if (isBootExtension(member.name)) extensions.push(path);
  }
  return extensions;
}

/** What loadPackage does once a package's files and extension modules are in: links what the
 *  modules left undefined and drops Python's import caches (then recordInstalled). */
export function finishInstall(pyodide) {
  pyodide._module.reportUndefinedSymbols();
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
}

/** Records package `name` as loaded, as loadPackage does: a later loadPackage(name) then answers
 *  "already loaded" instead of installing it again. (Not before a memory snapshot is taken: Pyodide
 *  refuses to take one once this record is not empty.) */
export function recordInstalled(pyodide, name) {
  pyodide.loadedPackages[name] = "default channel";
}
