"""bench/readme_figures.py: benchmark JSON -> the README's figures table, between its markers only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "readme_figures.py"
spec = importlib.util.spec_from_file_location("readme_figures", SCRIPT)
readme_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_figures)


def run(date, *figures):
    return {
        "env": {"date": date, "cpus": 2, "cpu_reference_s": 0.4, "chromium_version": "1.0"},
        "figures": [dict(zip(("section", "metric", "value", "unit", "note"), f, strict=True)) for f in figures],
    }


def test_rows_come_from_the_runs_and_a_later_run_wins():
    first = run("2026-12-01", ("load", "warm load", 1.234, "s", "median of 5"), ("accuracy", "cnn", 0.9956, "", ""))
    second = run(
        "2026-12-02",
        ("load", "warm load", 0.98, "s", "a | b"),
        ("train", "FAILED", "boom", "", ""),
        ("load", "warm load, worker boot steps", 2.2, "s", "workerStarted 0.66"),
    )
    table = readme_figures.table([first, second])
    assert "| load | warm load | 0.98 s | a / b |" in table
    assert "1.23" not in table and "FAILED" not in table and "boot steps" not in table
    assert "| accuracy | cnn | 99.56 % |  |" in table
    assert "--only load,accuracy` on 2026-12-01" in table and "--only load,train` on 2026-12-02" in table


def test_only_the_block_between_the_markers_changes():
    readme = "intro\n<!-- figures:start -->\nold\n<!-- figures:end -->\nrest\n"
    assert readme_figures.rewrite(readme, "new") == "intro\n<!-- figures:start -->\nnew\n<!-- figures:end -->\nrest\n"
    with pytest.raises(SystemExit):
        readme_figures.rewrite("no markers", "new")
