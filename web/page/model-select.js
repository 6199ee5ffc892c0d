// <select> of the models listed in the weights manifest, the manifest's default first chosen.

export class ModelSelect {
  constructor(select, { onChange } = {}) {
    this.select = select;
    select.addEventListener("change", () => onChange?.(select.value));
  }

  get value() { return this.select.value; }
  get names() { return [...this.select.options].map((o) => o.value); }

  // A model trained, imported or fine-tuned in the page: listed last and (unless told) selected.
  addModel({ name, test_accuracy: acc }, { select = true } = {}) {
    const label = typeof acc === "number" ? `${name} · ${(100 * acc).toFixed(1)} %` : name;
    this.select.add(new Option(label, name, false, select));
    if (select) this.select.value = name;
  }

  // A deleted model leaves the list; if it was selected, the default model is.
  removeModel(name) {
    const option = [...this.select.options].find((o) => o.value === name);
    if (!option) return;
    const wasSelected = option.selected;
    option.remove();
    if (wasSelected && this.select.options.length) this.select.value = this.defaultName ?? this.select.options[0].value;
  }

  // Only `names` stay listed (a refused model, or one trained in a worker that has since
  // restarted, goes); if the selected one went, `fallback` is selected. Returns the names removed.
  retain(names, fallback) {
    const removed = [...this.select.options].filter((o) => !names.includes(o.value));
    for (const option of removed) option.remove();
    if (!names.includes(this.select.value) && names.includes(fallback)) this.select.value = fallback;
    return removed.map((o) => o.value);
  }

  setModels(models, defaultName) {
    if (this.select.options.length) return;   // keep the user's choice
    this.defaultName = defaultName;
    for (const { name, test_accuracy: acc } of models) {
      const label = typeof acc === "number" ? `${name} · ${(100 * acc).toFixed(1)} %` : name;
      const option = new Option(label, name, false, name === defaultName);
      if (typeof acc === "number") option.title = `${name}: ${(100 * acc).toFixed(2)} % accuracy on the MNIST test set`;
      this.select.add(option);
    }
  }
}
