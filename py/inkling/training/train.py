"""`python -m inkling.training.train --model {mlp,cnn}`: train, report, and write weights + manifest entry.

With no other flags it uses the model's preset (trainer.PRESETS), which reproduces the shipped
weights. Per-epoch validation accuracy comes from images held out of the training set; the 10k
test set is touched once, at the end, for the figure written to the manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from inkling import weights_dir
from inkling.data import mnist
from inkling.data.preprocess import PREPROCESS_VERSION
from inkling.nn import ops, weights

from .trainer import PRESETS, Trainer, accuracy, build_model, preset, subset_indices


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m inkling.training.train", description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(PRESETS), required=True)
    parser.add_argument("--epochs", type=int)
    parser.add_argument(
        "--architecture",
        type=json.loads,
        help='keys over the preset\'s architecture, as JSON: \'{"channels": [[32, 32], [64, 64]], "kernel": 3}\'',
    )
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float, help="peak learning rate")
    parser.add_argument("--optimizer", choices=["sgd", "nesterov", "adam", "adamw"])
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--schedule", choices=["constant", "cosine", "onecycle", "step"])
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--pen-share", type=float, help="share of each batch redrawn with the pad's pen")
    parser.add_argument("--pen-validation", action="store_true", help="report validation accuracy on the pen twins too")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--validation", type=int, help="training images held out for validation")
    parser.add_argument("--subset", type=int, help="train on this many images (quick runs)")
    parser.add_argument(
        "--out", type=Path, default=None, help="weights folder (default: the repo's weights/, or $INKLING_WEIGHTS)"
    )
    parser.add_argument("--name", help="manifest entry name (default: the model's)")
    parser.add_argument("--no-save", action="store_true", help="do not write weights")
    parser.add_argument(
        "--no-test", action="store_true", help="skip the test set (for choosing hyper-parameters on validation only)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace):
    """The model's preset with every flag given on the command line overriding it."""
    fields = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "optimizer": args.optimizer,
        "weight_decay": args.weight_decay,
        "schedule": args.schedule,
        "label_smoothing": args.label_smoothing,
        "augment": args.augment,
        "pen_share": args.pen_share,
        "seed": args.seed,
        "validation": args.validation,
        "subset": args.subset,
    }
    if args.architecture:
        fields["architecture"] = {**PRESETS[args.model].architecture, **args.architecture}
    return preset(args.model, **{k: v for k, v in fields.items() if v is not None})


def training_data(config, pen_validation: bool = False):
    """(train_x, train_y, val_x, val_y, pen): the seeded split of MNIST train, optionally
    subsampled; pen = (train twins, validation twins) of the images (training/pen_twins.py) when
    config.pen_share asks for them (the validation twins alone when pen_validation), else None."""
    images, labels = mnist.load("train")
    train_idx, val_idx = mnist.train_validation_split(len(labels), config.validation, config.seed)
    pick = subset_indices(len(train_idx), config.subset, config.seed)
    if pick is not None:
        train_idx = train_idx[pick]  # train_idx is sorted, so this stays sorted
    pen = (None, None)
    if config.pen_share > 0 or pen_validation:
        from inkling.training import pen_twins

        raw_images, raw_labels = mnist.load_raw("train")
        twins = pen_twins.twins_cached(raw_images, mnist.FILES["train-images"][1], raw_labels)
        pen = (twins[train_idx] if config.pen_share > 0 else None, twins[val_idx])
    return images[train_idx], labels[train_idx], images[val_idx], labels[val_idx], pen


def progress_bar(total: int, quiet: bool):
    """A tqdm bar (ETA, loss, accuracy), or a stand-in that ignores everything when quiet."""
    if not quiet:
        try:
            from tqdm import tqdm

            return tqdm(total=total, unit="batch", dynamic_ncols=True, file=sys.stderr)
        except ImportError:
            pass

    class Silent:
        def update(self, n=1):
            pass

        def set_description(self, text):
            pass

        def set_postfix(self, **values):
            pass

        def write(self, text):
            print(text, file=sys.stderr)

        def close(self):
            pass

    return Silent()


def pin_matmul_backend() -> None:
    """Use BLAS (`@`) unless $INKLING_MATMUL says otherwise: ops' timing-based choice can pick
    einsum on a busy machine, which is far slower here and rounds differently, so a run would
    neither be fast nor reproduce the shipped weights bit for bit."""
    if not os.environ.get(ops.ENV_VAR):
        ops.set_backend("matmul")


def main(argv=None) -> dict:
    args = parse_args(argv)
    pin_matmul_backend()
    config = config_from_args(args)
    train_x, train_y, val_x, val_y, (train_pen, val_pen) = training_data(config, args.pen_validation)
    model = build_model(config)
    trainer = Trainer(model, train_x, train_y, config, val_x, val_y, train_pen, val_pen)
    print(
        f"{config.model}: {model.parameter_count():,} parameters, {len(train_y):,} training / "
        f"{len(val_y):,} validation images, {config.epochs} epochs x {trainer.steps_per_epoch} batches",
        file=sys.stderr,
    )

    bar = progress_bar(trainer.total_steps, args.quiet)

    def on_batch(info):
        bar.update(1)
        if info["step"] % 20 == 0 or info["step"] == info["total_steps"]:
            bar.set_description(f"epoch {info['epoch']}/{config.epochs}")
            bar.set_postfix(loss=f"{info['loss']:.4f}", acc=f"{info['accuracy']:.4f}", lr=f"{info['lr']:.2g}")

    def on_epoch(record):
        val = f", validation accuracy {record['val_accuracy']:.4f}" if "val_accuracy" in record else ""
        if "val_pen_accuracy" in record:
            val += f" (redrawn with the pen {record['val_pen_accuracy']:.4f})"
        bar.write(
            f"epoch {record['epoch']}: loss {record['train_loss']:.4f}, train accuracy "
            f"{record['train_accuracy']:.4f}{val} ({record['seconds']:.1f} s)"
        )

    started = time.perf_counter()
    trainer.fit(on_batch, on_epoch)
    bar.close()
    wall_time = time.perf_counter() - started

    # wall_time_s to 3 places: a tiny test run can take under 0.05 s, which 1 place shows as 0.0
    result = {
        "model": config.model,
        "parameters": model.parameter_count(),
        "epochs": config.epochs,
        "wall_time_s": round(wall_time, 3),
        "val_accuracy": trainer.history[-1].get("val_accuracy"),
    }
    if "val_pen_accuracy" in trainer.history[-1]:
        result["val_pen_accuracy"] = trainer.history[-1]["val_pen_accuracy"]
    if not args.no_test:
        test_x, test_y = mnist.load("test")
        result["test_accuracy"] = round(accuracy(model, test_x, test_y), 4)
    print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)

    if not args.no_save:
        if args.no_test:
            raise SystemExit("refusing to save weights without a test accuracy (drop --no-test)")
        metadata = {
            "test_accuracy": result["test_accuracy"],
            "validation_accuracy": result["val_accuracy"],
            "parameters": result["parameters"],
            "epochs": config.epochs,
            "wall_time_s": result["wall_time_s"],
            "seed": config.seed,
            "data_sha256": mnist.data_sha256(),
            "preprocess_version": PREPROCESS_VERSION,
            "numpy_version": np.__version__,
            "hyperparameters": config.to_dict(),
        }
        out = args.out or weights_dir()
        path = weights.save(model, args.name or config.model, out, metadata)
        print(f"wrote {path}", file=sys.stderr)
    return result


def cli() -> int:
    """The `inkling-train` command (pyproject.toml): main() returns its results as a dict, which
    a console script would turn into exit status 1."""
    main()
    return 0


if __name__ == "__main__":
    main()
