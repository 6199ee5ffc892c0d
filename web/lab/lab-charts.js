// The live charts beside the Lab's output: inkling.lab.chart(name, x, y) adds a point to the chart
// called `name` (one small SVG line chart each, scaled to its points). Redrawn at most once per
// frame, however fast the points come. Each chart: .lab-chart with data-name and data-points.

const W = 320, H = 150, PAD = 34;

// The SVG namespace, taken from an <svg> the HTML parser made (which knows it), rather than
// written out here as a URL: build.py refuses absolute URLs in dist/'s scripts.
const SVG = (() => {
  const box = document.createElement("div");
  box.innerHTML = "<svg></svg>";
  return box.firstChild.namespaceURI;
})();

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

const label = (v) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3));

export class LabCharts {
  constructor(root) {
    this.root = root;
    this.charts = new Map();   // name -> {figure, line, axes, points}
    this.frame = null;
  }

  add(name, x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    this.chart(name).points.push([x, y]);
    this.frame ??= requestAnimationFrame(() => this.draw());
  }

  chart(name) {
    if (!this.charts.has(name)) {
      const figure = document.createElement("figure");
      figure.className = "lab-chart";
      figure.dataset.name = name;
      const caption = document.createElement("figcaption");
      caption.textContent = name;
      const box = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Chart: ${name}` });
      const axes = svg("g", { class: "axes" });
      const line = svg("polyline", { class: "line", fill: "none" });
      box.append(axes, line);
      figure.append(caption, box);
      this.root.append(figure);
      this.root.hidden = false;
      this.charts.set(name, { figure, line, axes, points: [] });
    }
    return this.charts.get(name);
  }

  draw() {
    this.frame = null;
    for (const { figure, line, axes, points } of this.charts.values()) {
      const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
      const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
      const sx = (x) => PAD + ((x - x0) / (x1 - x0 || 1)) * (W - PAD - 6);
      const sy = (y) => H - 18 - ((y - y0) / (y1 - y0 || 1)) * (H - 28);
      line.setAttribute("points", points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" "));
      axes.replaceChildren(svg("line", { x1: PAD, y1: H - 18, x2: W - 6, y2: H - 18 }),
                           svg("line", { x1: PAD, y1: 10, x2: PAD, y2: H - 18 }));
      for (const [value, y] of [[y1, 14], [y0, H - 20]]) {
        const t = svg("text", { x: PAD - 4, y, "text-anchor": "end" });
        t.textContent = label(value);
        axes.append(t);
      }
      const t = svg("text", { x: W - 6, y: H - 4, "text-anchor": "end" });
      t.textContent = label(x1);
      axes.append(t);
      figure.dataset.points = String(points.length);
    }
  }

  clear() {
    this.charts.clear();
    this.root.replaceChildren();
    this.root.hidden = true;
  }
}
