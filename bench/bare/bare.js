// The load benchmark's bare page (bench/load.py): Pyodide 0.27.7 as npm ships it and its own numpy
// wheel, from the same server as the app (bench-bare/), loaded the plain way, on the main thread;
// nothing else.
const runtime = new URL("bench-bare/", location.href);
const { loadPyodide } = await import(new URL("pyodide.mjs", runtime).href);
const pyodide = await loadPyodide({
  indexURL: runtime.href,
  lockFileURL: new URL("pyodide-lock.json", runtime).href,
});
await pyodide.loadPackage("numpy", { messageCallback: () => {} });
pyodide.runPython("import numpy");
document.documentElement.dataset.state = "ready";
