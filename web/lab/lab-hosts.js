// The Lab's models lent to the pad (lab-1, lab-2, …). A script's predict_proba cannot leave the
// Python that ran it, so "Use for the pad" makes that Lab worker the model's host: it runs no more
// scripts and answers only the pad's requests for it (predict, explain, readImage), while a fresh
// worker takes the editor's next runs (lab-runner.js). So a Lab run does not hold up the pad's
// readings, Stop (which terminates only the running worker) leaves the model alone, and a restart
// of the pad's own worker does not lose it (main.js lists the hosts' models beside the main ones).
// Each host is a whole Pyodide, its heap as big as its run left it (MNIST, the training: a few
// hundred MB), so only the last MAX_HOSTS are kept; the oldest is let go, and said so (onLost).

export const MAX_HOSTS = 3;
// A host is idle between the pad's requests and answers pings then; one silent this long is gone
// (a predict_proba that never returns, or a worker that died without a word). A generous limit:
// an explanation calls predict_proba on up to 170 images, slow for a from-scratch CNN.
const HOST_WATCHDOG_MS = 20_000;

export class LabHosts {
  // onLost(names, reason): those models are gone (their host died or was let go);
  // onOutput(name, message): what their predict_proba printed ({stream, text}).
  constructor({ onLost, onOutput }) {
    this.onLost = onLost;
    this.onOutput = onOutput;
    this.hosts = new Map();   // name -> WorkerMessenger, oldest first
  }

  // `messenger`'s worker holds the model `name` (its "use" answered): from now on it is its host.
  adopt(name, messenger) {
    messenger.onEvent = (message) => { if (message.event === "output") this.onOutput(name, message); };
    messenger.onDeath = (reason) => this.lost(name, `its Python stopped (${reason})`);
    messenger.watch(HOST_WATCHDOG_MS);
    this.hosts.set(name, messenger);
    for (const oldest of [...this.hosts.keys()].slice(0, -MAX_HOSTS)) {
      const host = this.hosts.get(oldest);
      this.lost(oldest, `only the last ${MAX_HOSTS} Lab models are kept, each in a Python of its own`);
      host.die("let go");   // after lost(): its death is news no more
    }
  }

  lost(name, reason) {
    if (this.hosts.delete(name)) this.onLost([name], reason);
  }

  owns(name) { return this.hosts.has(name); }

  // The messenger to send `name`'s requests to, or null when no host holds it.
  get(name) { return this.hosts.get(name) ?? null; }

  get names() { return [...this.hosts.keys()]; }
}
