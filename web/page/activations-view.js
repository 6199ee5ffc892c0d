// Each layer's activations drawn as images: a conv layer's feature maps tiled in a grid, a dense
// layer's units as a grid of squares, the output's ten scores as a row. Brightness is the
// activation divided by the layer's largest (0 = black), so every layer uses the whole range.

const GAP = 1;   // pixels between tiles

function tiles(n) {
  const cols = Math.ceil(Math.sqrt(n * 2));        // wider than tall: fits a column of text
  return { cols, rows: Math.ceil(n / cols) };
}

// {label, shape, values} -> a canvas (pixel-exact; CSS scales it with image-rendering: pixelated).
function render({ shape, values }) {
  const [maps, h, w] = shape.length === 3 ? shape : [shape[0], 1, 1];
  const { cols, rows } = shape.length === 3 ? tiles(maps) : { cols: Math.min(maps, 16), rows: Math.ceil(maps / 16) };
  const width = cols * (w + GAP) - GAP, height = rows * (h + GAP) - GAP;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  const px = image.data;
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const scale = max > 0 ? 255 / max : 0;
  for (let m = 0; m < maps; m++) {
    const ox = (m % cols) * (w + GAP), oy = Math.floor(m / cols) * (h + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = Math.max(0, values[m * h * w + y * w + x]) * scale;
        const i = 4 * ((oy + y) * width + ox + x);
        px[i] = v * 0.55; px[i + 1] = v * 0.65; px[i + 2] = v; px[i + 3] = 255;   // blue-white
      }
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function describe({ label, shape }) {
  if (label === "output") return "output: the ten scores";
  if (shape.length === 3) return `${label}: ${shape[0]} feature maps, ${shape[1]}×${shape[2]}`;
  return `${label}: ${shape[0]} units`;
}

export class ActivationsView {
  constructor(root) { this.root = root; }

  show(activations) {
    this.root.replaceChildren(...activations.map((a) => {
      const figure = document.createElement("figure");
      figure.className = "layer";
      const canvas = render(a);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", describe(a));
      const caption = document.createElement("figcaption");
      caption.textContent = describe(a);
      figure.append(canvas, caption);
      return figure;
    }));
  }

  clear() { this.root.replaceChildren(); }
}
