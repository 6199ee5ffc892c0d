// A classic script, first in index.html's <head>: it starts the Python worker while the page's
// modules still load, so that Python's boot (seconds) begins as early as it can. page/main.js
// hands it to its WorkerMessenger (worker-messenger.js's `early`); until then, what the worker
// says is kept, in order. Without module workers (or Worker at all) main.js starts one itself
// and reports what went wrong.
"use strict";
window.inklingEarlyWorker = (() => {
  try {
    const worker = new Worker(new URL("worker/inkling-worker.js", document.baseURI), { type: "module" });
    const events = [];
    const keep = (e) => {
      if (e.type === "error") e.preventDefault();   // reported by the messenger, once it has it
      events.push(e);
    };
    const types = ["message", "messageerror", "error"];
    for (const type of types) worker.addEventListener(type, keep);
    return { worker, events, release: () => { for (const type of types) worker.removeEventListener(type, keep); } };
  } catch {
    return null;
  }
})();
