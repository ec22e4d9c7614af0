"""Effects of developments and measures as rows, and their sum for any set of them.

Each effect in the file (a development's or a measure's, on one scenario, some intensity levels,
the likelihood or a criterion) becomes one row per cell it touches: which item (development or
measure), which cell of the positions array (scenario, level, slot; slot ``K`` is likelihood),
whether it is class steps or a factor, and its central value and interval (a factor is held as
its natural logarithm, so that factors add like steps).

For a set of items, given as coefficients per item (1 applies an item, 0 leaves it out, -1 takes
it out of estimates that already include it), :meth:`EffectRows.net` sums the rows into one
:class:`~nsra.engine.evaluate.PositionShift`: steps add, factors multiply. The coefficients may
carry leading axes (N sets at once) and so may the values (N draws of the intervals), so what-if
for every development, or a thousand Monte Carlo draws, is one sparse product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nsra.engine.evaluate import PositionShift
from nsra.engine.inputs import BoolArray, FloatArray, IntArray
from nsra.model.assessment import Effect, shift_of
from nsra.model.method import Method


@dataclass(frozen=True)
class EffectRows:
    """One row per (item, cell) an effect touches. ``shape`` is (S, L, K + 1)."""

    item: IntArray
    cell: IntArray  # flat index into (S, L, K + 1)
    factor: BoolArray  # True: a log factor; False: class steps
    central: FloatArray
    low: FloatArray
    high: FloatArray
    entry: IntArray  # which effect entry of the file (its rows share one draw)
    n_items: int
    shape: tuple[int, int, int]

    def __len__(self) -> int:
        return int(self.item.shape[0])

    @property
    def n_cells(self) -> int:
        s, lv, k = self.shape
        return s * lv * k

    def _scatter(self, weights: FloatArray) -> FloatArray:
        """Sum weights (..., n) of the rows into cells: (..., S, L, K + 1)."""
        lead = weights.shape[:-1]
        if len(self) == 0:
            return np.zeros((*lead, *self.shape))
        flat = weights.reshape(-1, len(self))
        a = sp.csr_array(
            (np.ones(len(self)), (np.arange(len(self)), self.cell)), shape=(len(self), self.n_cells)
        )
        out = np.asarray((a.T @ flat.T).T, dtype=float)
        return out.reshape(*lead, *self.shape)

    def net(self, coef: FloatArray, values: FloatArray | None = None) -> PositionShift:
        """The shift of a set of items: ``coef`` (..., M) per item; ``values`` (..., n) per row
        (None: the central values). Leading axes of both broadcast."""
        v = self.central if values is None else values
        c = np.asarray(coef, dtype=float)[..., self.item]
        w = c * v
        return self.shift_of_rows(np.broadcast_to(w, np.broadcast_shapes(w.shape, np.shape(v))))

    def shift_of_rows(self, weights: FloatArray) -> PositionShift:
        """The shift of weighted rows: ``weights`` (..., n), each row's coefficient x value."""
        steps = self._scatter(np.where(self.factor, 0.0, weights))
        logf = self._scatter(np.where(self.factor, weights, 0.0))
        return PositionShift(steps=steps, log_factor=logf)

    @property
    def scenario(self) -> IntArray:
        """The scenario of each row."""
        _, lv, k = self.shape
        out: IntArray = self.cell // (lv * k)
        return out

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        """``n`` draws of every row's value within its interval, (n, rows): uniform for steps,
        log-uniform for factors. Rows of one effect entry move together (one draw per entry)."""
        n_entries = int(self.entry.max()) + 1 if len(self) else 0
        u = rng.random((n, n_entries))[:, self.entry]
        out: FloatArray = self.low + u * (self.high - self.low)
        return out

    def touches(self) -> BoolArray:
        """(M, S): whether item m has an effect on scenario s."""
        out = np.zeros((self.n_items, self.shape[0]), dtype=bool)
        out[self.item, self.scenario] = True
        return out

    def restricted(self, keep: BoolArray) -> EffectRows:
        """The rows of some items only (renumbered in order)."""
        new = np.cumsum(keep) - 1
        sel = keep[self.item]
        return EffectRows(
            item=new[self.item[sel]],
            cell=self.cell[sel],
            factor=self.factor[sel],
            central=self.central[sel],
            low=self.low[sel],
            high=self.high[sel],
            entry=self.entry[sel],
            n_items=int(keep.sum()),
            shape=self.shape,
        )


def effect_rows(
    effects: Sequence[Sequence[Effect]],
    defaults: Sequence[Sequence[str]],
    scenarios: Sequence[str],
    method: Method,
) -> EffectRows:
    """Rows of every item's effects. ``effects[m]`` are item m's effects; an effect without a
    scenario acts on each of ``defaults[m]`` (a measure's scenarios). The file must have passed
    :mod:`nsra.io.strategy_checks` (unknown ids raise KeyError here)."""
    index = {sid: i for i, sid in enumerate(scenarios)}
    levels = {lv.id: i for i, lv in enumerate(method.intensity_levels)}
    n_levels = max(len(levels), 1)
    criteria = {c.id: k for k, c in enumerate(method.criteria)}
    members: dict[str, list[int]] = {}
    for k, c in enumerate(method.criteria):
        members.setdefault(c.interest, []).append(k)
    n_slots = len(criteria) + 1
    item, cell, factor, central, low, high, entry = [], [], [], [], [], [], []
    n_entry = 0
    for m, item_effects in enumerate(effects):
        for e in item_effects:
            targets = [e.scenario] if e.scenario is not None else list(defaults[m])
            lvs = [levels[x] for x in e.levels] if e.levels else list(range(n_levels))
            slots: list[tuple[list[int], object]] = []
            if e.likelihood is not None:
                slots.append(([n_slots - 1], e.likelihood))
            for key, spec in e.impact.items():
                slots.append(([criteria[key]] if key in criteria else members[key], spec))
            for sid in targets:
                s = index[sid]
                for ks, spec in slots:
                    sh = shift_of(spec)
                    is_f = sh.factor is not None
                    lo, hi = sh.bounds
                    vals = (
                        (np.log(sh.central), np.log(lo), np.log(hi))
                        if is_f
                        else (sh.central, lo, hi)
                    )
                    for lv in lvs:
                        for k in ks:
                            item.append(m)
                            cell.append((s * n_levels + lv) * n_slots + k)
                            factor.append(is_f)
                            central.append(vals[0])
                            low.append(vals[1])
                            high.append(vals[2])
                            entry.append(n_entry)
                    n_entry += 1
    return EffectRows(
        item=np.asarray(item, dtype=np.int64),
        cell=np.asarray(cell, dtype=np.int64),
        factor=np.asarray(factor, dtype=bool),
        central=np.asarray(central, dtype=float),
        low=np.asarray(low, dtype=float),
        high=np.asarray(high, dtype=float),
        entry=np.asarray(entry, dtype=np.int64),
        n_items=len(effects),
        shape=(len(scenarios), n_levels, n_slots),
    )
