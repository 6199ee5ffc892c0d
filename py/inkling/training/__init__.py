"""Training: the training loop and each model's preset, the command lines that train and evaluate
the shipped weights (`python -m inkling.training.train`, `python -m inkling.training.evaluate`),
fine-tuning a model's head, and a finished run's report (confusion matrix, surest mistakes).

May import `inkling.nn` and `inkling.data`; never `inkling.reading` or `inkling.worker`.
"""
