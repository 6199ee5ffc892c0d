// NumPy's matrix products in Inkling's WebAssembly SIMD kernel (inkling.nn.wasm_matmul: sgemm.so,
// a side module in the inkling wheel). Pyodide's numpy has no BLAS; the kernel is several times
// einsum's speed (docs/benchmarks.md, Matrix products).
//
// compileKernel runs while the runtime boots (other threads compile it); loadKernel instantiates
// it as a preloaded library (what Emscripten's preload plugin does) and has Python's ctypes dlopen
// find it loaded. It must come after the memory snapshot is taken: a library loaded at run time
// lives outside the heap, so no snapshot can hold it and every visit loads it again.

import { loadAt } from "./numpy-in-snapshot.js";
import { storedMembers } from "./wheel-install.js";

const MEMBER = "inkling/nn/sgemm.so";   // in the wheel; inkling.nn.wasm_matmul.LIBRARY once installed

/** The kernel compiled from the inkling wheel ({bytes}): a WebAssembly.Module, or null if the wheel
 *  has none or this engine cannot compile it (no WebAssembly SIMD: einsum does the products). */
export async function compileKernel({ bytes }) {
  const member = storedMembers(bytes).find((m) => m.name === MEMBER);
  return member ? WebAssembly.compile(member.data).catch(() => null) : null;
}

/** Loads `compiled` (compileKernel's) where inkling.nn.wasm_matmul looks for it, then has
 *  inkling.nn.ops use it (callOps: pythonCaller(..., "inkling.nn.ops")); returns whether it does. */
export async function loadKernel(pyodide, compiled, callOps) {
  const wasmMatmul = pyodide.pyimport("inkling.nn.wasm_matmul");
  const path = String(wasmMatmul.LIBRARY);
  wasmMatmul.destroy();
  if (compiled && path.endsWith(MEMBER)) await loadAt(pyodide._module, path, undefined, compiled);
  return callOps("use_wasm_kernel");   // without it loaded above, ctypes loads (or fails to load) it itself
}
