"""Measures that change numbers: inherent, current and target risk, and what each measure removes.

* inherent risk: no measure acts; current risk: the measures in place; target risk: in place and
  planned (:class:`nsra.analysis.strategy.picture.StrategyModel`);
* each measure's risk reduction, summed over scenarios: *marginal* (the full set of measures,
  minus the total with this one taken out) and *alone* (inherent risk, minus the total with only
  this one). Effects on one scenario multiply, so two measures overlap: their marginal values
  add up to less than their values alone;
* risk reduction per euro of yearly cost;
* the tables of the portfolio choice (:mod:`nsra.analysis.strategy.portfolio`): from the target
  state, for each scenario and each subset of the proposed measures acting on it, the risk that
  subset removes on that scenario. A scenario's cascade terms (indirect probability and impact)
  are held at their target values, so each table depends on its own scenario's measures only
  and the choice is exact for that objective; what a measure changes further down a cascade is
  in its marginal and alone values, not in the portfolio's objective.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nsra.analysis.strategy.picture import Picture, StrategyModel
from nsra.engine.evaluate import PositionShift
from nsra.engine.inputs import FloatArray, IntArray

MAX_GROUP = 12
"""At most this many proposed measures may act on one scenario (the portfolio's tables have
2**k entries per scenario)."""


@dataclass(frozen=True)
class RiskStates:
    """The risk picture in four states: inherent, current, target, and with every measure."""

    inherent: Picture
    current: Picture
    target: Picture
    every: Picture


@dataclass(frozen=True)
class MeasureValues:
    """Per measure (M,): total risk removed, marginal in the full set and alone; per euro."""

    marginal: FloatArray
    alone: FloatArray
    alone_by_scenario: FloatArray  # (M, S)
    cost: FloatArray  # NaN where not given

    @property
    def marginal_per_euro(self) -> FloatArray:
        return _per(self.marginal, self.cost)

    @property
    def alone_per_euro(self) -> FloatArray:
        return _per(self.alone, self.cost)


def _per(value: FloatArray, cost: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(cost > 0, value / np.where(cost > 0, cost, 1.0), np.nan)
    return out


def risk_states(sm: StrategyModel) -> RiskStates:
    """Inherent, current, target and every-measure pictures, evaluated together."""
    sets = np.stack([sm.none, sm.current, sm.target, sm.every])
    pic = sm.picture(sm.shift(sets))
    parts = [pic.at(i) for i in range(4)]
    return RiskStates(*parts)


def measure_values(sm: StrategyModel) -> MeasureValues:
    """Each measure's risk reduction, marginal in the full set and alone."""
    m = len(sm.status)
    if m == 0:
        empty = np.zeros(0)
        return MeasureValues(empty, empty, np.zeros((0, len(sm.scenarios))), empty)
    eye = np.eye(m)
    sets = np.concatenate([np.stack([sm.none, sm.every]), sm.every - eye, eye])
    pic = sm.picture(sm.shift(sets))
    risk = np.nan_to_num(pic.risk)  # (2 + 2M, S)
    inherent, every = risk[0], risk[1]
    without, alone = risk[2 : 2 + m], risk[2 + m :]
    by_scenario = inherent[None, :] - alone
    return MeasureValues(
        marginal=(without - every[None, :]).sum(axis=1),
        alone=by_scenario.sum(axis=1),
        alone_by_scenario=by_scenario,
        cost=sm.cost.copy(),
    )


@dataclass(frozen=True)
class PortfolioTables:
    """Inputs of the portfolio choice: the proposed measures with a cost, and per scenario the
    risk each subset of them removes there."""

    measures: IntArray  # (P,) indices of the candidate measures in the file's order
    costs: FloatArray  # (P,)
    members: tuple[IntArray, ...]  # per group (scenario): indices into the P candidates
    values: tuple[FloatArray, ...]  # per group: (N, 2**k) risk removed by each subset
    scenarios: IntArray  # (G,) the scenario of each group


def candidates(sm: StrategyModel) -> IntArray:
    """Proposed measures with a yearly cost (a proposal without a cost cannot be weighed)."""
    out: IntArray = np.flatnonzero(
        (np.array([s == "proposed" for s in sm.status], dtype=bool)) & ~np.isnan(sm.cost)
    )
    return out


def portfolio_tables(
    sm: StrategyModel,
    positions: FloatArray | None = None,
    measure_values: FloatArray | None = None,
) -> PortfolioTables:
    """The tables for the central estimates (N = 1), or for N draws: ``positions`` (N, S, L,
    K + 1) and ``measure_values`` (N, rows) sampled together."""
    cand = candidates(sm)
    touches = sm.measures.touches()[cand]  # (P, S)
    pos = sm.positions[None] if positions is None else positions
    n = pos.shape[0]
    vals = sm.measures.central[None] if measure_values is None else measure_values
    groups = [s for s in range(touches.shape[1]) if touches[:, s].any()]
    members = tuple(np.flatnonzero(touches[:, s]) for s in groups)
    biggest = max((len(x) for x in members), default=0)
    if biggest > MAX_GROUP:
        s = groups[int(np.argmax([len(x) for x in members]))]
        raise ValueError(
            f"{biggest} proposed measures act on the scenario {sm.scenarios[s]!r}; the portfolio "
            f"weighs at most {MAX_GROUP} per scenario: combine some into one proposal"
        )
    rows_p = np.full(sm.measures.n_items, -1)
    rows_p[cand] = np.arange(len(cand))
    row_p = rows_p[sm.measures.item]  # (n,) candidate index of each row, -1 if none
    row_s = sm.measures.scenario
    target = sm.target
    base = sm.shift(np.broadcast_to(target, (n, len(target))), None, vals)
    ev0 = sm.model.evaluate(pos, shift=base)
    # one evaluation row per (group, subset): the group's scenario with that subset funded
    sizes = [2 ** len(mem) for mem in members]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    pair_s = np.repeat(np.asarray(groups, dtype=np.int64), sizes)
    # entries (pair, row): the row's measure is in the pair's subset, on the pair's scenario
    group_of = {sc: g for g, sc in enumerate(groups)}
    e_pair: list[IntArray] = []
    e_row: list[IntArray] = []
    for r in np.flatnonzero(row_p >= 0):
        g = group_of[int(row_s[r])]
        bit = int(np.flatnonzero(members[g] == row_p[r])[0])
        masks = np.flatnonzero((np.arange(sizes[g]) >> bit) & 1)
        e_pair.append(offsets[g] + masks)
        e_row.append(np.full(masks.shape[0], r))
    pairs = int(offsets[-1])
    _, n_lv, n_slot = sm.measures.shape
    cell_in = sm.measures.cell % (n_lv * n_slot)
    ep = np.concatenate(e_pair) if e_pair else np.zeros(0, dtype=np.int64)
    er = np.concatenate(e_row) if e_row else np.zeros(0, dtype=np.int64)
    factor = sm.measures.factor[er]
    scatter = sp.csr_array(
        (np.ones(ep.shape[0]), (np.arange(ep.shape[0]), ep * n_lv * n_slot + cell_in[er])),
        shape=(ep.shape[0], pairs * n_lv * n_slot),
    )
    w = vals[:, er]  # (N, E)
    steps = np.asarray((scatter.T @ np.where(factor, 0.0, w).T).T).reshape(n, pairs, n_lv, n_slot)
    logf = np.asarray((scatter.T @ np.where(factor, w, 0.0).T).T).reshape(n, pairs, n_lv, n_slot)
    shift = PositionShift(
        steps=base.steps[:, pair_s] + steps, log_factor=base.log_factor[:, pair_s] + logf
    )
    model = dataclasses.replace(sm.model, malicious=sm.model.malicious[pair_s])
    ev = model.evaluate(
        pos[:, pair_s],
        shift=shift,
        indirect=(ev0.indirect_probability[:, pair_s], ev0.indirect_impact[:, pair_s]),
    )
    risk = np.nan_to_num(ev.risk)  # (N, pairs); each group's first pair (none) is the target
    values = tuple(
        np.maximum(risk[:, offsets[g], None] - risk[:, offsets[g] : offsets[g + 1]], 0.0)
        for g in range(len(groups))
    )
    return PortfolioTables(
        measures=cand,
        costs=sm.cost[cand],
        members=members,
        values=values,
        scenarios=np.asarray(groups, dtype=np.int64),
    )
