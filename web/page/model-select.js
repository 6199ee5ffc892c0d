// <select> of the models listed in the weights manifest, the manifest's default first chosen.

export class ModelSelect {
  constructor(select, { onChange } = {}) {
    this.select = select;
    select.addEventListener("change", () => onChange?.(select.value));
  }

  get value() { return this.select.value; }

  // A model trained in the page (Train panel): listed last and selected.
  addModel({ name, test_accuracy: acc }) {
    const label = typeof acc === "number" ? `${name} · ${(100 * acc).toFixed(1)} %` : name;
    this.select.add(new Option(label, name, false, true));
    this.select.value = name;
  }

  setModels(models, defaultName) {
    if (this.select.options.length) return;   // keep the user's choice
    for (const { name, test_accuracy: acc } of models) {
      const label = typeof acc === "number" ? `${name} · ${(100 * acc).toFixed(1)} %` : name;
      const option = new Option(label, name, false, name === defaultName);
      if (typeof acc === "number") option.title = `${name}: ${(100 * acc).toFixed(2)} % accuracy on the MNIST test set`;
      this.select.add(option);
    }
  }
}
