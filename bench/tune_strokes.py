#!/usr/bin/env python
"""The stroke reading's tuning loop, in CPython: bench/read_strokes.py's drawings without a browser.

    python bench/tune_strokes.py [--numbers 300] [--digits 300] [--touching 600] [--font-ones 30] [--seed 1] [--verbose]

Writes what bench/read_strokes.py draws (tests/browser/written.py: 4-digit numbers across the pad,
single digits small and large), replays it as the page records it (the mouse moved in 12 px steps,
points kept 1 backing-store pixel apart, in the 560 px backing store of the 640 px desktop pad or
the 340 px phone pad) and reads it with inkling.reading.strokes. Each wrong number is put down to
its cause: the strokes grouped wrongly (digits merged, a digit split) or, grouped right, a digit
misread or cut wrongly.

TUNING samples only: MNIST test indices 0-4999, font seeds 5 and 101-106 by default; the samples
bench/read_strokes.py reports (indices 5000-9999, seed 2026) are never drawn here.
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "py"), str(REPO / "tests" / "browser")]

from pen import Box, stepped  # noqa: E402
from strokes import load_mnist_test  # noqa: E402
from written import FONTS, digit_on_pad, font_strokes, mnist_strokes, number_strokes, touching_strokes  # noqa: E402

import inkling  # noqa: E402
from inkling.reading import regroup  # noqa: E402
from inkling.reading import strokes as S  # noqa: E402

SCREENS = {"desktop": (640.0, 560), "phone": (340.0, 560)}  # pad side in page px, backing store px


def as_recorded(strokes_px, box: Box, backing: int) -> list[np.ndarray]:
    """Page-pixel strokes -> the pad's points in backing-store pixels, as pad.js keeps them when
    pen.draw_strokes moves the mouse along them (Playwright's steps, points >= 1 px apart)."""
    out = []
    for pts in stepped(strokes_px):
        kept = [pts[0]]
        for p in pts[1:]:
            if math.hypot(*(p - kept[-1])) * backing / box.width >= 1:
                kept.append(p)
        out.append((np.array(kept) - (box.x, box.y)) / box.width * backing)
    return out


def cause(groups: list[list[int]], owner: list[int]) -> str:
    """'merged' if a group holds strokes of two digits, 'split' if a digit's strokes are in two
    groups, 'a stroke left out' (as a dot or a speck), else 'grouped right'. owner[k]: the digit
    stroke k belongs to."""
    digit_groups = collections.defaultdict(set)
    for n, g in enumerate(groups):
        if len({owner[k] for k in g}) > 1:
            return "merged"
        for k in g:
            digit_groups[owner[k]].add(n)
    if any(len(v) > 1 for v in digit_groups.values()):
        return "split"
    if sum(len(g) for g in groups) < len(owner):
        return "a stroke left out"
    return "grouped right"


def numbers(model, images, labels, screen: str, n: int, seed: int, verbose: bool):
    side, backing = SCREENS[screen]
    box = Box(0.0, 0.0, side, side)
    rng = np.random.default_rng([seed, 10 if screen == "desktop" else 11])
    right, causes, ms = 0, collections.Counter(), []
    for _ in range(n):
        picks = [int(i) for i in rng.integers(5000, size=4)]
        digit_strokes = [mnist_strokes(images[i]) for i in picks]
        owner = [d for d, s in enumerate(digit_strokes) for _ in s]
        drawn = as_recorded(number_strokes(rng, digit_strokes, box), box, backing)
        truth = "".join(str(int(labels[i])) for i in picks)
        t0 = time.perf_counter()
        out = S.read_strokes(model, drawn)
        ms.append(1000 * (time.perf_counter() - t0))
        if out["text"] == truth:
            right += 1
            continue
        groups = regroup.digit_groups(model, drawn)
        why = cause(groups, owner)
        if why == "grouped right" and len(out["text"]) != 4:
            why = "cut wrongly"
        elif why == "grouped right":
            # is the misread digit misread alone too (the same strokes, nothing else on the pad)?
            alone = [S.read_strokes(model, [s for s, o in zip(drawn, owner) if o == d])["text"] for d in range(4)]
            bad = [d for d in range(4) if out["text"][d] != truth[d]]
            why = "misread, alone too" if all(alone[d] != truth[d] for d in bad) else "misread in the number"
        causes[why] += 1
        if verbose:
            g = [[owner[k] for k in grp] for grp in groups]
            print(f"  {truth} -> {out['text'] or '(none)'}: {why}; indices {picks}; groups (digit of each stroke) {g}")
    print(f"4-digit numbers, {screen}: {right}/{n} = {right / n:.1%}  {dict(causes)}  median {np.median(ms):.0f} ms")
    return right / n


def digits(model, images, labels, sizes, n: int, seed: int, font: bool, verbose: bool):
    side, backing = SCREENS["desktop"]
    box = Box(0.0, 0.0, side, side)
    rng = np.random.default_rng([seed, int(100 * sizes[0]), font])
    wrong = []
    for k in range(n):
        if font:
            digit, strokes = k % 10, font_strokes(rng, k % 10)
        else:
            i = int(rng.integers(5000))
            digit, strokes = int(labels[i]), mnist_strokes(images[i])
        placed = digit_on_pad(strokes, box, float(rng.uniform(*sizes)), rng.uniform(0, 1, 2))
        text = S.read_strokes(model, as_recorded(placed, box, backing))["text"]
        if text != str(digit):
            wrong.append(f"{digit}->{text or '(none)'}" + ("" if font else f"#{i}"))
    kind = "font" if font else "MNIST"
    print(f"one digit at {sizes[0]:.0%}-{sizes[1]:.0%}, {kind}: {n - len(wrong)}/{n} = {1 - len(wrong) / n:.1%}")
    if verbose:
        print("  " + " ".join(wrong))


def touching(model, images, labels, n: int, seed: int, verbose: bool):
    """Two MNIST digits written so close that their strokes may touch (written.touching_strokes):
    of the pairs strokes.group_strokes makes one group, how many
    are read as the two digits (regroup.split parts them between their strokes, number.py may cut)."""
    side, backing = SCREENS["desktop"]
    box = Box(0.0, 0.0, side, side)
    rng = np.random.default_rng([seed, 12])
    tried, right, lengths = 0, 0, collections.Counter()
    for _ in range(n):
        a, b = (int(i) for i in rng.integers(5000, size=2))
        placed = touching_strokes(rng, [mnist_strokes(images[a]), mnist_strokes(images[b])], box)
        drawn = as_recorded(placed, box, backing)
        if len(S.group_strokes(drawn)) != 1:
            continue
        tried += 1
        text = S.read_strokes(model, drawn)["text"]
        lengths[len(text)] += 1
        right += text == f"{labels[a]}{labels[b]}"
        if verbose and text != f"{labels[a]}{labels[b]}":
            print(f"  {labels[a]}{labels[b]} -> {text or '(none)'}; indices {[a, b]}")
    print(
        f"touching pairs: {tried} of {n} one group; read right {right}/{tried} = {right / max(tried, 1):.1%}, "
        f"read as this many digits {dict(sorted(lengths.items()))}"
    )


def font_ones(model, n: int, seed: int):
    """Each font design's 1, n times, drawn large on the pad: what each is read as (flagged 1s
    read as 7 were what training's pen twins with a flag answer, training/pen_twins.py)."""
    side, backing = SCREENS["desktop"]
    box = Box(0.0, 0.0, side, side)
    rng = np.random.default_rng([seed, 1])
    for font in FONTS:
        reads = collections.Counter()
        for _ in range(n):
            placed = digit_on_pad(font_strokes(rng, 1, font), box, float(rng.uniform(0.35, 0.85)), rng.uniform(0, 1, 2))
            reads[S.read_strokes(model, as_recorded(placed, box, backing))["text"] or "(none)"] += 1
        print(f"font {font}, 1 drawn {n} times, read as: {dict(reads.most_common())}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=300, help="numbers per screen (default 300)")
    parser.add_argument("--digits", type=int, default=0, help="single digits per line (default 0: none)")
    parser.add_argument("--seed", type=int, default=1, help="not 2026, the reported seed")
    parser.add_argument("--font-seed", type=int, default=101, help="font seeds 5, 101-106 are for tuning")
    parser.add_argument("--touching", type=int, default=0, help="pairs of digits drawn touching (default 0)")
    parser.add_argument("--font-ones", type=int, default=0, help="each font's 1 drawn this many times (default 0)")
    parser.add_argument("--verbose", action="store_true", help="print every failure")
    args = parser.parse_args(argv)
    if args.seed == 2026:
        parser.error("seed 2026 is bench/read_strokes.py's reported sample")
    model = inkling.load("cnn")
    images, labels = load_mnist_test()
    t0 = time.perf_counter()
    for screen in SCREENS if args.numbers else ():
        numbers(model, images, labels, screen, args.numbers, args.seed, args.verbose)
    for sizes in ((0.12, 0.30), (0.35, 0.85)) if args.digits else ():
        digits(model, images, labels, sizes, args.digits, args.seed, False, args.verbose)
        digits(model, images, labels, sizes, args.digits, args.font_seed, True, args.verbose)
    if args.touching:
        touching(model, images, labels, args.touching, args.seed, args.verbose)
    if args.font_ones:
        font_ones(model, args.font_ones, args.font_seed)
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
