// One way to call Python from the worker: <module>.<name>(**kwargs, **buffers), the result
// converted to plain JavaScript. Each buffer (a typed array) goes in as a bytearray copy of its
// bytes, and every PyProxy made on the way is destroyed: they are not garbage-collected and would leak.
// A dict result also gets `ms`, the time the call took.
export function pythonCaller(ready, moduleName) {
  let module = null;   // imported once and kept for the worker's life
  let bytearray = null;

  return async function call(name, kwargs = {}, buffers = {}) {
    const { pyodide } = await ready;
    module ??= pyodide.pyimport(moduleName);
    bytearray ??= pyodide.globals.get("bytearray");
    const t0 = performance.now();
    const pyBuffers = Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, pyBytes(bytearray, v)]));
    let fn, result;
    try {
      fn = module[name];
      result = fn.callKwargs({ ...kwargs, ...pyBuffers });
      const plain = result?.toJs
        ? result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false })
        : result;
      const isDict = plain?.constructor === Object;
      return isDict ? { ...plain, ms: performance.now() - t0 } : plain;
    } finally {
      for (const p of Object.values(pyBuffers)) p.destroy();
      result?.destroy?.();
      fn?.destroy?.();
    }
  };
}

// After a Pyodide fatal error (out of memory, a wasm trap) every later call fails: the worker that
// sees one is no use any more, and says so ({event: "fatal"}) and closes, so the page replaces it.
export function isFatal(error) {
  return error?.pyodide_fatal_error || /Pyodide already (fatally failed|exited)/.test(String(error?.message));
}

// A Python bytearray holding a copy of `typed`'s bytes. Not pyodide.toPy(typed): in Pyodide 0.27.7
// that leaks ~32 bytes of the wasm heap each call, even once destroyed (bench/soak.py saw it as
// ~45 bytes a prediction); a bytearray filled through its buffer leaks nothing.
function pyBytes(bytearray, typed) {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const proxy = bytearray(bytes.length);
  const view = proxy.getBuffer();
  try {
    view.data.set(bytes);
  } finally {
    view.release();
  }
  return proxy;
}
