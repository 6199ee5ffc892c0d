// The Lab's output pane ([data-testid=lab-output]): what runs print, as it comes; stderr
// (tracebacks) marked so it can be told apart. Its text is every run's output so far, the
// oldest trimmed beyond MAX_CHARS so an endless print loop cannot eat the page's memory.

const MAX_CHARS = 200_000;

const FLUSH_MS = 50;   // what comes within this is shown together: a print loop cannot flood the page

export class LabOutput {
  constructor(pre) {
    this.pre = pre;
    this.pending = [];    // [text, stream] not shown yet
    this.timer = null;
  }

  write(text, stream = "stdout") {
    this.pending.push([text, stream]);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  // Everything written so far into the pane (callers flush before they read or add a note).
  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    const parts = this.pending;
    this.pending = [];
    for (let i = 0; i < parts.length;) {
      let j = i;
      let text = "";
      while (j < parts.length && parts[j][1] === parts[i][1]) text += parts[j++][0];
      this.show(text, parts[i][1]);
      i = j;
    }
    this.trim();
    this.pre.scrollTop = this.pre.scrollHeight;
  }

  show(text, stream) {
    const last = this.pre.lastChild;
    if (last?.dataset?.stream === stream) last.append(text);   // one span per stretch of a stream
    else {
      const span = document.createElement("span");
      span.dataset.stream = stream;
      span.textContent = text;
      this.pre.append(span);
    }
  }

  note(text) { this.write(`${text}\n`, "note"); this.flush(); }

  trim() {
    let excess = this.pre.textContent.length - MAX_CHARS;
    while (excess > 0 && this.pre.firstChild) {
      const first = this.pre.firstChild;
      if (first.textContent.length <= excess) { excess -= first.textContent.length; first.remove(); }
      else { first.textContent = first.textContent.slice(excess); excess = 0; }
    }
  }

  clear() { this.pending = []; this.pre.textContent = ""; }
}
