// The Lab's code view ([data-testid=lab-code]): for the model the pad reads with, each layer as the
// Lab worker's installed `inkling` defines it (forward beside backward, read with `inspect` at run
// time: py/inkling/lab/code_view.py), and for the current drawing the shape of the array entering
// and leaving it; a click on a layer's shapes shows the numbers. The model comes from the main
// worker as its export .zip (every array checked), so models trained or imported in the page show too.

import { readOnlyView } from "./lab-editor.js";

const shape = (s) => `[${s.join(", ")}]`;

export class CodeView {
  // exportModel(name) -> Promise<Uint8Array zip>; input() -> Float32Array(784) of the drawing, or null;
  // isScript(name): whether that model is a script's predict_proba (no layers to show).
  constructor(root, { runner, isScript, model, exportModel, input }) {
    this.root = root;
    this.runner = runner;
    this.isScript = isScript;
    this.model = model;
    this.exportModel = exportModel;
    this.input = input;
    this.note = root.querySelector(".code-note");
    this.list = root.querySelector(".code-layers");
    root.querySelector(".code-refresh").addEventListener("click", () => this.show());
  }

  async show() {
    const seq = (this.seq = (this.seq ?? 0) + 1);   // only the latest show() draws
    const model = this.model();
    this.root.dataset.model = model;
    this.root.removeAttribute("data-layers");
    this.list.replaceChildren();
    if (this.isScript(model)) {
      this.note.textContent = `${model} is a script's predict_proba: its code is the script that defined it.`;
      return;
    }
    this.note.textContent = `Reading ${model}'s layers…`;
    try {
      const zip = await this.exportModel(model);
      const input = this.input() ?? new Float32Array(784);
      const { layers } = await this.runner.request({ type: "layers", zip, input: input.slice() });
      if (seq !== this.seq) return;   // asked again meanwhile (another model, another drawing)
      this.render(layers);
      const drawn = input.some((v) => v !== 0);
      this.note.textContent = `${model}: ${layers.length} layers, as installed in the Lab's Python, for ` +
        (drawn ? "your drawing." : "a blank input (draw a digit and refresh to follow it).");
      this.root.dataset.layers = String(layers.length);
    } catch (error) {
      if (seq === this.seq) this.note.textContent = `Couldn't show ${model}'s layers: ${error.message}`;
    }
  }

  render(layers) {
    for (const layer of layers) {
      const item = document.createElement("li");
      item.className = "code-layer";
      item.dataset.type = layer.type;
      const shapes = document.createElement("button");
      shapes.type = "button";
      shapes.className = "code-shapes";
      shapes.textContent = `${shape(layer.input.shape)} → ${layer.type} → ${shape(layer.output.shape)}`;
      shapes.setAttribute("aria-expanded", "false");
      const numbers = document.createElement("pre");
      numbers.className = "code-numbers";
      numbers.hidden = true;
      numbers.textContent = ["input", "output"].map((k) => {
        const a = layer[k];
        return `${k} ${shape(a.shape)}: min ${a.min.toFixed(3)}, max ${a.max.toFixed(3)}, mean ${a.mean.toFixed(3)}\n${a.numbers}`;
      }).join("\n\n");
      shapes.addEventListener("click", () => {
        numbers.hidden = !numbers.hidden;
        shapes.setAttribute("aria-expanded", String(!numbers.hidden));
      });
      const sources = document.createElement("details");
      sources.className = "code-sources";
      sources.innerHTML = "<summary>forward · backward</summary>";
      sources.addEventListener("toggle", () => this.sources(sources, layer), { once: true });
      item.append(shapes, numbers, sources);
      this.list.append(item);
    }
  }

  // Made when first opened: two read-only editors a layer would be many for a deep model.
  sources(details, layer) {
    const pair = document.createElement("div");
    pair.className = "code-pair";
    for (const which of ["forward", "backward"]) {
      const { code, file, line } = layer[which];
      const box = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.textContent = `${file}:${line}`;
      const host = document.createElement("div");
      box.append(caption, host);
      readOnlyView(host, code);
      box.dataset.method = which;
      pair.append(box);
    }
    details.append(pair);
  }
}
