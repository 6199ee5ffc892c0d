// The worker's requests beyond "predict": the follow-up "explain" for a pad drawing and
// "readImage" for a picture (upload, paste, camera). Both call inkling.worker.app (Python) and return
// plain data and typed arrays only; every PyProxy made here is destroyed.
//
// {type: "explain", model, width, height, alpha: Uint8Array}
//   -> {saliency: Float32Array(784), activations: [{label, shape, values: Float32Array}],
//       top: Int32Array(3), top_p: Float32Array(3), unsure, reason,
//       number, number_digits: Int32Array(k), number_confidence: Float32Array(k),
//       number_boxes: Int32Array(4k) (y0, x0, y1, x1 in pad pixels), ms,
//       method: "gradient" (an inkling model's saliency) | "occlusion" (a Lab script's predict_proba)}
// {type: "explain", model, width, height, points: Float32Array, counts: Int32Array, index?}
//   the pad's strokes (page/stroke-data.js): the same fields for digit `index` of the number read
//   from them (default: the least sure), plus {why_index, input: Float32Array(784) (that digit's)}
// {type: "readImage", model, width, height, rgba: Uint8Array | Uint8ClampedArray (width*height*4)}
//   -> the same fields plus {digit | null, probabilities, input, blank, dark_ink,
//       crop: Int32Array(4), preview: Uint8Array, preview_width, preview_height, preview_scale, ms}

// callApp: pythonCaller(ready, "inkling.worker.app"), see python-call.js.
export function readingHandlers(callApp) {
  return {
    async explain({ model, width, height, alpha, points, counts, index = null }) {
      if (points !== undefined) {
        return callApp("explain", { width, height, model, alpha: null, index }, strokeBuffers(points, counts));
      }
      if (!(alpha instanceof Uint8Array)) throw new Error("explain needs the pad's alpha channel as a Uint8Array");
      return callApp("explain", { width, height, model }, { alpha });
    },

    async readImage({ model, width, height, rgba }) {
      if (!(rgba instanceof Uint8Array || rgba instanceof Uint8ClampedArray)) {
        throw new Error("readImage needs the picture's RGBA pixels as a Uint8Array");
      }
      const r = await callApp("read_image", { width, height, model },
                             { rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength) });
      return { ...r, digit: r.digit ?? null };   // Python's None arrives as undefined
    },
  };
}

// The pad's strokes, checked, as buffers for Python (inkling.worker.app checks what they hold).
export function strokeBuffers(points, counts) {
  if (!(points instanceof Float32Array) || !(counts instanceof Int32Array)) {
    throw new Error("the pad's strokes must be points: Float32Array and counts: Int32Array");
  }
  return { points, counts };
}
