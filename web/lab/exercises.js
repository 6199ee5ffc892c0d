// The Lab's exercises: each a function to complete in an editor of its own (kept in localStorage),
// and a Check button that runs a finite-difference gradient check on it in the Lab worker
// (py/inkling/lab/exercises.py): pass or fail, with the largest error. A check is a run: Stop ends it.
// DOM: .lab-exercise[data-exercise], [data-testid=lab-check], [data-testid=lab-check-result] (data-passed).

import { LabEditor } from "./lab-editor.js";

export class Exercises {
  constructor(root, { runner }) {
    this.root = root;
    this.runner = runner;
    this.buttons = [];
    this.built = false;
  }

  build(exercises) {
    if (this.built) return;
    this.built = true;
    for (const { id, title, text, template } of exercises) {
      const section = document.createElement("section");
      section.className = "lab-exercise";
      section.dataset.exercise = id;
      const heading = document.createElement("h4");
      heading.textContent = title;
      const prompt = document.createElement("p");
      prompt.textContent = text;
      const box = document.createElement("div");
      box.className = "lab-exercise-editor";
      const editor = new LabEditor(box, { storageKey: `inkling-lab-exercise-${id}`, fallback: template,
                                          label: `Exercise: ${title}`, height: "auto" });
      const check = document.createElement("button");
      check.type = "button";
      check.className = "button small";
      check.dataset.testid = "lab-check";
      check.textContent = "Check";
      const result = document.createElement("p");
      result.className = "lab-check-result";
      result.dataset.testid = "lab-check-result";
      result.setAttribute("aria-live", "polite");
      check.addEventListener("click", () => this.check(id, editor, result));
      section.append(heading, prompt, box, check, result);
      this.root.append(section);
      this.buttons.push(check);
    }
  }

  async check(id, editor, result) {
    result.textContent = "Checking…";
    delete result.dataset.passed;
    try {
      const r = await this.runner.busy({ type: "check", exercise: id, code: editor.text });
      if (r.stopped) { result.textContent = "Stopped."; return; }
      result.textContent = r.message;
      result.dataset.passed = String(r.passed);
    } catch (error) {
      result.textContent = `Couldn't check: ${error.message}`;
    }
  }

  enable(on) { for (const b of this.buttons) b.disabled = !on; }
}
