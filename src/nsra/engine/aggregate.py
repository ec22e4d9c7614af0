"""Analyst aggregation: from many estimates to one central value per cell, spread kept.

For every cell (scenario, level, slot):

* when a consensus is given, it wins;
* otherwise the central value is the median of the analysts' central positions (with an even
  number of analysts, the midpoint of the two middle ones, on the continuous scale);
* the spread keeps the lowest and highest position any analyst gave (a range counts with both
  ends) and the number of analysts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.inputs import AssessmentInput, BoolArray, EstimateRows, FloatArray, IntArray


@dataclass(frozen=True)
class Cells:
    """Aggregated positions, each array shaped (S, L, K + 1); NaN where nobody estimated."""

    central: FloatArray
    median: FloatArray
    low: FloatArray
    high: FloatArray
    analysts: IntArray
    consensus: BoolArray
    edge_low: FloatArray  # lowest plausible position: a class k reaches down to k - 0.5
    edge_high: FloatArray  # highest: a class k reaches up to k + 0.5; an exact value is itself


def _half(rows: EstimateRows) -> FloatArray:
    """Half a class around class estimates, nothing around exact values and positions."""
    exact = rows.exact if rows.exact is not None else np.zeros(len(rows), dtype=bool)
    return np.where(exact, 0.0, 0.5)


def cell_index(rows: EstimateRows, n_levels: int, n_slots: int) -> IntArray:
    """Flat cell number of each row."""
    return (rows.scenario * n_levels + rows.level) * n_slots + rows.slot


def group_median(cell: IntArray, values: FloatArray, n_cells: int) -> tuple[FloatArray, IntArray]:
    """Median of ``values`` per cell (NaN for empty cells) and the count per cell."""
    counts = np.bincount(cell, minlength=n_cells).astype(np.int64)
    median = np.full(n_cells, np.nan)
    if cell.size == 0:
        return median, counts
    order = np.lexsort((values, cell))
    sorted_values = values[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    present = counts > 0
    lo = starts[present] + (counts[present] - 1) // 2
    hi = starts[present] + counts[present] // 2
    median[present] = 0.5 * (sorted_values[lo] + sorted_values[hi])
    return median, counts


def aggregate(inputs: AssessmentInput) -> Cells:
    """Consensus where given, else the analysts' median, with the spread kept."""
    shape = (inputs.n_scenarios, inputs.n_levels, inputs.n_slots)
    n_cells = int(np.prod(shape))
    rows = inputs.estimates
    cell = cell_index(rows, inputs.n_levels, inputs.n_slots)
    median, counts = group_median(cell, rows.central, n_cells)
    low = np.full(n_cells, np.inf)
    high = np.full(n_cells, -np.inf)
    np.minimum.at(low, cell, rows.low)
    np.maximum.at(high, cell, rows.high)
    half = _half(rows)
    edge_low = np.full(n_cells, np.inf)
    edge_high = np.full(n_cells, -np.inf)
    np.minimum.at(edge_low, cell, rows.low - half)
    np.maximum.at(edge_high, cell, rows.high + half)
    empty = counts == 0
    for a in (low, high, edge_low, edge_high):
        a[empty] = np.nan

    central = median.copy()
    consensus = np.zeros(n_cells, dtype=bool)
    crow = inputs.consensus
    if len(crow):
        ccell = cell_index(crow, inputs.n_levels, inputs.n_slots)
        central[ccell] = crow.central
        consensus[ccell] = True
        # a consensus outside every analyst's estimate widens the visible spread
        low[ccell] = np.fmin(low[ccell], crow.low)
        high[ccell] = np.fmax(high[ccell], crow.high)
        chalf = _half(crow)
        edge_low[ccell] = np.fmin(edge_low[ccell], crow.low - chalf)
        edge_high[ccell] = np.fmax(edge_high[ccell], crow.high + chalf)
    return Cells(
        central=central.reshape(shape),
        median=median.reshape(shape),
        low=low.reshape(shape),
        high=high.reshape(shape),
        analysts=counts.reshape(shape),
        consensus=consensus.reshape(shape),
        edge_low=edge_low.reshape(shape),
        edge_high=edge_high.reshape(shape),
    )
