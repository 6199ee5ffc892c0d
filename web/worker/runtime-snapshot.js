// Boots Pyodide from a memory snapshot when this browser has one, so that a second visit skips
// Python's start-up (interpreter init and the `pyodide` package's imports: ~75 % of loadPyodide)
// and `import numpy` (numpy-in-snapshot.js).
//
// The snapshot is Pyodide 0.27.7's own (loadPyodide({_makeSnapshot}) + makeMemorySnapshot(),
// restored with loadPyodide({_loadSnapshot})): the wasm heap right after loadPyodide, PREPARE below
// and `import numpy`, before the app's own package is installed. numpy's extension modules are
// separate wasm modules that a heap copy cannot hold: numpy-in-snapshot.js records where they were
// and puts them back. The snapshot is kept in Cache Storage (about 20 of its 30 MB: blocks of
// zeros are left out) with that record in front of it (pack/unpack below), in a cache named after
// the runtime's content-hashed folder (which holds the numpy wheel too), so a new Pyodide or numpy
// never meets an old snapshot; older ones are deleted when a new one is stored. A snapshot that
// fails to restore is replaced by a new one and the runtime boots the plain way. Without Cache
// Storage (an insecure origin) it always does.

import { compileExtensions, importNumpy, restoreNumpy } from "./numpy-in-snapshot.js";
import { recordInstalled } from "./wheel-install.js";

const CACHE_PREFIX = "pyodide-snapshot-";

// Standard-library modules that every boot imports after the snapshot point (inkling's imports;
// numpy's come with numpy), imported before it is taken, so that a warm load finds them compiled
// and initialised in the restored heap instead of compiling them from python_stdlib.zip's sources
// again. They are pure Python or built into the runtime: nothing a heap copy cannot hold.
// tests/py/test_worker_boot.py keeps the list complete: it fails on a module missing here.
export const PREIMPORTS = ["json", "hashlib"];

// Run on a fresh runtime, before numpy is installed and the snapshot taken, so a restored one has
// it too. Besides the imports: installing a package ends with importlib.invalidate_caches(), and
// Python 3.12's zipimporter then re-reads the whole directory of python_stdlib.zip (over a
// thousand entries, parsed in Python: 50-150 ms of a warm load). That zip is written once at
// start and never changes, so its importer (that one instance alone) keeps what it read.
export const PREPARE = `
def _prepare():
    import importlib, sys, zipimport
    for name in ${JSON.stringify(PREIMPORTS)}:
        importlib.import_module(name)
    for finder in sys.path_importer_cache.values():
        if isinstance(finder, zipimport.zipimporter):
            finder.invalidate_caches = lambda: None
_prepare()
del _prepare
`;

function cacheName(runtimeUrl) {
  return CACHE_PREFIX + new URL(runtimeUrl).pathname.split("/").filter(Boolean).pop();
}

function snapshotKey(runtimeUrl) {
  return new URL("memory-snapshot", runtimeUrl).href;
}

/** This browser's stored snapshot for the runtime at `runtimeUrl` (Uint8Array, pack's), or null. */
export async function findSnapshot(runtimeUrl) {
  if (typeof caches === "undefined") return null;   // no Cache Storage here: boot the plain way
  try {
    const response = await (await caches.open(cacheName(runtimeUrl))).match(snapshotKey(runtimeUrl));
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;   // Cache Storage failed: boot the plain way
  }
}

// What is stored: MAGIC (u32), the header's JSON length in bytes (u32), the JSON ({layout, size,
// runs}), zeros up to a multiple of 16, then the snapshot's bytes in `runs` ([start, end] pairs):
// over half of the heap is zeros in whole 4 KB blocks, which are not stored (a warm load reads
// ~20 of ~30 MB from Cache Storage). A snapshot from before numpy was in it starts with Pyodide's
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

/** Stores `blob` for the next visit and deletes other runtimes' snapshots. */
async function storeSnapshot(name, key, blob) {
  for (const old of await caches.keys()) {
    if (old.startsWith(CACHE_PREFIX) && old !== name) await caches.delete(old);
  }
  await (await caches.open(name)).put(key, new Response(blob, {
    headers: { "Content-Type": "application/octet-stream" },
  }));
}

/**
 * loadPyodide(options) with numpy installed from `numpyWheel` (a promise of {name, bytes}) and
 * imported: restored from `stored` (findSnapshot's answer) when there is one and it restores.
 * Returns {pyodide, restored, taken, save}: `taken` is the snapshot taken at boot (a Blob, pack's;
 * null when restored or when it cannot be stored: `takeSnapshot` false) and save() stores it (call
 * it once the app is ready, so that writing 20 MB does not delay it). `mark(step)` is called when
 * the runtime alone is restored.
 */
export async function bootRuntime(loadPyodide, options, stored, numpyWheel,
                                  { takeSnapshot = typeof caches !== "undefined", mark = () => {} } = {}) {
  if (stored) {
    try {
      const { layout, snapshot } = unpack(stored);
      const compiled = numpyWheel.then(compileExtensions);   // while the runtime restores
      compiled.catch(() => {});
      const pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot });
      mark("runtimeRestored");
      const wheel = await numpyWheel;
      await restoreNumpy(pyodide, wheel, layout, await compiled);
      recordInstalled(pyodide, wheel.name);
      return { pyodide, restored: true, taken: null, save: async () => {} };
    } catch (error) {   // booted the plain way below, and a new snapshot replaces this one
      console.warn(`Inkling: the Python memory snapshot did not restore (${error.message}); booting without it`);
    }
  }
  const pyodide = await loadPyodide(takeSnapshot ? { ...options, _makeSnapshot: true } : options);
  pyodide.runPython(PREPARE);
  const wheel = await numpyWheel;
  const layout = await importNumpy(pyodide, wheel);
  const taken = takeSnapshot ? pack(layout, pyodide.makeMemorySnapshot()) : null;   // before the app's package
  recordInstalled(pyodide, wheel.name);
  let unsaved = taken;
  const save = async () => {
    if (!unsaved) return;
    const blob = unsaved;
    unsaved = null;
    await storeSnapshot(cacheName(options.indexURL), snapshotKey(options.indexURL), blob);
  };
  return { pyodide, restored: false, taken, save };
}
