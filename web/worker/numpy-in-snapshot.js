// numpy imported before the memory snapshot is taken (runtime-snapshot.js), so that a warm load
// restores it instead of importing it again: `import numpy` runs ~80 modules, and V8 compiles each
// extension function it calls on that first call: a large part of a warm load otherwise.
//
// A heap copy holds numpy's Python objects and its extension modules' data, but not the modules
// themselves: their wasm instances, function-table slots and the GOT entries that link them live
// outside the heap. So a restore instantiates the same modules again, from the same files, at the
// same memory and table bases. Emscripten does this for a module loaded through a "dso handle", a
// struct in the heap (which the snapshot keeps): the first load records the module's memory base,
// data size, table base and table size in it, and a later load with the same handle reuses them
// (loadWebAssemblyModule in pyodide.asm.js; threads use it to share a library). Instantiating
// writes the module's initial data over what numpy made of it while importing, so that region is
// copied back from the restored heap.
//
// Nothing is taken on trust: the layout records the table's length before and after the modules
// and a checksum of the GOT (every linked symbol's address or table slot). A restore that does not
// end with the same throws, and runtime-snapshot.js boots the plain way and replaces the snapshot.
// tests/pyodide/test_worker_boot.py restores one in Pyodide under Node and checks what numpy computes.

import { bootExtensions, finishInstall, writeWheel } from "./wheel-install.js";

// Emscripten's struct dso (libc dynlink): the loaded flag at +8, then the memory base, data size,
// table base and table size as u32 at +12, +16, +20, +24.
const DSO_BYTES = 64;
const MEMORY_BASE = 12;
const MEMORY_SIZE = 16;

const FLAGS = { loadAsync: true, nodelete: true, allowUndefined: true, global: false };   // as loadDynlib's

// Loads the library at `path` (through dso `handle`, if given), from `compiled` (its
// WebAssembly.Module, compiled ahead) when given: instantiated here and handed to loadDynamicLibrary
// as a preloaded library (what Emscripten's own preload plugin does), so it is not compiled again
// from the file. Also used for the matmul kernel (kernel.js).
export async function loadAt(module, path, handle, compiled = null) {
  const fs = { findObject: (p) => module.FS.findObject(p), readFile: (p) => module.FS.readFile(p) };
  if (compiled) module.preloadedWasm[path] = await module.loadWebAssemblyModule(compiled, FLAGS, path, {}, handle);
  try {
    await module.loadDynamicLibrary(path, { ...FLAGS, fs }, {}, handle);
  } finally {
    delete module.preloadedWasm[path];
  }
  // As Pyodide's loadDynlib does: the library is known by its file name too.
  module.LDSO.loadedLibsByName[path.split("/").pop()] ??= module.LDSO.loadedLibsByName[path];
}

/** FNV-1a of every GOT entry, "name=value", sorted: equal when all symbols are linked the same. */
function gotChecksum(module) {
  const text = Object.entries(module.GOT).map(([name, global]) => `${name}=${global.value}`).sort().join(";");
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${Object.keys(module.GOT).length}:${hash.toString(16)}`;
}

/**
 * Installs numpy from `wheel` ({name, bytes}) on a fresh runtime and imports it, each extension
 * module loaded through a dso handle of its own, from `compiled` (compileExtensions' answer, made
 * while the runtime loaded; else from the files). Returns the layout a restore needs (plain data).
 */
export async function importNumpy(pyodide, wheel, compiled = {}, mark = () => {}) {
  const module = pyodide._module;
  const tableBefore = module.wasmTable.length;
  const extensions = [];
  for (const path of writeWheel(pyodide, wheel)) {
    const handle = module._calloc(1, DSO_BYTES);
    await loadAt(module, path, handle, compiled[path]);
    extensions.push({ path, handle });
  }
  finishInstall(pyodide);
  mark("numpyLinked");
  pyodide.runPython("import numpy");
  mark("numpyImported");
  // Python's import dlopen()ed each module: C keeps those handles, JavaScript maps them to the library.
  const paths = new Set(extensions.map((e) => e.path));
  const dlopened = Object.entries(module.LDSO.loadedLibsByHandle)
    .filter(([, dso]) => paths.has(dso.name)).map(([handle, dso]) => [Number(handle), dso.name]);
  return { tableBefore, tableAfter: module.wasmTable.length, got: gotChecksum(module), extensions, dlopened };
}

/** Compiles numpy's extension modules from `wheel`, off this thread, while the runtime loads or
 *  restores: a promise of {path: WebAssembly.Module}. */
export async function compileExtensions(wheel) {
  const compiled = bootExtensions(wheel).map(async ({ path, data }) => [path, await WebAssembly.compile(data)]);
  return Object.fromEntries(await Promise.all(compiled));
}

/**
 * On a runtime restored from a snapshot taken after importNumpy: writes numpy's files again and
 * brings its extension modules (`compiled`, compileExtensions' answer) back where `layout`
 * (importNumpy's answer) says they were.
 */
export async function restoreNumpy(pyodide, wheel, layout, compiled) {
  const module = pyodide._module;
  const differs = (what, now, then) => {
    if (now !== then) throw new Error(`numpy does not restore: ${what} is ${now}, was ${then}`);
  };
  differs("the function table's length", module.wasmTable.length, layout.tableBefore);
  differs("the extension modules", writeWheel(pyodide, wheel).join(), layout.extensions.map((e) => e.path).join());
  for (const { path, handle } of layout.extensions) {
    const base = module.HEAPU32[(handle + MEMORY_BASE) >> 2];
    const data = module.HEAPU8.slice(base, base + module.HEAPU32[(handle + MEMORY_SIZE) >> 2]);
    await loadAt(module, path, handle, compiled[path]);
    module.HEAPU8.set(data, base);   // numpy's data as the import left it, not as the file has it
  }
  finishInstall(pyodide);
  differs("the function table's length", module.wasmTable.length, layout.tableAfter);
  differs("the GOT", gotChecksum(module), layout.got);
  for (const [handle, name] of layout.dlopened) module.LDSO.loadedLibsByHandle[handle] = module.LDSO.loadedLibsByName[name];
}
