"""The network library: layers (each forward beside its backward), the Sequential model, losses,
optimisers, learning-rate schedules, the matrix product the layers use (with the WebAssembly kernel
that stands in for a BLAS in Pyodide) and the weights format.

Imports numpy only: nothing here knows about MNIST, pictures, training runs or the web worker.
"""
