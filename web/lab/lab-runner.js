// The Lab's worker (web/lab-worker/lab-worker.js), seen from the page: starts it, tells the panel
// its state ("starting" | "idle" | "running" | "lending" | "failed"), and ends any run on stop()
// by terminating the worker and starting a fresh one: a Python loop cannot be interrupted from
// outside without cross-origin isolation, which the site does not have. It never holds a model of
// the pad's: lend() hands the worker whose script defined one over (to lab-hosts.js) and starts
// a fresh one for the next run, so stop() can never take a model away.

import { WorkerMessenger } from "../page/worker-messenger.js";

const WORKER_URL = new URL("../lab-worker/lab-worker.js", import.meta.url);
// A run keeps Python busy for as long as it runs, and the worker cannot answer pings meanwhile:
// the messenger's watchdog is set out of reach; a dead worker is still seen by its error event.
const NO_WATCHDOG_MS = 2 ** 30;

export class LabRunner {
  constructor({ onState, onEvent }) {
    this.onState = onState;
    this.onEvent = onEvent;
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
    this.setState("failed", reason);
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
    this.start().catch(() => {});
  }

  async request(message, transfer = []) {
    await this.ready;
    return this.messenger.request(message, transfer);
  }

  // "Use for the pad": the last run's predict_proba becomes the model `name` in this worker, which
  // then leaves the runner: resolves with {model: use's answer, host: its WorkerMessenger} for
  // lab-hosts.js, while a fresh worker starts (the Lab is "starting" until it is up, as at first).
  // A predict_proba refused by its test call leaves everything as it was.
  async lend(name) {
    await this.ready;
    if (this.state !== "idle") throw new Error("Python is busy");
    const host = this.messenger;
    this.setState("lending");
    try {
      const model = await host.request({ type: "use", name });
      this.messenger = null;         // so start() leaves it running
      this.start().catch(() => {});
      return { model, host };
    } catch (error) {
      if (this.messenger === host && this.state === "lending") this.setState("idle");
      throw error;
    }
  }
}
