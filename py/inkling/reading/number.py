"""Read a number: segment the ink into digits (segment.py), read each one, left to right.

Each piece goes through the same normalize_digit as a single drawing, so a digit of a number is
framed for the model exactly like a digit drawn alone. Touching digits arrive as one wide piece;
whether and where to cut it is decided by the model itself (segmentation by recognition): the
piece is cut at each of a few candidate columns, all halves are read in one batch, and the best
cut is kept when its halves read surer than the whole, by a margin that shrinks as the piece gets
wider (see CUT_THRESHOLD). Geometry alone cannot decide: a third of MNIST's single digits are wider than
tall, and two touching 1s are narrower than one 0.
"""

from __future__ import annotations

import numpy as np

from inkling.data.preprocess import SIZE, normalize_digit

from . import second_look
from .segment import Piece, cut_columns, cut_piece, segment

# A cut is kept when  gain + WIDTH_BONUS * (aspect - 1) - CROSSING * crossings - CUT_INK * ink
# > CUT_THRESHOLD, where gain is how much surer the cut's less sure half reads than the whole
# piece; aspect = width / height (two touching digits are about 1.4 times wider than tall, most
# single digits narrower than tall); crossings = strokes the cut line crosses and ink = the ink on
# the cut line as a share of the height (digits touch at a point; a cut through one wide digit,
# a 5 with a long flag, crosses more). A linear rule fitted on MNIST test digits (2,399 single
# digits and 1,242 touching pairs, seeds 7 and 8 of the numbers' generator, not the benchmark's):
# 4 single digits cut, 81 % of touching pairs cut right.
WIDTH_BONUS = 0.6
CROSSING = 0.1
CUT_INK = 0.2
CUT_THRESHOLD = 0.02
HALF_HEIGHT = 0.55  # each half must be this tall (share of the piece's height)...
HALF_INK = 0.12  # ...and hold this share of its ink: no slivers cut off a digit...
HALF_ASPECT = 2.0  # ...and be at most this many times wider than tall: a dash is not "0000"
MAX_DIGITS = 16  # a longer "number" is noise: read only the first 16 pieces
MAX_CUTS = 3  # rounds of cutting: up to 2**3 digits touching in one piece


def _read(model, parts: list[tuple[np.ndarray, Piece]]) -> tuple[np.ndarray, np.ndarray]:
    """(inputs float32 [k, 28, 28], probabilities float32 [k, 10]) for the (ink, piece) parts, in one batch."""
    if not parts:
        return np.zeros((0, SIZE, SIZE), np.float32), np.zeros((0, 10), np.float32)
    inputs = np.stack([normalize_digit(p.ink(ink)) for ink, p in parts])
    return inputs, second_look.predict(model, inputs)


def _cut_score(piece: Piece, cut: tuple | None, whole: float, halves: float) -> float:
    """> 0: keep the cut (see CUT_THRESHOLD); cut None: the best any cut could do.
    cut: (halves, crossings, ink) from _cuts; whole, halves: confidence of the whole piece and of
    the cut's less sure half."""
    score = halves - whole + WIDTH_BONUS * (piece.width / piece.height - 1) - CUT_THRESHOLD
    if cut is not None:
        score -= CROSSING * cut[1] + CUT_INK * cut[2]
    return score


def _cuts(piece: Piece) -> list[tuple]:
    """Ways to cut a piece in two: [(halves, strokes crossed, ink crossed / height)], straight
    cuts at each of cut_columns whose halves could both be digits (_plausible). (Parting only
    the stroke where two digits touch, keeping overhangs whole, was tried too: +0.2 % on the
    benchmark for twice the time; not kept.)"""
    out = []
    for c in cut_columns(piece.mask):
        line = piece.mask[:, c]
        crossings = int(np.count_nonzero(np.diff(line.astype(np.int8), prepend=0) == 1))
        if (halves := cut_piece(piece, c)) and _plausible(piece, halves):
            out.append((halves, crossings, line.sum() / piece.height))
    return out


def _plausible(piece: Piece, halves: list[Piece]) -> bool:
    """Could each half be a whole digit? Tall enough, holding enough of the ink, and not a
    stretch of line (the model reads some digit in any ink, and the width bonus would cut a
    flat stroke, a dash or an underline, again and again into a row of digits)."""
    total = piece.mask.sum()
    tall = [h.height >= HALF_HEIGHT * piece.height for h in halves]
    inked = [h.mask.sum() >= HALF_INK * total for h in halves]
    shaped = [h.width <= HALF_ASPECT * h.height for h in halves]
    return all(tall) and all(inked) and all(shaped)


def read_number(model, ink: np.ndarray) -> dict:
    """ink float [H, W] (ink = 1) -> the number written in it.

    Returns {"text": str of digits ("" when no ink), "digits": int32 [k], "confidence": float32 [k]
    (each digit's probability), "probabilities": float32 [k, 10],
    "boxes": int32 [k, 4] (y0, x0, y1, x1 in ink pixels),
    "inputs": float32 [k, 28, 28] (what the model read for each), "parts": int32 [k] (0 here)}.
    """
    ink = np.asarray(ink, dtype=np.float32)
    return read_pieces(model, [(ink, p) for p in segment(ink)[:MAX_DIGITS]])


def read_pieces(
    model, parts: list[tuple[np.ndarray, Piece]], min_cut_aspect: float = 0.0, one_stroke: frozenset = frozenset()
) -> dict:
    """Read (ink, piece) parts, left to right, each one digit or touching digits: read_number's
    result, with each piece's box in its own ink's pixels and "parts" saying which part each
    digit came from (the pad's strokes give each digit an ink of its own: strokes.py).
    A piece narrower than min_cut_aspect times its height is never cut. The parts whose indices
    are in one_stroke were drawn without lifting the pen: they are cut only where the cut crosses
    their ink once (a pen that ran on from one digit into the next left one line between them; a
    cut through a wide 5 or 7 drawn in one stroke crosses it two or three times)."""
    parts = parts[:MAX_DIGITS]
    inputs, proba = _read(model, parts)
    # entries: [piece, input, probabilities, tried, part]. Every candidate cut of every doubtful piece
    # is read in one batch; a piece takes its best cut (the one whose less sure half is surest)
    # if that beats reading it whole, and the halves are tried again in the next round.
    entries = [[p, x, pr, False, k] for k, ((_, p), x, pr) in enumerate(zip(parts, inputs, proba))]
    for _ in range(MAX_CUTS):
        # Only pieces that even perfect halves (confidence 1) could justify cutting are tried.
        todo = [
            e
            for e in entries
            if not e[3]
            and e[0].width >= min_cut_aspect * e[0].height
            and _cut_score(e[0], None, float(e[2].max()), 1.0) > 0
        ]
        for e in todo:
            e[3] = True
        cuts = [(e, cut) for e in todo for cut in _cuts(e[0]) if e[4] not in one_stroke or cut[1] == 1]
        if not cuts:
            break
        half_inputs, half_proba = _read(model, [(parts[e[4]][0], h) for e, cut in cuts for h in cut[0]])
        best = {}  # id(entry) -> (score, replacement)
        for n, (e, cut) in enumerate(cuts):
            halves = cut[0]
            sure = float(half_proba[2 * n : 2 * n + 2].max(axis=1).min())
            score = _cut_score(e[0], cut, float(e[2].max()), sure)
            if score > 0 and score > best.get(id(e), (0.0,))[0]:
                best[id(e)] = (
                    score,
                    [[halves[k], half_inputs[2 * n + k], half_proba[2 * n + k], False, e[4]] for k in range(2)],
                )
        if not best:
            break
        entries = [x for e in entries for x in (best[id(e)][1] if id(e) in best else [e])]
        entries = entries[:MAX_DIGITS]
    proba = np.array([e[2] for e in entries], np.float32).reshape(-1, 10)
    digits = proba.argmax(axis=1).astype(np.int32)
    return {
        "text": "".join(str(d) for d in digits.tolist()),
        "digits": digits,
        "confidence": proba.max(axis=1).astype(np.float32),
        "probabilities": proba,
        "boxes": np.array([e[0].box for e in entries], np.int32).reshape(-1, 4),
        "inputs": np.array([e[1] for e in entries], np.float32).reshape(-1, SIZE, SIZE),
        "parts": np.array([e[4] for e in entries], np.int32),
    }
