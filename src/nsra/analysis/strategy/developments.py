"""International developments: what-if, exposure, and how sure the shift is.

* **what-if**: the current risk picture (measures as they are today) when one development, or a
  set of them, materialises: risk, rank and classes per scenario, what moves, what becomes
  serious. Every development at once is one batched evaluation;
* **through cascades**: a development that raises a cause raises its effects: the effect's
  indirect probability grows by the cause's probability change x the conditional probability
  (first order, :func:`nsra.engine.cascade.through`). A scenario a development does not touch
  directly but whose indirect probability rises is *raised through cascades*;
* **exposure**: per scenario, the risk if every development materialises, and the share of that
  risk the developments add: ``(risk with all - current risk) / risk with all``;
* **uncertainty**: the shifts' intervals drawn (uniform class steps, log-uniform factors), with
  the estimates drawn from their own intervals at the same time (the same draws with and without
  the development), give per development and scenario the 5/50/95% of the risk added and the
  share of draws in which the scenario is serious.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nsra.analysis.chunks import Plan, run_blocks
from nsra.analysis.strategy.picture import Picture, StrategyModel
from nsra.analysis.uncertainty import PositionSampler
from nsra.engine.cascade import through
from nsra.engine.evaluate import PositionShift
from nsra.engine.inputs import BoolArray, FloatArray

QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class WhatIf:
    """The current picture and the picture under each development, and under all at once.

    ``pictures`` has leading axis D + 1: one per development, then all developments together.
    """

    current: Picture
    pictures: Picture
    direct: BoolArray  # (D, S) the development shifts the scenario itself
    through_cascades: BoolArray  # (D, S) raised only through a cascade (indirect probability up)

    @property
    def risk_added(self) -> FloatArray:
        """(D + 1, S) risk added (negative: lowered)."""
        out: FloatArray = np.nan_to_num(self.pictures.risk) - np.nan_to_num(self.current.risk)
        return out

    @property
    def becomes_serious(self) -> BoolArray:
        out: BoolArray = self.pictures.serious & ~self.current.serious
        return out

    @property
    def exposure(self) -> FloatArray:
        """(S,) share of the risk-with-all-developments that the developments add; 0 where
        none adds any (or nothing was estimated)."""
        all_ = np.nan_to_num(self.pictures.risk[-1])
        now = np.nan_to_num(self.current.risk)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = np.where(all_ > 0, np.maximum(all_ - now, 0.0) / all_, 0.0)
        return out


def what_if(sm: StrategyModel, sets: FloatArray | None = None) -> WhatIf:
    """Each development alone and all together (``sets`` None), or the given sets (N, D) of
    developments (the last row is then read as "all" by :attr:`WhatIf.exposure`)."""
    d = sm.developments.n_items
    if sets is None:
        sets = np.concatenate([np.eye(d), np.ones((1, d))]) if d else np.zeros((1, 0))
    current = sm.current
    cur_pic = sm.picture(sm.shift(current))
    shift = sm.shift(np.broadcast_to(current, (sets.shape[0], current.shape[0])), sets)
    pics = sm.picture(shift)
    touches = sm.developments.touches()  # (D, S)
    ind_now = cur_pic.evaluation.indirect_probability  # (S, L)
    ind = pics.evaluation.indirect_probability[:d]  # (D, S, L)
    rises = np.nan_to_num(ind - ind_now[None]).max(axis=-1) > 1e-15
    return WhatIf(
        current=cur_pic,
        pictures=pics,
        direct=touches,
        through_cascades=rises & ~touches,
    )


@dataclass(frozen=True)
class DevelopmentUncertainty:
    """Per development (and all together, last) and scenario, over the draws."""

    samples: int
    seed: int
    risk_added: FloatArray  # (Q, D + 1, S) quantiles of the risk added
    serious: FloatArray  # (D + 1, S) share of draws in which the scenario is serious
    serious_now: FloatArray  # (S,) ... without any development


class _ShiftedPairs:
    """Each development, and all together, evaluated on draws of the positions and the shifts:
    only the (set, scenario) pairs a set shifts are evaluated again (their direct impact and
    probability); what that does to the other scenarios goes through the cascade matrix, which
    is linear in the direct quantities. The result is that of evaluating every scenario under
    every set (tests/analysis/strategy compares the two), at a fraction of the cost."""

    def __init__(self, sm: StrategyModel) -> None:
        rows = sm.developments
        d = rows.n_items
        touches = rows.touches()  # (D, S)
        sets = np.vstack([touches, touches.any(axis=0, keepdims=True)])  # each, then all
        self.pair_set, self.pair_s = np.nonzero(sets)
        n_pairs = self.pair_set.shape[0]
        pairs = zip(self.pair_set.tolist(), self.pair_s.tolist(), strict=True)
        pair_of = {pair: i for i, pair in enumerate(pairs)}
        # each row of development i at scenario s acts in the pair (i, s) and in (all, s)
        items, scenarios = rows.item.tolist(), rows.scenario.tolist()
        e_pair = [pair_of[pair] for pair in zip(items, scenarios, strict=True)]
        e_pair += [pair_of[(d, sc)] for sc in scenarios]
        self.e_row = np.concatenate([np.arange(len(rows)), np.arange(len(rows))])
        _, n_lv, n_slot = rows.shape
        per_pair = n_lv * n_slot
        cells = np.asarray(e_pair, dtype=np.int64) * per_pair + rows.cell[self.e_row] % per_pair
        n_e = self.e_row.shape[0]
        self.scatter = sp.csr_array(
            (np.ones(n_e), (np.arange(n_e), cells)), shape=(n_e, n_pairs * per_pair)
        )
        self.factor = rows.factor[self.e_row]
        self.base = sm.shift(sm.current)  # the measures as they are today
        self.sm = sm
        self.paired = dataclasses.replace(sm.model, malicious=sm.model.malicious[self.pair_s])
        self.shape = (n_pairs, n_lv, n_slot)
        self.n_sets = d + 1

    def __call__(self, values: FloatArray, pos: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``values`` (n, rows) drawn shifts, ``pos`` (n, S, L, K + 1) drawn positions: the
        risk added (n, D + 1, S) and serious flags (n, D + 2, S; first without any)."""
        sm, model = self.sm, self.sm.model
        n = values.shape[0]
        n_s, n_lv = len(sm.scenarios), self.shape[1]
        ev0 = model.evaluate(pos, shift=self.base)  # (n, S, L)
        w = values[:, self.e_row]
        steps = np.asarray((self.scatter.T @ np.where(self.factor, 0.0, w).T).T)
        logf = np.asarray((self.scatter.T @ np.where(self.factor, w, 0.0).T).T)
        shift = PositionShift(
            steps=self.base.steps[self.pair_s] + steps.reshape(n, *self.shape),
            log_factor=self.base.log_factor[self.pair_s] + logf.reshape(n, *self.shape),
        )
        zero = np.zeros((n, self.shape[0], n_lv))
        evp = self.paired.evaluate(pos[:, self.pair_s], shift=shift, indirect=(zero, zero))
        dp = np.zeros((n, self.n_sets, n_s, n_lv))
        di = np.zeros((n, self.n_sets, n_s, n_lv))
        at = (slice(None), self.pair_set, self.pair_s)
        dp[at] = np.nan_to_num(evp.direct_probability - ev0.direct_probability[:, self.pair_s])
        di[at] = np.nan_to_num(evp.direct_impact - ev0.direct_impact[:, self.pair_s])
        ev = model.combine(
            ev0.direct_probability[:, None] + dp,
            ev0.direct_impact[:, None] + di,
            ev0.indirect_probability[:, None] + through(model.cascades, dp),
            ev0.indirect_impact[:, None] + through(model.cascades_t, di),
        )
        now, pic = sm.read(ev0), sm.read(ev)
        added = np.nan_to_num(pic.risk) - np.nan_to_num(now.risk)[:, None]
        ser = np.concatenate([now.serious[:, None], pic.serious], axis=1).astype(float)
        return added, ser


def development_uncertainty(
    sm: StrategyModel,
    sampler: PositionSampler | None,
    samples: int = 2000,
    seed: int = 0,
) -> DevelopmentUncertainty:
    """Draw the shifts' intervals (and the estimates, with ``sampler``) and evaluate each
    development and all together against the same draws without any."""
    pairs = _ShiftedPairs(sm)
    size = pairs.n_sets * len(sm.scenarios) * pairs.shape[1] + pairs.scatter.shape[1]
    per_block = max(1, 4_000_000 // max(size, 1))

    def block(b: int, n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
        values = sm.developments.draw(n, rng)  # (n, rows)
        pos = (
            sampler.sample(n, rng)
            if sampler is not None
            else np.broadcast_to(sm.positions, (n, *sm.positions.shape))
        )
        return pairs(values, pos)

    parts = run_blocks(block, Plan(samples, per_block), seed)
    added = np.concatenate([p[0] for p in parts])
    ser = np.concatenate([p[1] for p in parts])
    return DevelopmentUncertainty(
        samples=samples,
        seed=seed,
        risk_added=np.quantile(added, QUANTILES, axis=0),
        serious=ser[:, 1:].mean(axis=0),
        serious_now=ser[:, 0].mean(axis=0),
    )
