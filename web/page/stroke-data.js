// The pad's strokes as the worker's "predict" and "explain" read them (py/inkling/reading/strokes.py):
// points = Float32Array of (x, y) pairs in pad units (0..1 of its width and height), counts =
// Int32Array, the points of each stroke, in the order they were drawn. Both are new buffers, so
// they can be transferred to the worker.

export function packStrokes(strokes) {
  const counts = Int32Array.from(strokes, (s) => s.length);
  const points = new Float32Array(2 * counts.reduce((a, b) => a + b, 0));
  let i = 0;
  for (const s of strokes) {
    for (const p of s) { points[i++] = p.x; points[i++] = p.y; }
  }
  return { points, counts };
}
