// One way to call Python from the worker: <module>.<name>(**kwargs, **buffers), the result
// converted to plain JavaScript. Each buffer (a Uint8Array) goes in as a memoryview copy, and
// every PyProxy made on the way is destroyed: they are not garbage-collected and would leak.
// A dict result also gets `ms`, the time the call took.
export function pythonCaller(ready, moduleName) {
  let module = null;   // imported once and kept for the worker's life

  return async function call(name, kwargs = {}, buffers = {}) {
    const { pyodide } = await ready;
    module ??= pyodide.pyimport(moduleName);
    const t0 = performance.now();
    const pyBuffers = Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, pyodide.toPy(v)]));
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
