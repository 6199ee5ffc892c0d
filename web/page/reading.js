// Everything read beyond the pad's quick prediction, and who may show it:
// - after a pad prediction is on screen (from the pad's strokes, with the number in it), a
//   follow-up "explain" request: the "Why", of the number's least sure digit or the one chosen
//   under Number. It waits until the pad has been quiet for FOLLOW_UP_MS and is dropped
//   if a new stroke starts, so it never delays the next stroke's prediction.
// - pictures (upload, drop, paste, camera): one "readImage" request, whose result replaces the
//   pad's (the pad is cleared, the crop shown over it) until the next stroke.
// A generation counter makes sure only the newest request's answer is ever shown.
// Both go to the worker that reads with the selected model (worker(model)): the pad's own, or
// the Lab's for a script's model, whose "Why" is computed by occlusion (same fields, same view).

const FOLLOW_UP_MS = 250;   // a pause that long is no longer "between strokes of one digit"

export class Reading {
  constructor({ worker, model, pad, padCanvas, prediction, bars, modelInput, explanation, number, picture, message, app }) {
    Object.assign(this, { worker, model, pad, prediction, bars, modelInput, explanation, number, picture, message, app });
    this.generation = 0;
    this.timer = null;
    this.explaining = false;           // an explain request is in flight
    this.again = false;                // ...and another was asked for meanwhile
    padCanvas.addEventListener("pointerdown", () => this.strokeStarts(), true);
    this.note = explanation.root.querySelector(".why-note");
    this.noteText = this.note.textContent;   // a picture's number: the whole ink read as one digit
    number.onPick = (k) => { if (this.prediction.output.dataset.source === "pad") this.explainPad(k); };
  }

  // A stroke starts on the pad: what was shown from a picture, or a pending "Why", is stale.
  strokeStarts() {
    clearTimeout(this.timer);
    this.again = false;
    this.againIndex = null;
    if (this.picture.visible) {
      this.picture.hide();
      this.message.clear();
      this.number.clear();
      this.app.classList.remove("several");
    }
    this.explanation.stale();
  }

  // main.js: a pad prediction r ({digit, probabilities, input, number...}) is on screen. Read from
  // strokes, it holds the number already: shown at once; the "Why" follows.
  padShown(r) {
    this.generation++;
    this.padInput = r.input;
    this.prediction.output.dataset.source = "pad";
    this.explanation.stale();
    if (r.number !== undefined) this.showNumber(r, "pad");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.explainPad(), FOLLOW_UP_MS);
  }

  // The "Why" of the pad's drawing; for a number, of its digit `index` (default: the least sure).
  async explainPad(index = null) {
    const worker = this.worker(this.model());
    if (!worker || this.pad.isEmpty || this.pad.pointerId !== null) return;
    if (this.explaining) { this.again = true; this.againIndex = index; return; }
    this.explaining = true;
    const generation = this.generation;
    const { width, height, points, counts, strokes } = this.pad.strokeData();
    try {
      const r = await worker.request({ type: "explain", model: this.model(), width, height, points, counts, index },
                                     [points.buffer, counts.buffer]);
      if (generation === this.generation) {
        const several = r.number.length >= 2;
        const digit = r.why_index >= 0 ? r.number_digits[r.why_index] : null;
        this.explanation.show(r, { input: r.input, digit, strokes, source: "pad" });
        this.explanation.root.dataset.ms = String(Math.round(r.ms));   // Python's time, for the curious
        this.explanation.root.dataset.digitIndex = String(several ? r.why_index : 0);
        this.showNumber(r, "pad");
        this.number.pick(several ? r.why_index : -1);
        this.note.textContent = several
          ? `Digit ${r.why_index + 1} of ${r.number.length}${index === null ? ", the least sure," : ""} is explained; ` +
            "choose another under Number."
          : this.noteText;
      }
    } catch (error) {
      if (!error.workerDied) this.message.warn(`Couldn't explain that drawing: ${error.message}`);
    } finally {
      this.explaining = false;
    }
    if (this.again) { this.again = false; this.explainPad(this.againIndex); }
  }

  // A picture, decoded and scaled down: {rgba, width, height, bitmap, name, note}.
  async readPicture(picture) {
    const worker = this.worker(this.model());
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
    this.note.textContent = this.noteText;
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
