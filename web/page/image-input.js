// Pictures in: the file picker ([data-testid=upload]), a file dropped anywhere on the page, or
// one pasted from the clipboard. Every file is checked from its own bytes before it is decoded
// (image-sniff.js): empty, not a raster picture (SVG, text, ...), over MAX_PIXELS, or cut short
// -> a clear message and nothing else changes. Good ones are decoded, scaled down
// (image-decode.js) and handed to onPicture({rgba, width, height, bitmap, name, note}).

import { FORMATS, gifFrames, looksComplete, sniff } from "./image-sniff.js";
import { decode } from "./image-decode.js";

export const MAX_PIXELS = 50e6;
const HEAD_BYTES = 1 << 16;          // the header of every format fits (JPEG: EXIF before SOF)...
const JPEG_HEAD_BYTES = 1 << 20;     // ...but a JPEG's SOF can sit after a big EXIF thumbnail
const GIF_SCAN_BYTES = 16 << 20;     // frames are counted in GIFs up to this size

const bytes = async (blob, start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer());
const megapixels = (w, h) => (w * h / 1e6).toFixed(w * h >= 10e6 ? 0 : 1);

export class ImageInput {
  constructor({ input, dropTarget, onPicture, onProblem, onBusy, onWeightsFiles }) {
    this.onPicture = onPicture;
    this.onWeightsFiles = onWeightsFiles;   // a model's .zip (or manifest + .npy) dropped: not a picture
    this.onProblem = onProblem;      // (text, tone) for the message line
    this.onBusy = onBusy;            // (true | false) while a file is being checked and decoded
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      input.value = "";              // the same file chosen again is a new change
      if (file) this.read(file);
    });
    this.dropping(dropTarget);
    document.addEventListener("paste", (e) => {
      const file = [...(e.clipboardData?.files ?? [])][0];
      if (!file) return;             // pasted text: not ours
      e.preventDefault();
      this.read(file);
    });
  }

  dropping(target) {
    let depth = 0;                   // dragenter/leave fire for every child crossed
    const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
    target.addEventListener("dragenter", (e) => {
      if (!hasFiles(e)) return;
      depth++;
      target.classList.add("dropping");
    });
    target.addEventListener("dragleave", () => {
      if (--depth <= 0) { depth = 0; target.classList.remove("dropping"); }
    });
    target.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
    target.addEventListener("drop", (e) => {
      depth = 0;
      target.classList.remove("dropping");
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();            // never let the browser navigate to a dropped file
      const files = [...e.dataTransfer.files];
      if (this.onWeightsFiles && files.every((f) => /\.(zip|npy|json)$/i.test(f.name))) return this.onWeightsFiles(files);
      this.read(file);
    });
  }

  async read(file) {
    this.onBusy?.(true);
    try {
      const picture = await this.check(file);
      if (picture) await this.onPicture(picture);
    } catch (error) {
      this.onProblem(`Couldn't read “${file.name || "that picture"}”: ${error.message}`, "error");
    } finally {
      this.onBusy?.(false);
    }
  }

  // -> {rgba, width, height, bitmap, name, note} or null (after saying why).
  async check(file) {
    const name = file.name || "the pasted picture";
    const refuse = (text) => { this.onProblem(text, "error"); return null; };
    if (file.size === 0) return refuse(`“${name}” is empty (0 bytes): there is no picture in it.`);
    let head = await bytes(file, 0, HEAD_BYTES);
    let info = sniff(head);
    if (info.format === "JPEG" && info.width === null && file.size > head.length) {
      head = await bytes(file, 0, JPEG_HEAD_BYTES);
      info = sniff(head);
    }
    if (!info.format) {
      return refuse(`“${name}” is ${info.looksLike}, not a picture this page can read: only ${FORMATS.join(", ")}.`);
    }
    const { format, width, height } = info;
    if (!width || !height) return refuse(`“${name}” is a damaged ${format}: its size can't be read from its header.`);
    if (width * height > MAX_PIXELS) {
      return refuse(`“${name}” is ${width} × ${height} pixels (${megapixels(width, height)} megapixels): ` +
                    `too big to read here; the limit is ${MAX_PIXELS / 1e6} megapixels.`);
    }
    if (!looksComplete(format, await bytes(file, Math.max(0, file.size - 64), file.size))) {
      return refuse(`“${name}” is cut short (a truncated ${format}): part of the picture is missing.`);
    }
    let note = "";
    if (format === "GIF" && file.size <= GIF_SCAN_BYTES && gifFrames(await bytes(file, 0, file.size)) > 1) {
      note = "This GIF is animated: only its first frame was read.";
    }
    let decoded;
    try {
      decoded = await decode(file, width, height);
    } catch {
      return refuse(`“${name}” could not be decoded as a ${format}: the file may be damaged.`);
    }
    return { ...decoded, name, format, note };
  }
}
