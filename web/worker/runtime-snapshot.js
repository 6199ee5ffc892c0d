// Boots Pyodide from a memory snapshot when this browser has one, so that a second visit skips
// Python's start-up (interpreter init and the `pyodide` package's imports: ~75 % of loadPyodide).
//
// The snapshot is Pyodide 0.27.7's own (loadPyodide({_makeSnapshot}) + makeMemorySnapshot(),
// restored with loadPyodide({_loadSnapshot})): the wasm heap right after loadPyodide, before any
// package is loaded. numpy's dynamic libraries are separate wasm modules whose instances and
// function-table slots a heap copy cannot hold, so packages are always loaded after the restore.
// It is kept in Cache Storage (about 21 MB, not compressed), in a cache named after the runtime's
// content-hashed folder, so a new Pyodide build never meets an old snapshot; older ones are
// deleted when a new one is stored. A snapshot that fails to restore is replaced by a new one and
// the runtime boots the plain way. Without Cache Storage (an insecure origin) it always does.

const CACHE_PREFIX = "pyodide-snapshot-";

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
  const name = cacheName(options.indexURL);
  if (snapshot) {
    try {
      return { pyodide: await loadPyodide({ ...options, _loadSnapshot: snapshot }), restored: true, save: async () => {} };
    } catch (error) {   // booted the plain way below, and a new snapshot replaces this one
      console.warn(`Inkling: the Python memory snapshot did not restore (${error.message}); booting without it`);
    }
  }
  if (!hasCaches) return { pyodide: await loadPyodide(options), restored: false, save: async () => {} };
  const pyodide = await loadPyodide({ ...options, _makeSnapshot: true });
  let taken = pyodide.makeMemorySnapshot();   // before any package: see above
  const save = async () => {
    if (!taken) return;
    const bytes = taken;
    taken = null;
    await storeSnapshot(name, snapshotKey(options.indexURL), bytes);
  };
  return { pyodide, restored: false, save };
}
