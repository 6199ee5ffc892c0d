// Boots Pyodide from a memory snapshot when this browser has one, so that a second visit skips
// Python's start-up (interpreter init and the `pyodide` package's imports: ~75 % of loadPyodide),
// `import numpy` (numpy-in-snapshot.js), the app's imports and loading the default model.
//
// The snapshot is Pyodide 0.27.7's own (loadPyodide({_makeSnapshot}) + makeMemorySnapshot(),
// restored with loadPyodide({_loadSnapshot})): the wasm heap as the first visit's boot left it once
// ready (done() below): PREPARE run, numpy and inkling installed and imported, the default model
// loaded. numpy's extension modules are separate wasm modules that a heap copy cannot hold:
// numpy-in-snapshot.js records where they were and puts them back. The file system is not in the
// heap: a restore writes both wheels' files again (for what Python imports later), and the worker
// writes the weights again. The snapshot is kept in Cache Storage (about 22 of its 36 MB: blocks
// of zeros are left out) with that record in front of it (pack/unpack below), in a cache named after
// the content-hashed folders of the runtime, the app and the weights (snapshotPlace), so a new
// Pyodide, numpy, inkling or model never meets an old snapshot; older ones are deleted when a new
// one is stored. A snapshot that fails to restore is replaced by a new one and the runtime boots the
// plain way. Without Cache Storage (an insecure origin) it always does.

import { compileExtensions, importNumpy, restoreNumpy } from "./numpy-in-snapshot.js";
import { recordInstalled, writeWheel } from "./wheel-install.js";

const CACHE_PREFIX = "pyodide-snapshot-";

// Run on a fresh runtime, before the snapshot is taken, so a restored one has it too. Installing a
// package ends with importlib.invalidate_caches(), and Python 3.12's zipimporter then re-reads the
// whole directory of python_stdlib.zip (over a thousand entries, parsed in Python: 50-150 ms of a
// warm load). That zip is written once at start and never changes, so its importer (that one
// instance alone) keeps what it read.
export const PREPARE = `
def _prepare():
    import sys, zipimport
    for finder in sys.path_importer_cache.values():
        if isinstance(finder, zipimport.zipimporter):
            finder.invalidate_caches = lambda: None
_prepare()
del _prepare
`;

// Also run before the snapshot is taken: the finder that fetches the parts of the standard library
// and of numpy that a first visit does not download, the first time something imports a module
// they hold (deploy/lazy_rest.py, inside the trimmed stdlib; a full stdlib has nothing to fetch).
export const lazyRest = (indexURL) => `
try:
    import lazy_rest
except ImportError:
    pass
else:
    lazy_rest.install(${JSON.stringify(indexURL)})
`;

/** Where the snapshot for this runtime (`runtimeUrl`, Pyodide's folder), app (`appUrl`, the inkling
 *  wheel's folder) and weights (`weightsUrl`) is kept: {cache, key}, named after the three folders. */
export function snapshotPlace(runtimeUrl, appUrl, weightsUrl) {
  const folder = (url) => new URL(url).pathname.split("/").filter(Boolean).pop();
  return { cache: `${CACHE_PREFIX}${[runtimeUrl, appUrl, weightsUrl].map(folder).join("-")}`,
           key: new URL("memory-snapshot", runtimeUrl).href };
}

/** This browser's snapshot at `place` (snapshotPlace's; a Uint8Array, pack's), or null. */
export async function findSnapshot(place) {
  try {
    const response = await (await caches.open(place.cache)).match(place.key);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;   // Cache Storage failed: boot the plain way
  }
}

// What is stored: MAGIC (u32), the header's JSON length in bytes (u32), the JSON ({layout, size,
// runs}), zeros up to a multiple of 16, then the snapshot's bytes in `runs` ([start, end] pairs):
// over a third of the heap is zeros in whole 4 KB blocks, which are not stored (a warm load reads
// ~22 of ~36 MB from Cache Storage). A snapshot from before numpy was in it starts with Pyodide's
// own magic instead, and is replaced.
const MAGIC = 0x534b4e49;   // "INKS"
const HEADER = 8;
const BLOCK = 4096;

/** [[start, end], ...]: the runs of BLOCK-byte blocks of `bytes` that are not all zeros. */
function dataRuns(bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);   // makeMemorySnapshot's: aligned
  const runs = [];
  for (let start = 0; start < bytes.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, bytes.length);
    let zero = end - start === BLOCK;   // a short last block is kept as it is
    for (let w = start >> 2; zero && w < end >> 2; w++) zero = words[w] === 0;
    if (zero) continue;
    if (runs.length && runs[runs.length - 1][1] === start) runs[runs.length - 1][1] = end;
    else runs.push([start, end]);
  }
  return runs;
}

/** Blob of `layout` (JSON-able) and `snapshot` (Uint8Array), without copying the snapshot. */
export function pack(layout, snapshot) {
  const runs = dataRuns(snapshot);
  const json = new TextEncoder().encode(JSON.stringify({ layout, size: snapshot.length, runs }));
  const header = new Uint8Array(Math.ceil((HEADER + json.length) / 16) * 16);
  new DataView(header.buffer).setUint32(0, MAGIC, true);
  new DataView(header.buffer).setUint32(4, json.length, true);
  header.set(json, HEADER);
  return new Blob([header, ...runs.map(([start, end]) => snapshot.subarray(start, end))]);
}

/** {layout, snapshot} from pack's bytes; throws on anything else. */
export function unpack(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER || view.getUint32(0, true) !== MAGIC) throw new Error("not an Inkling snapshot");
  const length = view.getUint32(4, true);
  if (HEADER + length > bytes.length) throw new Error("snapshot header runs past its end");
  const { layout, size, runs } = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER, HEADER + length)));
  const snapshot = new Uint8Array(size);   // zeros, and the stored runs over them
  let at = Math.ceil((HEADER + length) / 16) * 16;
  for (const [start, end] of runs) {
    snapshot.set(bytes.subarray(at, at + end - start), start);
    at += end - start;
  }
  if (at !== bytes.length) throw new Error(`snapshot holds ${bytes.length} bytes, its header says ${at}`);
  return { layout, snapshot };
}

/** Stores `blob` at `place` for the next visit and deletes other snapshots. */
async function storeSnapshot(place, blob) {
  for (const old of await caches.keys()) {
    if (old.startsWith(CACHE_PREFIX) && old !== place.cache) await caches.delete(old);
  }
  await (await caches.open(place.cache)).put(place.key, new Response(blob, {
    headers: { "Content-Type": "application/octet-stream" },
  }));
}

/**
 * loadPyodide(options) with numpy and the app installed from `wheels` (a promise of [numpy, app],
 * each {name, bytes}) and numpy imported: restored from `stored` (findSnapshot's answer) when there
 * is one and it restores. Returns {pyodide, restored, done}. Call done() once the app has done what
 * a warm load should find done (its imports, the default model loaded): after a plain boot with a
 * `place` to keep it (snapshotPlace's; null without Cache Storage) it takes the snapshot, then it
 * records both packages as installed (Pyodide takes no snapshot once a package is recorded). It
 * returns {taken, save}: the snapshot ({pack}: pack's Blob of it, or null) and save(), which packs
 * and stores it (call it once the app is ready: scanning and writing 22 MB must not delay that). `mark(step)` is called when the
 * runtime alone is restored.
 */
export async function bootRuntime(loadPyodide, options, stored, wheels, { place = null, mark = () => {} } = {}) {
  const finish = (pyodide, packages, taken) => {
    for (const { name } of packages) recordInstalled(pyodide, name);
    return { taken, save: async () => { if (taken) await storeSnapshot(place, taken.pack()); } };
  };
  // numpy's extension modules compile while the runtime loads or restores (other cores do it).
  const compiled = wheels.then(([numpy]) => compileExtensions(numpy));
  compiled.catch(() => {});   // reported where it is awaited
  if (stored) {
    try {
      const { layout, snapshot } = unpack(stored);
      const pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot });
      mark("runtimeRestored");
      const [numpy, app] = await wheels;
      writeWheel(pyodide, app);   // its modules are in the heap, its files are not (restoreNumpy ends the install)
      await restoreNumpy(pyodide, numpy, layout, await compiled);
      return { pyodide, restored: true, done: () => finish(pyodide, [numpy, app], null) };
    } catch (error) {   // booted the plain way below, and a new snapshot replaces this one
      console.warn(`Inkling: the Python memory snapshot did not restore (${error.message}); booting without it`);
    }
  }
  const pyodide = await loadPyodide(place ? { ...options, _makeSnapshot: true } : options);
  mark("runtimeLoaded");
  pyodide.runPython(PREPARE);
  pyodide.runPython(lazyRest(options.indexURL));
  const [numpy, app] = await wheels;
  writeWheel(pyodide, app);   // pure Python, no extension modules: importNumpy ends both installs
  const layout = await importNumpy(pyodide, numpy, await compiled, mark);
  const done = () => {
    let taken = null;
    try {
      const heap = place && pyodide.makeMemorySnapshot();   // a copy of the heap: packed when saved
      taken = heap && { pack: () => pack(layout, heap) };
    } catch (error) {   // e.g. Python holds a JavaScript object: the next visit boots the plain way too
      console.warn(`Inkling: no Python memory snapshot taken (${error.message})`);
    }
    return finish(pyodide, [numpy, app], taken);
  };
  return { pyodide, restored: false, done };
}
