"""deploy/trim.py: module names from zip member names, docstrings and comments left out."""

from deploy import trim


def test_module_names_and_docstring_removal():
    assert trim.module_name("json/__init__.py") == "json"
    assert trim.module_name("numpy/random/_pcg64.cpython-312-wasm32-emscripten.so") == "numpy.random._pcg64"
    assert trim.module_name("numpy/_core/include/numpy/npy_common.h") is None
    source = (
        b'"""Module doc."""\n# a comment\ndef f(x):\n    """Doc."""\n    return x  # why\nclass C:\n    "Only a doc."\n'
    )
    out = trim.without_docs(source)
    assert b"doc" not in out.lower() and b"comment" not in out and b"why" not in out
    namespace = {}
    exec(out, namespace)
    assert namespace["f"](3) == 3 and namespace["f"].__doc__ is None and namespace["C"].__doc__ is None
