"""The label placement of the risk diagram (nsra.report.diagram._spread_place).

The placement settles each cell on its own and lays out an over-full cell on a grid. Where
every cell can hold its markers, the result must be exactly that of the first version, which
compared every pair of markers in the whole diagram (kept here as the reference): markers of
different cells are always further apart than the overlap distance, so skipping those pairs
changes nothing.
"""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from nsra.report.diagram import CELL_MARGIN, LANE, MARKER_R, _capacity, _lanes, _spread_place

CW, CH = 141.2, 94.0  # a 5 x 5 diagram's cells
LEFT, BOTTOM = 172.0, 484.0


def _reference(
    points: list[tuple[float, float]], boxes: list[tuple[float, float, float, float]]
) -> list[tuple[float, float]]:
    """The first placement: every pair of markers compared, 500 passes at most."""
    q = [list(p) for p in points]
    gap = 2 * MARKER_R * 1.22 + 2.0
    golden = math.pi * (3 - math.sqrt(5))
    inner = [
        (x0 + CELL_MARGIN, y0 + CELL_MARGIN, x1 - CELL_MARGIN, y1 - CELL_MARGIN)
        for x0, y0, x1, y1 in boxes
    ]

    def clamp(k: int) -> None:
        x0, y0, x1, y1 = inner[k]
        q[k][0] = (x0 + x1) / 2 if x1 < x0 else min(max(q[k][0], x0), x1)
        q[k][1] = (y0 + y1) / 2 if y1 < y0 else min(max(q[k][1], y0), y1)

    for k in range(len(q)):
        clamp(k)
    for _ in range(500):
        moved = False
        for i in range(len(q)):
            for j in range(i + 1, len(q)):
                dx, dy = q[j][0] - q[i][0], q[j][1] - q[i][1]
                d = math.hypot(dx, dy)
                if d >= gap:
                    continue
                if abs(dx) < 0.5:
                    dx = 0.5 if j % 2 else -0.5
                if d < 1e-6:
                    angle = golden * (j + 1)
                    dx, dy = math.cos(angle), math.sin(angle)
                d = max(d, 1e-6)
                push = (gap - d) / 2 + 0.05
                ux, uy = dx, 0.35 * dy
                norm = math.hypot(ux, uy) or 1.0
                ux, uy = ux / norm, uy / norm
                q[i][0] -= ux * push
                q[i][1] -= uy * push
                q[j][0] += ux * push
                q[j][1] += uy * push
                clamp(i)
                clamp(j)
                moved = True
        if not moved:
            break
    for axis in (0, 1):
        _lanes(q, boxes, inner, axis)
    return [(p[0], p[1]) for p in q]


def _cell(i: int, j: int) -> tuple[float, float, float, float]:
    return (LEFT + i * CW, BOTTOM - (j + 1) * CH, LEFT + (i + 1) * CW, BOTTOM - j * CH)


def _layout(
    raw: list[tuple[float, float]],
) -> tuple[list[tuple[float, float]], list[tuple[float, float, float, float]]]:
    """Points at class positions (x, y in 0.5..5.5) and the cells they fall in."""
    points, boxes = [], []
    for x, y in raw:
        i, j = min(math.floor(x - 0.5), 4), min(math.floor(y - 0.5), 4)
        points.append((LEFT + (x - 0.5) * CW, BOTTOM - (y - 0.5) * CH))
        boxes.append(_cell(i, j))
    return points, boxes


def _inner(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (box[0] + CELL_MARGIN, box[1] + CELL_MARGIN, box[2] - CELL_MARGIN, box[3] - CELL_MARGIN)


def test_capacity_of_a_five_by_five_cell() -> None:
    # inner box 141.2 - 2 * 19.04 = 103.1 by 94.0 - 38.1 = 55.9; gap 31.28:
    # 4 * (103.1 + 31.28) * (55.9 + 31.28) / (pi * 31.28^2) = 15.2
    assert _capacity(_inner(_cell(0, 0))) == 15


positions = st.tuples(
    st.floats(0.5, 5.49).map(lambda v: round(v, 2)), st.floats(0.5, 5.49).map(lambda v: round(v, 2))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(positions, min_size=1, max_size=40))
def test_same_placement_as_comparing_every_pair(raw: list[tuple[float, float]]) -> None:
    points, boxes = _layout(raw)
    counts: dict[tuple[float, float, float, float], int] = {}
    for b in boxes:
        counts[b] = counts.get(b, 0) + 1
    if max(counts.values()) > _capacity(_inner(boxes[0])):
        return  # an over-full cell is laid out differently (next test)
    assert _spread_place(points, boxes) == _reference(points, boxes)


def test_same_placement_with_a_full_cell_and_coincident_markers() -> None:
    raw = [(3.0, 2.9)] * 15 + [(3.4, 3.1)] * 0 + [(1.0, 1.0), (1.1, 1.0), (5.2, 5.3)]
    points, boxes = _layout(raw)
    assert _spread_place(points, boxes) == _reference(points, boxes)


def test_an_over_full_cell_fills_its_cell_on_a_grid_keeping_the_order() -> None:
    # 60 markers in one cell, on a diagonal: they can never all stand apart
    raw = [(2.6 + k * 0.013, 2.6 + k * 0.013) for k in range(60)]
    points, boxes = _layout(raw)
    shown = _spread_place(points, boxes)
    x0, y0, x1, y1 = _inner(boxes[0])
    assert all(x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9 for x, y in shown)
    # distinct rows and columns, LANE apart where the cell has room (the lanes step)
    for axis, span in ((0, x1 - x0), (1, y1 - y0)):
        values = sorted(p[axis] for p in shown)
        step = min(LANE, span / (len(values) - 1))
        assert all(b - a >= step - 1e-9 for a, b in itertools.pairwise(values))
    # rows by height, each row left to right: the lowest-left marker ends bottom left, the
    # highest-right one top right
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    assert shown[0][0] < mx and shown[0][1] > my
    assert shown[-1][0] > mx and shown[-1][1] < my
