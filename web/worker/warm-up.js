// A digit read through the pad's whole path, to warm the worker before a user draws: the strokes are
// grouped, drawn again and framed to 28x28, the model reads them, then the "Why" the page asks for
// next is worked out. A cold runtime's first reading pays for the reading modules' imports, numpy's
// first calls, the heap's growth and, in WebKit, the engine's slower first tiers of each function.

// The pad's largest backing store (page/pad.js's MAX_BACKING): the heap grows to what a drawing needs.
const SIDE = 560;
let readings = 0;

// Digits as page/stroke-data.js sends strokes, each stroke a polyline of corners: a "4" in two
// strokes (two strokes to group, corners and slants, as a user's digit has) and a "2" written wide
// (wider than it is tall: number.py tries cutting it in two, as it does a user's wide digit or
// touching digits). Readings take them in turn, a little further right each round
// (inkling.worker.app reuses the last reading when the strokes are the same).
const DRAWINGS = [
  [[[0.40, 0.20], [0.36, 0.36], [0.31, 0.55], [0.48, 0.56], [0.68, 0.55]], [[0.58, 0.28], [0.57, 0.50], [0.56, 0.82]]],
  [[[0.22, 0.42], [0.40, 0.30], [0.62, 0.30], [0.74, 0.40], [0.60, 0.52], [0.36, 0.64], [0.22, 0.72], [0.50, 0.71], [0.80, 0.70]]],
];
const STEPS = 8;   // points between two corners: a pen's pointermoves

function drawn() {
  const drawing = DRAWINGS[readings % DRAWINGS.length];
  const dx = 0.01 * (Math.floor(readings++ / DRAWINGS.length) % 20);
  const strokes = drawing.map((corners) => corners.slice(1).flatMap(([x1, y1], i) => {
    const [x0, y0] = corners[i];
    return Array.from({ length: STEPS }, (_, k) => [x0 + (x1 - x0) * k / STEPS + dx, y0 + (y1 - y0) * k / STEPS]);
  }));
  return { points: new Float32Array(strokes.flat(2)), counts: new Int32Array(strokes.map((s) => s.length)) };
}

/** How many drawings readDrawnOne takes in turn: warm up with at least as many readings. */
export const DRAWN = DRAWINGS.length;

// call: pythonCaller(..., "inkling.worker.app") (python-call.js); what: "predict" or "explain".
export function readDrawnOne(call, model, what = "predict") {
  const kwargs = { width: SIDE, height: SIDE, model, alpha: null };
  return call(what, what === "explain" ? { ...kwargs, index: null } : kwargs, drawn());
}
