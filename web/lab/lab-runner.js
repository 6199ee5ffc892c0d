// The Lab's worker (web/lab-worker/lab-worker.js), seen from the page: starts it, tells the panel
// its state ("starting" | "idle" | "running" | "failed"), and ends any run on stop() by
// terminating the worker and starting a fresh one: a Python loop cannot be interrupted from
// outside without cross-origin isolation, which the site does not have. The models a script
// lent the pad live in that worker, so they go with it (onLost).

import { WorkerMessenger } from "../page/worker-messenger.js";

const WORKER_URL = new URL("../lab-worker/lab-worker.js", import.meta.url);
// A run keeps Python busy for as long as it runs, and the worker cannot answer pings meanwhile:
// the messenger's watchdog is set out of reach; a dead worker is still seen by its error event.
const NO_WATCHDOG_MS = 2 ** 30;

export class LabRunner {
  constructor({ onState, onEvent, onLost }) {
    this.onState = onState;
    this.onEvent = onEvent;
    this.onLost = onLost;
    this.models = new Set();      // names of the pad models held by the current worker
    this.info = null;             // init's answer: {starter, exercises, bootMs}
    this.state = "starting";
  }

  setState(state, detail = "") {
    this.state = state;
    this.onState(state, detail);
  }

  // A fresh worker; resolves with init's answer once it is ready (or rejects: state "failed").
  start() {
    this.messenger?.terminate();
    this.setState("starting");
    const mine = (this.messenger = new WorkerMessenger(WORKER_URL, {
      watchdogMs: NO_WATCHDOG_MS,
      onEvent: (message) => { if (mine === this.messenger) this.onEvent(message); },
      onDeath: (reason) => { if (mine === this.messenger) this.died(reason); },
    }));
    this.ready = mine.request({ type: "init" }).then((info) => {
      if (mine === this.messenger) { this.info = info; this.setState("idle"); }
      return info;
    }, (error) => {
      if (mine === this.messenger) this.setState("failed", error.message);
      throw error;
    });
    return this.ready;
  }

  died(reason) {
    this.forget();
    this.setState("failed", reason);
  }

  forget() {
    if (this.models.size) this.onLost([...this.models]);
    this.models.clear();
  }

  // A run or an exercise check: the Stop button's business. Resolves with the worker's answer,
  // or {stopped: true} when stop() ended it.
  async busy(message) {
    await this.ready;
    this.setState("running");
    const mine = this.messenger;
    try {
      return await mine.request(message);
    } catch (error) {
      if (this.stopped === mine) return { stopped: true };
      throw error;
    } finally {
      if (this.messenger === mine && this.state === "running") this.setState("idle");
    }
  }

  // Ends the run at once: the worker goes, a new one starts (its boot is the Lab's "starting").
  stop() {
    if (this.state !== "running") return;
    const old = (this.stopped = this.messenger);
    this.messenger = null;           // so its death below is not taken for a failure
    old.die("stopped");              // terminates it and rejects the run's request (busy() says stopped)
    this.forget();
    this.start().catch(() => {});
  }

  async request(message, transfer = []) {
    await this.ready;
    return this.messenger.request(message, transfer);
  }

  async use(name) {
    const r = await this.request({ type: "use", name });
    this.models.add(r.name);
    return r;
  }

  owns(model) { return this.models.has(model); }
}
