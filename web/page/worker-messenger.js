// A promise per request to a Web Worker (after the WorkerMessenger in svgomg).
//
// Page -> worker: {id, type, ...fields}, typed-array buffers transferred.
// Worker -> page: {id, result} or {id, error} for a request; {event, ...} for news that is no
// answer (progress, the model list).
//
// A worker can die without a word: self.close(), a crashed thread, a Pyodide fatal error. Death is
// seen three ways: the Worker's `error` / `messageerror` events, the worker's own {event: "fatal"},
// and a watchdog: a {type: "ping"} every watchdogMs / 4, answered by the worker between Python
// calls; one unanswered for watchdogMs (BOOT_FACTOR x that until the worker first answers a request:
// booting Python has long stretches without a break, longest in WebKit, whose cold boot on a busy
// 2-core machine went past 30 s and was killed four times over) means the worker is gone. Then every pending request is
// rejected with a WorkerDied error and onDeath(reason) is called once; the caller restarts.

const BOOT_FACTOR = 9;

export class WorkerDied extends Error {
  get workerDied() { return true; }
}

export class WorkerMessenger {
  constructor(url, { onEvent, onDeath, watchdogMs = 10_000 } = {}) {
    this.onEvent = onEvent;
    this.onDeath = onDeath;
    this.pending = new Map();
    this.nextId = 1;
    this.watchdogMs = watchdogMs;
    this.pingSentAt = null;    // performance.now() of the unanswered ping, null when none
    this.answered = false;     // has the worker answered a request yet (it is booted)?
    this.worker = new Worker(url, { type: "module" });
    this.worker.addEventListener("message", (e) => this.receive(e.data));
    this.worker.addEventListener("messageerror", () => this.die("a message from the Python worker could not be read"));
    this.worker.addEventListener("error", (e) => {
      e.preventDefault?.();
      this.die(e.message ? `the Python worker failed: ${e.message}`
        : "the Python worker could not start (does this browser run module workers?)");
    });
    // Judged against the ping we sent, not the tick's own time: throttled timers (a background
    // tab) delay the check but cannot make a live worker look dead.
    this.watchdog = setInterval(() => this.checkAlive(), watchdogMs / 4);
  }

  request(message, transfer = []) {
    return new Promise((resolve, reject) => {
      if (!this.worker) return reject(new WorkerDied(this.failure || "the worker has stopped"));
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  // A new watchdog period: the Lab's worker has none while it may run scripts, and one once it
  // only answers the pad for a model it hosts (web/lab/lab-hosts.js).
  watch(watchdogMs) {
    clearInterval(this.watchdog);
    this.watchdogMs = watchdogMs;
    this.pingSentAt = null;
    this.watchdog = setInterval(() => this.checkAlive(), watchdogMs / 4);
  }

  // A message that wants no answer (the worker's "drawing").
  notify(message) {
    this.worker?.postMessage(message);
  }

  checkAlive() {
    if (!this.worker) return;
    const now = performance.now();
    if (this.pingSentAt === null) {
      this.pingSentAt = now;
      this.worker.postMessage({ type: "ping" });
    } else {
      const limit = this.answered ? this.watchdogMs : BOOT_FACTOR * this.watchdogMs;
      if (now - this.pingSentAt > limit) this.die(`the Python worker stopped responding for ${Math.round(limit / 1000)} s`);
    }
  }

  receive(data) {
    this.pingSentAt = null;                 // any message is a sign of life
    if (data?.event === "alive") return;
    if (data?.event === "fatal") return this.die(`the Python worker failed: ${data.message}`);
    if (data?.id === undefined) return this.onEvent?.(data);
    this.answered = true;
    const call = this.pending.get(data.id);
    if (!call) return;
    this.pending.delete(data.id);
    if ("error" in data) call.reject(new Error(data.error));
    else call.resolve(data.result);
  }

  // The worker is gone: reject what waits on it, stop it for good, tell the owner once.
  die(reason) {
    if (!this.worker) return;
    this.failure = reason;
    this.terminate();
    const error = new WorkerDied(reason);
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    this.onDeath?.(reason);
  }

  terminate() {
    clearInterval(this.watchdog);
    this.worker?.terminate();
    this.worker = null;
  }
}
