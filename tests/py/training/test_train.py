"""trainer + train CLI: presets, determinism, that it learns, and what a run writes."""

import json

import numpy as np
import pytest

import inkling
from inkling.data import mnist
from inkling.nn import ops
from inkling.training import train, trainer
from inkling.training.trainer import TrainConfig, Trainer, build_model, preset


@pytest.fixture(autouse=True)
def restore_matmul_backend():
    """The CLIs pin ops' backend to BLAS for the process; put back whatever other tests had."""
    before = ops.backend()
    yield
    ops.set_backend(before)


TINY = dict(architecture={"hidden": [32]}, epochs=2, batch_size=64, subset=1000)


@pytest.fixture(scope="module")
def data():
    """2000 training and 500 validation images, normalised like everything the models see."""
    images, labels = mnist.load("train")
    train_idx, val_idx = mnist.train_validation_split(len(labels), 500, seed=0)
    return images[train_idx[:2000]], labels[train_idx[:2000]], images[val_idx], labels[val_idx]


def run(config, data, n=1000):
    x, y, vx, vy = data
    model = build_model(config)
    history = Trainer(model, x[:n], y[:n], config, vx, vy).fit()
    return model, history


def test_cli_defaults_are_the_preset_and_flags_override():
    args = train.parse_args(["--model", "mlp"])
    assert train.config_from_args(args) == trainer.PRESETS["mlp"]
    args = train.parse_args(
        [
            "--model",
            "cnn",
            "--epochs",
            "3",
            "--lr",
            "0.01",
            "--no-augment",
            "--optimizer",
            "adamw",
            "--schedule",
            "cosine",
            "--seed",
            "4",
        ]
    )
    config = train.config_from_args(args)
    assert (config.epochs, config.lr, config.augment, config.optimizer, config.schedule, config.seed) == (
        3,
        0.01,
        False,
        "adamw",
        "cosine",
        4,
    )
    assert config.architecture == trainer.PRESETS["cnn"].architecture


def test_presets_fit_the_size_budget():
    for name in trainer.PRESETS:
        model = build_model(preset(name))
        assert sum(a.nbytes for a in model.arrays().values()) < 2_000_000, name


def test_same_seed_same_weights_different_seed_different(data):
    config = preset("mlp", **TINY)
    first, history = run(config, data)
    second, _ = run(config, data)
    other, _ = run(preset("mlp", **TINY, seed=1), data)
    for key, value in first.arrays().items():
        assert np.array_equal(value, second.arrays()[key]), key
    assert not np.array_equal(first.arrays()["1.W"], other.arrays()["1.W"])
    assert len(history) == 2 and "val_accuracy" in history[-1]


@pytest.mark.parametrize(
    "optimizer,schedule", [("nesterov", "onecycle"), ("adamw", "cosine"), ("sgd", "step"), ("adam", "constant")]
)
def test_it_learns_with_every_optimizer_and_schedule(data, optimizer, schedule):
    lr = 0.05 if optimizer in ("sgd", "nesterov") else 2e-3
    config = preset("mlp", **{**TINY, "epochs": 3}, optimizer=optimizer, schedule=schedule, lr=lr, augment=False)
    _, history = run(config, data, n=2000)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["val_accuracy"] > 0.85, history


def test_cnn_preset_trains_a_step(data):
    config = preset(
        "cnn",
        epochs=1,
        batch_size=32,
        architecture={**trainer.PRESETS["cnn"].architecture, "channels": [4, 8], "hidden": 16},
    )
    x, y, _, _ = data
    twins = np.rint(x[:64] * 255).astype(np.uint8)  # the preset swaps a share of each batch for these
    history = Trainer(build_model(config), x[:64], y[:64], config, pen_images=twins).fit()
    assert np.isfinite(history[0]["train_loss"])


def test_steps_yields_batches_then_the_epoch_record(data):
    x, y, vx, vy = data
    config = preset("mlp", **{**TINY, "epochs": 1})
    events = list(Trainer(build_model(config), x[:256], y[:256], config).steps())
    assert [e["step"] for e in events[:-1]] == [1, 2, 3, 4]
    assert events[0]["total_steps"] == 4 and set(events[0]) >= {"loss", "accuracy", "lr", "epoch"}
    assert events[-1]["epoch_done"] and "val_accuracy" not in events[-1]


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="optimizer"):
        trainer.make_optimizer(TrainConfig(optimizer="lbfgs"))
    with pytest.raises(ValueError, match="schedule"):
        trainer.make_schedule(TrainConfig(schedule="zigzag"), 10)
    with pytest.raises(ValueError, match="no preset"):
        preset("transformer")


def test_cli_run_writes_weights_and_manifest(tmp_path, capsys):
    result = train.main(
        [
            "--model",
            "mlp",
            "--epochs",
            "2",
            "--subset",
            "600",
            "--validation",
            "300",
            "--batch-size",
            "32",
            "--no-augment",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    entry = json.loads((tmp_path / "manifest.json").read_text())["models"]["mlp"]
    assert entry["test_accuracy"] == result["test_accuracy"] > 0.5
    assert entry["parameters"] == result["parameters"] and entry["epochs"] == 2 and entry["seed"] == 0
    assert entry["data_sha256"] == mnist.data_sha256() and entry["wall_time_s"] > 0
    assert entry["hyperparameters"]["subset"] == 600 and entry["hyperparameters"]["model"] == "mlp"
    model = inkling.load(tmp_path / "manifest.json")
    x, y = mnist.load("test")
    assert round(trainer.accuracy(model, x, y), 4) == entry["test_accuracy"]
    assert "test_accuracy=" in capsys.readouterr().out


def test_pen_share_swaps_batch_images_for_their_twins(data):
    x, y, _, _ = data
    twins = (255 - np.rint(x[:256] * 255)).astype(np.uint8)  # stand-ins any swap shows in
    with pytest.raises(ValueError, match="pen_images"):
        Trainer(build_model(preset("mlp", **TINY)), x[:256], y[:256], preset("mlp", **TINY, pen_share=0.5))
    batch = np.arange(0, 256, 2)
    none = Trainer(build_model(preset("mlp", **TINY)), x[:256], y[:256], preset("mlp", **TINY), pen_images=twins)
    np.testing.assert_array_equal(none.batch_images(batch), x[batch])  # pen_share 0: twins unused
    every = Trainer(
        build_model(preset("mlp", **TINY)), x[:256], y[:256], preset("mlp", **TINY, pen_share=1.0), pen_images=twins
    )
    np.testing.assert_allclose(every.batch_images(batch), twins[batch] / 255)
    half = Trainer(
        build_model(preset("mlp", **TINY)), x[:256], y[:256], preset("mlp", **TINY, pen_share=0.5), pen_images=twins
    )
    swapped = (half.batch_images(batch) != x[batch]).any(axis=(1, 2)).mean()
    assert 0.3 < swapped < 0.7


def test_validation_reports_the_twins_accuracy_when_given(data):
    x, y, vx, vy = data
    config = preset("mlp", **{**TINY, "epochs": 1})
    val_twins = np.rint(vx * 255).astype(np.uint8)  # the images themselves: the same accuracy
    history = Trainer(build_model(config), x[:256], y[:256], config, vx, vy, val_pen_images=val_twins).fit()
    assert history[0]["val_pen_accuracy"] == pytest.approx(history[0]["val_accuracy"], abs=0.01)


def test_architecture_keys_given_as_json_replace_the_presets_own():
    args = train.parse_args(["--model", "cnn", "--architecture", '{"channels": [[32, 32], [64, 64]], "kernel": 3}'])
    architecture = train.config_from_args(args).architecture
    assert architecture == {**trainer.PRESETS["cnn"].architecture, "channels": [[32, 32], [64, 64]], "kernel": 3}
    assert trainer.PRESETS["cnn"].architecture["kernel"] == 5  # the preset itself is left as it was
