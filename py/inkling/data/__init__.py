"""Digits as the models see them: MNIST's IDX files (hash-checked), the normalisation that turns
any drawing into a 28x28 MNIST-style image, seeded augmentation for training, and a tracer that
turns a digit's image into the pen strokes that drew it.

Imports numpy only (and `inkling.REPO_ROOT` to find node_modules/ and .cache/); the tracer, which
only CPython runs, also scikit-image and SciPy.
"""
