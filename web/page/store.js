// What the user made, kept in the browser's IndexedDB across reloads (plain IndexedDB, no library):
//   models:  {name, created (ISO text), test_accuracy (0..1 or null), parameters, source, zip: Uint8Array}
//            keyed by name; zip is the model's one-file export (the same bytes Export downloads).
//   samples: {id (auto), input: Float32Array(784), label 0..9, created, model}: Teach mode's digits.
// Every function returns a promise; a browser without IndexedDB (or with it blocked) rejects.

const DB_NAME = "inkling";
const VERSION = 1;
let opened = null;

function open() {
  opened ??= new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) return reject(new Error("this browser keeps no IndexedDB storage"));
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("models")) db.createObjectStore("models", { keyPath: "name" });
      if (!db.objectStoreNames.contains("samples")) db.createObjectStore("samples", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB could not be opened"));
    request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab of this page"));
  });
  opened.catch(() => { opened = null; });
  return opened;
}

// One request in its own transaction; resolves with the request's result once the transaction
// has committed (so a reload right after never loses what was just written).
async function run(storeName, mode, makeRequest) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const request = makeRequest(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? request.error ?? new Error("IndexedDB write failed"));
  });
}

export const models = {
  all: () => run("models", "readonly", (s) => s.getAll()),
  put: (record) => run("models", "readwrite", (s) => s.put(record)),
  remove: (name) => run("models", "readwrite", (s) => s.delete(name)),
};

export const samples = {
  all: () => run("samples", "readonly", (s) => s.getAll()),
  add: (record) => run("samples", "readwrite", (s) => s.add(record)),
  count: () => run("samples", "readonly", (s) => s.count()),
  clear: () => run("samples", "readwrite", (s) => s.clear()),
};
