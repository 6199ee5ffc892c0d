// One line that tells the user what happened to a picture or the camera: a refusal, a problem,
// or a note ("read the first frame of an animated GIF"). `[data-testid=message]`; hidden and
// empty when there is nothing to say. tone: "info" | "warning" | "error".

export class Message {
  constructor(element) {
    this.element = element;
    this.seq = 0;
    this.clear();
  }

  show(text, tone = "info") {
    const el = this.element;
    el.textContent = text;
    el.dataset.tone = tone;
    el.dataset.seq = String(++this.seq);   // tests wait for a new message, even the same text twice
    el.hidden = false;
  }

  info(text) { this.show(text, "info"); }
  warn(text) { this.show(text, "warning"); }
  error(text) { this.show(text, "error"); }

  clear() {
    this.element.textContent = "";
    this.element.dataset.tone = "";
    this.element.hidden = true;
  }
}
