"""Training: the training loop and each model's preset, the command lines that train and evaluate
the shipped weights (`python -m inkling.training.train`, `python -m inkling.training.evaluate`),
fine-tuning a model's head, a finished run's report (confusion matrix, surest mistakes), and the
"pen twins" that show training MNIST as the pad draws it (pen_twins.py, CPython only).

May import `inkling.nn`, `inkling.data`, and `inkling.reading` (its stroke renderer, so the twins are
drawn as the page draws); never `inkling.worker`.
"""
