"""Digits as the models see them: MNIST's IDX files (hash-checked), the normalisation that turns
any drawing into a 28x28 MNIST-style image, and seeded augmentation for training.

Imports numpy only (and `inkling.REPO_ROOT` to find node_modules/ and .cache/).
"""
