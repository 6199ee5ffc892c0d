#!/usr/bin/env python
"""Write the README's table of figures from benchmark results, so no figure there is typed by hand.

    python bench/benchmark.py --json results.json          # one or more runs, any sections
    python bench/readme_figures.py results.json [more.json ...]
    python bench/readme_figures.py --keep written.json    # only the sections written.json measured

Rewrites the lines between `<!-- figures:start -->` and `<!-- figures:end -->` in README.md: one
row per figure (a later file's figure replaces an earlier one of the same name), then a line
saying when, where and with which command each file's figures were measured. With --keep, the
README's rows of every section the files do not measure stay, with the lines that say how those
were measured: a run of one section need not repeat the others.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
# What a reader of the README needs is the headline figure, not how it breaks down: these rows stay in
# benchmark.py's printout and its JSON only.
DETAIL = re.compile(r"boot steps|wall time|images/s|no caching headers|bare Pyodide|longest main-thread")


def format_value(value, unit: str) -> str:
    if isinstance(value, float):
        if unit == "" and 0 <= value <= 1:  # accuracies are fractions
            return f"{100 * value:.2f} %"
        value = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value} {unit}".strip()


ROW = re.compile(r"\| ([^|]+?) \| ([^|]+?) \|")
MEASURED = re.compile(r"Measured by (`python bench/benchmark.py --only ([\w,]+)`.*)\.$")


def kept(block: str, measured: set[str]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The rows of a figures block (as table() writes it) whose section is not in `measured`, and
    the sources of those rows: a source line stays while any of its sections does."""
    rows, sources = {}, []
    for line in block.splitlines():
        row, source = ROW.match(line), MEASURED.match(line)
        if row and row.group(1) not in ("section", "---") and row.group(1) not in measured:
            rows[(row.group(1), row.group(2))] = line
        elif source and set(source.group(2).split(",")) - measured:
            sources.append(source.group(1))
    return rows, sources


def table(results: list[dict], keep: str = "") -> str:
    """The figures block for `results`; with `keep` (the README's current block), its rows of the
    sections no result measured come first (see kept)."""
    measured = {fig["section"] for result in results for fig in result["figures"]}
    rows, sources = kept(keep, measured)
    for result in results:
        env = result["env"]
        for fig in result["figures"]:
            if fig["metric"] == "FAILED" or DETAIL.search(fig["metric"]):
                continue
            note = fig["note"].replace("|", "/")
            rows[(fig["section"], fig["metric"])] = (
                f"| {fig['section']} | {fig['metric']} | {format_value(fig['value'], fig['unit'])} | {note} |"
            )
        sections = ",".join(dict.fromkeys(f["section"] for f in result["figures"]))
        sources.append(
            f"`python bench/benchmark.py --only {sections}` on {env['date']} ({env['cpus']} CPUs, "
            f"CPU reference {env['cpu_reference_s']} s, {env.get('chromium_version', 'no browser')})"
        )
    sections = list(dict.fromkeys(section for section, _ in rows))  # a section's rows together
    ordered = sorted(rows, key=lambda key: sections.index(key[0]))
    lines = ["| section | figure | value | note |", "| --- | --- | --- | --- |", *(rows[k] for k in ordered), ""]
    lines += [f"Measured by {s}." for s in sources]
    return "\n".join(lines)


BLOCK = re.compile(re.escape(START) + r"(.*?)" + re.escape(END), re.S)


def block(readme: str) -> str:
    """The figures block now in `readme` (what lies between the markers)."""
    found = BLOCK.search(readme)
    if not found:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    return found.group(1)


def rewrite(readme: str, new_table: str) -> str:
    block(readme)  # refuses a README without the markers
    return BLOCK.sub(lambda _: f"{START}\n{new_table}\n{END}", readme)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="files written by benchmark.py --json")
    parser.add_argument("--keep", action="store_true", help="keep the README's rows of sections not measured")
    args = parser.parse_args(argv)
    results = [json.loads(p.read_text()) for p in args.results]
    readme = README.read_text()
    README.write_text(rewrite(readme, table(results, block(readme) if args.keep else "")))
    print(f"wrote the figures of {len(results)} run(s) into {README.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
