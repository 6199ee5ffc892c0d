"""inkling.reading.segment: connected components, merging broken strokes, specks, order, cuts."""

from collections import deque

import numpy as np
import pytest
from shapes import glyph, line

from inkling.reading import segment


def flood_fill_labels(mask):
    """Reference 8-connected labelling, one pixel at a time (slow, obviously right)."""
    labels = np.zeros(mask.shape, int)
    n = 0
    for start in zip(*np.nonzero(mask)):
        if labels[start]:
            continue
        n += 1
        labels[start] = n
        queue = deque([start])
        while queue:
            y, x = queue.popleft()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    q = (y + dy, x + dx)
                    if 0 <= q[0] < mask.shape[0] and 0 <= q[1] < mask.shape[1] and mask[q] and not labels[q]:
                        labels[q] = n
                        queue.append(q)
    return labels, n


def same_partition(a, b):
    """Two labellings split the pixels the same way (label numbers may differ)."""
    pairs = set(zip(a[a > 0].tolist(), b[b > 0].tolist()))
    return len(pairs) == len({p for p, _ in pairs}) == len({q for _, q in pairs})


@pytest.mark.parametrize("seed, density", [(0, 0.3), (1, 0.5), (2, 0.6), (3, 0.05)])
def test_labels_match_a_flood_fill(seed, density):
    mask = np.random.default_rng(seed).random((40, 57)) < density
    labels, n = segment.label_components(mask)
    expected, n_expected = flood_fill_labels(mask)
    assert n == n_expected
    assert ((labels > 0) == mask).all()
    assert same_partition(labels, expected)


def test_diagonal_contact_joins_and_a_spiral_is_one_component():
    diagonal = np.eye(6, dtype=bool)
    assert segment.label_components(diagonal)[1] == 1
    spiral = np.zeros((21, 21), bool)  # a long path: many rounds of hooking
    for k in range(0, 10, 2):
        spiral[k, k : 21 - k] = spiral[k : 21 - k, 20 - k] = spiral[20 - k, k + 2 : 21 - k] = True
        spiral[k + 2 : 21 - k, k] = True
        if k + 2 < 10:
            spiral[k + 2, k : k + 3] = True
    labels, n = segment.label_components(spiral)
    assert n == flood_fill_labels(spiral)[1]
    assert segment.label_components(np.zeros((3, 3), bool))[1] == 0


def test_digits_come_out_left_to_right():
    ink = np.zeros((120, 400), np.float32)
    for k, d in enumerate("7041"):
        glyph(ink, d, 20 + 95 * k, 20, 60, 80, 8)
    pieces = segment.segment(ink)
    assert len(pieces) == 4
    assert [p.box[1] for p in pieces] == sorted(p.box[1] for p in pieces)
    for p in pieces:
        assert p.mask.shape == (p.height, p.width) and p.mask.any()


def test_broken_strokes_of_one_digit_are_merged():
    ink = np.zeros((140, 300), np.float32)
    # A 4 whose stem, broken where it crosses the bar, is drawn apart from its body.
    line(ink, (60, 20), (20, 85), 8)
    line(ink, (20, 85), (95, 85), 8)
    line(ink, (76, 30), (76, 72), 8)
    line(ink, (76, 98), (76, 125), 8)
    # A 5 whose flag floats above and right of its body: low, and only partly over it in x.
    glyph(ink, "0", 160, 30, 40, 90, 7)
    line(ink, (185, 12), (260, 12), 7)
    assert segment.label_components(ink > 0)[1] == 5
    pieces = segment.segment(ink)
    assert len(pieces) == 2, [p.box for p in pieces]
    assert pieces[1].box[3] >= 255  # the flag went with its digit


def test_slanted_one_leaning_over_a_neighbour_stays_separate():
    ink = np.zeros((130, 150), np.float32)
    glyph(ink, "7", 20, 20, 80, 80, 6)
    line(ink, (93, 108), (111, 36), 6)  # a 1 leaning into the 7's box, not touching it
    labels, n = segment.label_components(ink > 0)
    assert n == 2
    pieces = segment.segment(ink)
    assert len(pieces) == 2, [p.box for p in pieces]
    share = (pieces[0].box[3] - pieces[1].box[1]) / pieces[1].width
    assert 0.5 < share < segment.CONTAINED  # overlapping heavily in x: the case in question


def test_specks_are_dropped_and_empty_ink_gives_nothing():
    ink = np.zeros((100, 200), np.float32)
    glyph(ink, "7", 20, 10, 60, 80, 8)
    ink[50:52, 150:152] = 1  # a speck of dust
    assert len(segment.segment(ink)) == 1
    assert segment.segment(np.zeros((50, 50), np.float32)) == []


def test_a_piece_keeps_only_its_own_ink():
    ink = np.zeros((100, 200), np.float32)
    glyph(ink, "1", 20, 10, 20, 80, 8)
    glyph(ink, "7", 45, 10, 60, 80, 8)  # boxes may overlap; pixels must not be shared
    pieces = segment.segment(ink)
    total = sum(p.ink(ink).sum() for p in pieces)
    assert total == pytest.approx(ink.sum())


def test_large_pictures_are_labelled_on_a_pooled_copy():
    ink = np.zeros((600, 1200), np.float32)
    glyph(ink, "1", 100, 100, 100, 400, 4)  # thin strokes survive the max-pooling
    glyph(ink, "0", 600, 100, 300, 400, 4)
    pieces = segment.segment(ink)
    assert len(pieces) == 2
    assert pieces[1].box[1] >= 590 and pieces[1].box[3] <= 910


def test_cuts_split_two_touching_digits():
    ink = np.zeros((100, 160), np.float32)
    glyph(ink, "0", 10, 10, 60, 80, 8)
    glyph(ink, "0", 66, 10, 60, 80, 8)  # touching the first
    (piece,) = segment.segment(ink)
    columns = segment.cut_columns(piece.mask)
    assert columns and all(0 < c < piece.width for c in columns)
    seam = 66 + 4 - piece.box[1] - 4  # where the two rings meet, in the piece's columns
    assert min(abs(c - seam) for c in columns) <= 6
    best = min(columns, key=lambda c: abs(c - seam))
    left, right = segment.cut_piece(piece, best)
    assert left.box[3] <= right.box[1] + 1
    assert left.mask.sum() + right.mask.sum() == piece.mask.sum()
    assert segment.cut_piece(piece, 0) == []  # nothing on one side: no cut
