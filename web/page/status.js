// Loading progress and failures, in words; mirrors the app state on <html data-state>.
// Only .status-text is a live region (role=status): it changes with the state, while the detail
// beside it (the last reading's time) changes with every stroke and is not announced.

export class Status {
  constructor(root, { onRetry } = {}) {
    this.root = root;
    this.text = root.querySelector(".status-text");
    this.details = root.querySelector(".status-detail");
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

  // Beside the text, not announced (e.g. "· read in 13 ms"); cleared by the next show().
  detail(text) { this.details.textContent = text; }

  show(text, tone) {
    if (this.text.textContent !== text) this.text.textContent = text;   // the same words are not said again
    this.details.textContent = "";
    this.root.dataset.tone = tone;
    this.retry.hidden = true;
  }
}
