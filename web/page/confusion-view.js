// The confusion matrix of a run's final test evaluation as a table: rows = true digit,
// columns = the digit the model read, counts in the cells; the diagonal (read right) is green,
// the other cells tinted by how large a share of their row they take. Last column: each row's
// share read right.

export class ConfusionView {
  constructor(root) {
    this.root = root;
  }

  // confusion: Int32Array(100) row-major, or null to show `note` instead.
  show(confusion, title, note = "") {
    this.root.hidden = false;
    if (!confusion) {
      this.root.innerHTML = `<h3>Confusion matrix</h3><p class="train-note"></p>`;
      this.root.querySelector("p").textContent = note;
      return;
    }
    const rows = [];
    const shares = [];   // each cell's --share, set through the CSSOM: the CSP forbids style="" in HTML
    let total = 0;
    let right = 0;
    for (let t = 0; t < 10; t++) {
      const row = Array.from(confusion.subarray(t * 10, t * 10 + 10));
      const sum = row.reduce((a, b) => a + b, 0);
      total += sum;
      right += row[t];
      const tds = row.map((n, p) => {
        const share = sum ? n / sum : 0;
        const cls = p === t ? "diag" : n === 0 ? "zero" : "off";
        shares.push(p === t || n === 0 ? null : Math.min(1, share * 8).toFixed(3));
        return `<td class="${cls}" data-count="${n}" title="true ${t}, read ${p}: ${n}">${n}</td>`;
      }).join("");
      const recall = sum ? (100 * row[t] / sum).toFixed(1) : "–";
      rows.push(`<tr><th scope="row">${t}</th>${tds}<td class="recall">${recall}</td></tr>`);
    }
    const head = Array.from({ length: 10 }, (_, p) => `<th scope="col">${p}</th>`).join("");
    this.root.innerHTML = `<h3>Confusion matrix</h3>
      <div class="table-scroll"><table class="confusion">
        <caption></caption>
        <thead><tr><th scope="col"><span class="axis-note">true ↓ read →</span></th>${head}<th scope="col">right %</th></tr></thead>
        <tbody>${rows.join("")}</tbody></table></div>`;
    this.root.querySelectorAll("tbody td:not(.recall)").forEach((td, i) => {
      if (shares[i] !== null) td.style.setProperty("--share", shares[i]);
    });
    this.root.querySelector("caption").textContent =
      `${title}: ${right.toLocaleString("en")} of ${total.toLocaleString("en")} test digits read right ` +
      `(${(100 * right / total).toFixed(2)} %). Rows: the true digit; columns: the digit read.`;
    this.root.dataset.total = String(total);
    this.root.dataset.right = String(right);
  }

  hide() { this.root.hidden = true; }
}
