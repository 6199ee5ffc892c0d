// The crop of a picture that was read, shown over the pad: the picture itself inside the box
// Python found the ink in, each digit of the number outlined, and beside it (small) the ink as
// Python saw it after thresholding. Drawing on the pad goes back to drawing (the view lets
// pointer events through to the pad and hides at the first stroke). Closing it (× or Escape)
// puts the focus on the pad, which it covered, so that focus never falls to <body>.

const BOX_COLOURS = ["#3b4fd8", "#c2410c", "#0f766e", "#a21caf"];

export class PictureView {
  constructor(root) {
    this.root = root;
    this.canvas = root.querySelector(".picture-crop");
    this.ink = root.querySelector(".picture-ink");
    this.caption = root.querySelector(".picture-caption");
    this.pad = root.parentElement.querySelector("[data-testid=pad]");   // what it covers
    root.querySelector(".picture-close").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.visible && !e.defaultPrevented) {
        e.preventDefault();
        this.close();
      }
    });
    this.hide();
  }

  // picture: {bitmap, width, height, name, note}; r: the readImage result.
  show(picture, r) {
    const { bitmap } = picture;
    const [y0, x0, y1, x1] = r.crop.length === 4 ? r.crop : [0, 0, picture.height, picture.width];
    const sx = bitmap.width / picture.width, sy = bitmap.height / picture.height;   // pixels -> bitmap
    const w = x1 - x0, h = y1 - y0;
    const scale = Math.min(1, 560 / Math.max(w, h)) * Math.max(1, Math.floor(280 / Math.max(w, h)));
    const c = this.canvas;
    c.width = Math.max(1, Math.round(w * scale));
    c.height = Math.max(1, Math.round(h * scale));
    const ctx = c.getContext("2d");
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.drawImage(bitmap, x0 * sx, y0 * sy, w * sx, h * sy, 0, 0, c.width, c.height);
    const boxes = r.number_boxes ?? [];
    ctx.lineWidth = Math.max(2, c.width / 150);
    for (let k = 0; 4 * k + 3 < boxes.length; k++) {
      const [by0, bx0, by1, bx1] = boxes.slice(4 * k, 4 * k + 4);
      ctx.strokeStyle = BOX_COLOURS[k % BOX_COLOURS.length];
      ctx.strokeRect((bx0 - x0) * scale, (by0 - y0) * scale, (bx1 - bx0) * scale, (by1 - by0) * scale);
    }
    this.drawInk(r);
    const colours = r.blank ? "" : r.dark_ink ? " · dark ink on a light background" : " · light ink on a dark background";
    this.caption.textContent = `Read from ${picture.name}${colours}`;
    Object.assign(this.root.dataset, { width: picture.width, height: picture.height, format: picture.format ?? "" });
    this.root.hidden = false;
  }

  drawInk({ preview, preview_width: w, preview_height: h }) {
    this.ink.hidden = !w;
    if (!w) return;
    this.ink.width = w;
    this.ink.height = h;
    const ctx = this.ink.getContext("2d");
    const image = ctx.createImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      const v = 255 - preview[i];                      // ink dark on white, like paper
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
      image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  get visible() { return !this.root.hidden; }

  hide() { this.root.hidden = true; }

  close() {
    this.hide();
    this.pad.focus();
  }
}
