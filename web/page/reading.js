// Everything read beyond the pad's quick prediction, and who may show it:
// - after a pad prediction is on screen, a follow-up "explain" request (the "Why" and the
//   number on the pad). It waits until the pad has been quiet for FOLLOW_UP_MS and is dropped
//   if a new stroke starts, so it never delays the next stroke's prediction.
// - pictures (upload, drop, paste, camera): one "readImage" request, whose result replaces the
//   pad's (the pad is cleared, the crop shown over it) until the next stroke.
// A generation counter makes sure only the newest request's answer is ever shown.

const FOLLOW_UP_MS = 250;   // a pause that long is no longer "between strokes of one digit"

export class Reading {
  constructor({ worker, model, pad, padCanvas, prediction, bars, modelInput, explanation, number, picture, message, app }) {
    Object.assign(this, { worker, model, pad, prediction, bars, modelInput, explanation, number, picture, message, app });
    this.generation = 0;
    this.timer = null;
    this.explaining = false;           // an explain request is in flight
    this.again = false;                // ...and another was asked for meanwhile
    padCanvas.addEventListener("pointerdown", () => this.strokeStarts(), true);
  }

  // A stroke starts on the pad: what was shown from a picture, or a pending "Why", is stale.
  strokeStarts() {
    clearTimeout(this.timer);
    this.again = false;
    if (this.picture.visible) {
      this.picture.hide();
      this.message.clear();
      this.number.clear();
      this.app.classList.remove("several");
    }
    this.explanation.stale();
  }

  // main.js: a pad prediction r ({digit, probabilities, input}) is on screen.
  padShown(r) {
    this.generation++;
    this.padInput = r.input;
    this.prediction.output.dataset.source = "pad";
    this.explanation.stale();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.explainPad(), FOLLOW_UP_MS);
  }

  async explainPad() {
    const worker = this.worker();
    if (!worker || this.pad.isEmpty || this.pad.pointerId !== null) return;
    if (this.explaining) { this.again = true; return; }
    this.explaining = true;
    const generation = this.generation;
    const { width, height, alpha, strokes } = this.pad.snapshot();
    try {
      const r = await worker.request({ type: "explain", model: this.model(), width, height, alpha }, [alpha.buffer]);
      if (generation === this.generation) {
        const shown = this.prediction.output;
        const digit = shown.textContent === "" ? null : Number(shown.textContent);
        this.explanation.show(r, { input: this.padInput, digit, strokes, source: "pad" });
        this.explanation.root.dataset.ms = String(Math.round(r.ms));   // Python's time, for the curious
        this.showNumber(r, "pad");
      }
    } catch (error) {
      if (!error.workerDied) this.message.warn(`Couldn't explain that drawing: ${error.message}`);
    } finally {
      this.explaining = false;
    }
    if (this.again) { this.again = false; this.explainPad(); }
  }

  // A picture, decoded and scaled down: {rgba, width, height, bitmap, name, note}.
  async readPicture(picture) {
    const worker = this.worker();
    if (!worker) return this.message.warn("Python is still loading: try the picture again in a moment.");
    const generation = ++this.generation;
    clearTimeout(this.timer);
    const { rgba, width, height } = picture;
    const r = await worker.request({ type: "readImage", model: this.model(), width, height, rgba }, [rgba.buffer]);
    if (generation !== this.generation) return;
    this.pad.clear();                    // the picture replaces the drawing (bumps main's epoch)
    this.generation = generation;        // pad.clear() above must not make this result stale
    const several = r.number.length >= 2;
    this.prediction.show({ digit: r.digit, probabilities: r.probabilities, strokes: 0 }, { announce: !several });
    if (several) this.prediction.announce(`Number ${r.number}`);
    this.prediction.output.dataset.source = "image";
    this.bars.show(r.probabilities, r.digit);
    this.modelInput.show(r.input);
    this.explanation.show(r, { input: r.input, digit: r.digit, source: "image" });
    this.explanation.root.dataset.ms = String(Math.round(r.ms));
    this.showNumber(r, "image");
    this.picture.show(picture, r);
    if (r.blank) this.message.warn(`No digit found in ${picture.name}: nothing stands out from the background.`);
    else if (picture.note) this.message.info(picture.note);
    else this.message.clear();
  }

  // Several digits: the one-digit prediction is dimmed (CSS: .several), the number is the answer.
  showNumber(r, source) {
    this.number.show({ number: r.number, digits: r.number_digits, confidence: r.number_confidence }, source);
    this.app.classList.toggle("several", r.number.length >= 2);
  }

  // The pad was emptied (Clear, Undo of the last stroke, a model change with nothing drawn):
  // a picture shown over it goes too (readPicture shows its own after clearing the pad).
  clear() {
    clearTimeout(this.timer);
    this.picture.hide();
    this.generation++;
    this.prediction.output.dataset.source = "pad";
    this.again = false;
    this.explanation.clear();
    this.number.clear();
    this.app.classList.remove("several");
  }
}
