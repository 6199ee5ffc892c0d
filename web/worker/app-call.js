// One way to call Python from the worker: inkling.app.<name>(<bytesName>=bytes, **kwargs), its
// result (a dict) converted to plain JavaScript. The bytes go in as a memoryview copy, and every
// PyProxy made on the way is destroyed: they are not garbage-collected and would leak.
export function appCaller(ready) {
  let app = null;   // inkling.app, imported once and kept for the worker's life

  return async function callApp(name, bytesName, bytes, kwargs) {
    const { pyodide } = await ready;
    app ??= pyodide.pyimport("inkling.app");
    const t0 = performance.now();
    const pyBytes = pyodide.toPy(bytes);
    let fn, result;
    try {
      fn = app[name];
      result = fn.callKwargs({ ...kwargs, [bytesName]: pyBytes });
      const plain = result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
      return { ...plain, ms: performance.now() - t0 };
    } finally {
      pyBytes.destroy();
      result?.destroy?.();
      fn?.destroy?.();
    }
  };
}
