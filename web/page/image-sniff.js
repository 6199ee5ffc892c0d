// What a file really is, from its first bytes, before anything decodes it: the format (by magic
// bytes, never by name or MIME type), the picture's size from its header, whether it looks cut
// short, and for GIFs how many frames. A 20000x20000 PNG is refused from its 33-byte header,
// without allocating its 1.6 GB of pixels; an SVG (which could carry script) is never rendered.

export const FORMATS = ["PNG", "JPEG", "WebP", "GIF", "BMP"];

const u32be = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
const u16be = (b, i) => (b[i] << 8) | b[i + 1];
const u16le = (b, i) => b[i] | (b[i + 1] << 8);
const u24le = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const i32le = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
const ascii = (b, i, n) => String.fromCharCode(...b.subarray(i, i + n));

// {format, width, height} from the head of a file (Uint8Array); width/height null if unreadable.
export function sniff(head) {
  const b = head;
  if (b.length >= 8 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) {
    const ok = b.length >= 24 && ascii(b, 12, 4) === "IHDR";
    return { format: "PNG", width: ok ? u32be(b, 16) : null, height: ok ? u32be(b, 20) : null };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { format: "JPEG", ...jpegSize(b) };
  if (b.length >= 6 && (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a")) {
    return { format: "GIF", width: b.length >= 10 ? u16le(b, 6) : null, height: b.length >= 10 ? u16le(b, 8) : null };
  }
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return { format: "WebP", ...webpSize(b) };
  if (b.length >= 2 && ascii(b, 0, 2) === "BM") {
    const ok = b.length >= 26;
    return { format: "BMP", width: ok ? Math.abs(i32le(b, 18)) : null, height: ok ? Math.abs(i32le(b, 22)) : null };
  }
  return { format: null, width: null, height: null, looksLike: guess(b) };
}

// JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
function jpegSize(b) {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { width: null, height: null };
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }                      // fill byte
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; }
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xda || marker === 0xd9) break;               // scan data before any frame: broken
    i += 2 + u16be(b, i + 2);
  }
  return { width: null, height: null };
}

// WebP: the first chunk says lossy (VP8), lossless (VP8L) or extended (VP8X).
function webpSize(b) {
  const chunk = b.length >= 16 ? ascii(b, 12, 4) : "";
  if (chunk === "VP8 " && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === "VP8L" && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return { width: null, height: null };
}

// For the message about a file that is no picture this page reads.
// Printable ASCII, tabs and line breaks only: what a text file starts with.
const isPrintable = (bytes) => bytes.every((c) => (c >= 0x20 && c <= 0x7e) || c === 0x09 || c === 0x0a || c === 0x0d);

function guess(b) {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(b.subarray(0, 1024)).trimStart().toLowerCase();
  if (text.includes("<svg")) return "an SVG drawing";
  if (b.length >= 4 && ascii(b, 0, 4) === "%PDF") return "a PDF document";
  if (b.length >= 12 && ascii(b, 4, 4) === "ftyp") return "a HEIC/AVIF or video file";
  if (isPrintable(b.subarray(0, 512))) return "a text file";
  return "of a kind this page does not know";
}

// Does the file end the way a complete file of this format ends? (tail: its last bytes)
export function looksComplete(format, tail) {
  const n = tail.length;
  if (format === "JPEG") {                                        // EOI, maybe followed by padding
    for (let i = n - 2; i >= Math.max(0, n - 64); i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
    return false;
  }
  if (format === "PNG") return n >= 12 && ascii(tail, n - 8, 4) === "IEND";
  if (format === "GIF") return n >= 1 && tail.subarray(Math.max(0, n - 16)).includes(0x3b);
  return true;                                                    // WebP, BMP: the decoder says
}

// Frames in a GIF (its whole bytes): walks the blocks; stops counting at 2 (all we need to know).
export function gifFrames(b) {
  if (b.length < 13) return 0;
  let i = 13;
  if (b[10] & 0x80) i += 3 * (1 << ((b[10] & 7) + 1));            // global colour table
  let frames = 0;
  const skipSubBlocks = (j) => { while (j < b.length && b[j] !== 0) j += b[j] + 1; return j + 1; };
  while (i < b.length && frames < 2) {
    if (b[i] === 0x2c) {                                          // image descriptor
      frames++;
      let j = i + 10;
      if (b[i + 9] & 0x80) j += 3 * (1 << ((b[i + 9] & 7) + 1));  // local colour table
      i = skipSubBlocks(j + 1);                                   // LZW minimum code size, data
    } else if (b[i] === 0x21) {
      i = skipSubBlocks(i + 2);                                   // extension: label, sub-blocks
    } else {
      break;                                                      // trailer (0x3b) or garbage
    }
  }
  return frames;
}
