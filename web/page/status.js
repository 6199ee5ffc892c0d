// Loading progress and failures, in words; mirrors the app state on <html data-state>.

export class Status {
  constructor(root, { onRetry } = {}) {
    this.root = root;
    this.text = root.querySelector(".status-text");
    this.retry = root.querySelector(".retry");
    this.retry.addEventListener("click", () => onRetry?.());
  }

  set state(value) { document.documentElement.dataset.state = value; }
  get state() { return document.documentElement.dataset.state; }

  loading(text) {
    this.state = "loading";
    this.show(text, "loading");
  }

  ready(text = "Ready") {
    this.state = "ready";
    this.show(text, "ready");
  }

  // A failure to start: the app cannot read digits until a retry succeeds.
  failed(reason) {
    this.state = "error";
    this.show(`Couldn’t load: ${reason}`, "error");
    this.retry.hidden = false;
  }

  // A failed request while ready: say so, keep working.
  warn(text) { this.show(text, "warning"); }

  show(text, tone) {
    this.text.textContent = text;
    this.root.dataset.tone = tone;
    this.retry.hidden = true;
  }
}
