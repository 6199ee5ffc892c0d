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


def test_keep_leaves_the_sections_a_run_did_not_measure_and_how_they_were_measured():
    old = readme_figures.table(
        [
            run("2026-12-01", ("load", "warm load", 1.234, "s", "n=5"), ("written", "numbers", 0.95, "", "190/200")),
            run("2026-12-02", ("train", "MLP", 1.5, "s", "")),
        ]
    )
    new = readme_figures.table([run("2026-12-03", ("written", "numbers", 0.965, "", "193/200"))], keep=old)
    assert "| load | warm load | 1.23 s | n=5 |" in new and "| train | MLP | 1.5 s |  |" in new
    assert "| written | numbers | 96.50 % | 193/200 |" in new and "95.00 %" not in new
    # the first run's line stays for its load row; the second's for train; the new one is added
    assert "--only load,written` on 2026-12-01" in new and "--only train` on 2026-12-02" in new
    assert "--only written` on 2026-12-03" in new
    assert new.count("| section | figure |") == 1
    # a run that measured every section of an old line drops that line
    newer = readme_figures.table([run("2026-12-04", ("train", "MLP", 1.4, "s", ""))], keep=new)
    assert "2026-12-02" not in newer and "| train | MLP | 1.4 s |  |" in newer
