// Pictures -> the RGBA pixels Python reads, scaled down first: Python never sees more than
// MAX_SIDE pixels on the longer side (a 12-megapixel photo would cost seconds to threshold and
// megabytes to copy into the worker, and 560 px is plenty for digits).

export const MAX_SIDE = 560;

// The size (w, h) fits in MAX_SIDE keeping the aspect ratio; never scaled up.
export function fitted(width, height, maxSide = MAX_SIDE) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function canvas(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  return c;
}

// Draw `source` (ImageBitmap, video, canvas) scaled to width x height; return its pixels
// (transparency kept: Python composites it over a contrasting background).
export function pixels(source, width, height) {
  const c = canvas(width, height);
  const ctx = c.getContext("2d", { willReadFrequently: true });
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return { rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height };
}

// Decode a file (Blob) whose header said width x height -> {bitmap, rgba, width, height}, rgba
// at most MAX_SIDE on its longer side. createImageBitmap shrinks while decoding; only the
// header's longer side is given, because an EXIF rotation may swap the sides and two given sides
// would stretch the picture. For an animated GIF this is its first frame. Throws when the
// browser cannot decode the file.
export async function decode(blob, width, height) {
  const options = { resizeQuality: "high" };
  if (Math.max(width, height) > MAX_SIDE) options[width >= height ? "resizeWidth" : "resizeHeight"] = MAX_SIDE;
  const bitmap = await createImageBitmap(blob, options);
  const size = fitted(bitmap.width, bitmap.height);
  return { bitmap, ...pixels(bitmap, size.width, size.height) };
}
