// A promise per request to a Web Worker (after the WorkerMessenger in svgomg).
//
// Page -> worker: {id, type, ...fields}, typed-array buffers transferred.
// Worker -> page: {id, result} or {id, error} for a request; {event, ...} for news that is no
// answer (progress, the model list). If the worker dies, every pending request is rejected.

export class WorkerMessenger {
  constructor(url, { onEvent } = {}) {
    this.onEvent = onEvent;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = new Worker(url, { type: "module" });
    this.worker.addEventListener("message", (e) => this.receive(e.data));
    this.worker.addEventListener("messageerror", () => this.fail("a worker message could not be read"));
    this.worker.addEventListener("error", (e) => {
      e.preventDefault?.();
      this.fail(e.message || "the Python worker could not start (does this browser run module workers?)");
    });
  }

  request(message, transfer = []) {
    return new Promise((resolve, reject) => {
      if (!this.worker) return reject(new Error(this.failure || "the worker has stopped"));
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  receive(data) {
    if (data?.id === undefined) return this.onEvent?.(data);
    const call = this.pending.get(data.id);
    if (!call) return;
    this.pending.delete(data.id);
    if ("error" in data) call.reject(new Error(data.error));
    else call.resolve(data.result);
  }

  fail(message) {
    this.failure = message;
    const error = new Error(message);
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    this.terminate();
    this.onEvent?.({ event: "failed", message });
  }

  terminate() {
    this.worker?.terminate();
    this.worker = null;
  }
}
