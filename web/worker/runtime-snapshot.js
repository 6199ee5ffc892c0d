// Boots Pyodide from a memory snapshot when this browser has one, so that a second visit skips
// Python's start-up (interpreter init and the `pyodide` package's imports: ~75 % of loadPyodide).
//
// The snapshot is Pyodide 0.27.7's own (loadPyodide({_makeSnapshot}) + makeMemorySnapshot(),
// restored with loadPyodide({_loadSnapshot})): the wasm heap right after loadPyodide and PREPARE
// below, before any package is installed. numpy's dynamic libraries are separate wasm modules
// whose instances and function-table slots a heap copy cannot hold, so packages are always
// installed after the restore (wheel-install.js). It is kept in Cache Storage (about 21 MB, not
// compressed), in a cache named after the runtime's content-hashed folder, so a new Pyodide build
// never meets an old snapshot; older ones are deleted when a new one is stored. A snapshot that
// fails to restore is replaced by a new one and the runtime boots the plain way. Without Cache
// Storage (an insecure origin) it always does.

const CACHE_PREFIX = "pyodide-snapshot-";

// Standard-library modules that every boot imports after the snapshot point, imported before it
// is taken, so that a warm load finds them compiled and initialised in the restored heap instead
// of compiling them from python_stdlib.zip's sources again (~300 ms of a warm load here). They
// are pure Python or built into the runtime: nothing a heap copy cannot hold.
// tests/py/test_worker_boot.py keeps the list complete: it fails on a module missing here.
export const PREIMPORTS = [
  "importlib.metadata",             // importlib.invalidate_caches() (with email, csv, datetime)
  "ctypes", "pickle", "json", "platform", "hashlib", "numbers", "__future__",   // import numpy
];

// Run on a fresh runtime, before the snapshot is taken, so a restored one has it too. Besides the
// imports: installing packages ends with importlib.invalidate_caches(), and Python 3.12's
// zipimporter then re-reads the whole directory of python_stdlib.zip (over a thousand entries,
// parsed in Python: 50-150 ms of a warm load). That zip is written once at start and never
// changes, so its importer (that one instance alone) keeps what it read.
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

/** This browser's snapshot for the runtime at `runtimeUrl` (Uint8Array), or null. */
export async function findSnapshot(runtimeUrl) {
  if (typeof caches === "undefined") return null;   // no Cache Storage here: boot the plain way
  try {
    const response = await (await caches.open(cacheName(runtimeUrl))).match(snapshotKey(runtimeUrl));
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;   // Cache Storage failed: boot the plain way
  }
}

/** Stores `snapshot` (Uint8Array) for the next visit and deletes other runtimes' snapshots. */
async function storeSnapshot(name, key, snapshot) {
  for (const old of await caches.keys()) {
    if (old.startsWith(CACHE_PREFIX) && old !== name) await caches.delete(old);
  }
  await (await caches.open(name)).put(key, new Response(snapshot, {
    headers: { "Content-Type": "application/octet-stream" },
  }));
}

/**
 * loadPyodide(options), from `snapshot` (findSnapshot's answer) when there is one and it restores.
 * Returns {pyodide, restored, save}: save() stores a snapshot taken at boot (call it once the app
 * is ready, so that writing 21 MB does not delay it); it does nothing when there is none to store.
 */
export async function bootRuntime(loadPyodide, options, snapshot) {
  const hasCaches = typeof caches !== "undefined";
  if (snapshot) {
    try {
      return { pyodide: await loadPyodide({ ...options, _loadSnapshot: snapshot }), restored: true, save: async () => {} };
    } catch (error) {   // booted the plain way below, and a new snapshot replaces this one
      console.warn(`Inkling: the Python memory snapshot did not restore (${error.message}); booting without it`);
    }
  }
  const pyodide = await loadPyodide(hasCaches ? { ...options, _makeSnapshot: true } : options);
  pyodide.runPython(PREPARE);
  let taken = hasCaches ? pyodide.makeMemorySnapshot() : null;   // before any package: see above
  const name = cacheName(options.indexURL);
  const save = async () => {
    if (!taken) return;
    const bytes = taken;
    taken = null;
    await storeSnapshot(name, snapshotKey(options.indexURL), bytes);
  };
  return { pyodide, restored: false, save };
}
