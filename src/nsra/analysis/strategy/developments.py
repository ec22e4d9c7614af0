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

from dataclasses import dataclass

import numpy as np

from nsra.analysis.chunks import Plan, run_blocks
from nsra.analysis.strategy.picture import Picture, StrategyModel
from nsra.analysis.uncertainty import PositionSampler
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


def development_uncertainty(
    sm: StrategyModel,
    sampler: PositionSampler | None,
    samples: int = 2000,
    seed: int = 0,
) -> DevelopmentUncertainty:
    """Draw the shifts' intervals (and the estimates, with ``sampler``) and evaluate each
    development and all together against the same draws without any."""
    d = sm.developments.n_items
    sets = np.concatenate([np.zeros((1, d)), np.eye(d), np.ones((1, d))])
    current = sm.current
    per_block = max(1, 20_000_000 // max(sets.shape[0] * sm.positions.size, 1))

    def block(b: int, n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
        values = sm.developments.draw(n, rng)  # (n, rows)
        pos = (
            sampler.sample(n, rng)
            if sampler is not None
            else np.broadcast_to(sm.positions, (n, *sm.positions.shape))
        )
        coef = np.broadcast_to(current, (n, sets.shape[0], current.shape[0]))
        shift = sm.shift(coef, np.broadcast_to(sets, (n, *sets.shape)), None, values[:, None, :])
        pic = sm.picture(shift, positions=pos[:, None])
        risk = np.nan_to_num(pic.risk)  # (n, D + 2, S)
        return risk[:, 1:] - risk[:, :1], pic.serious.astype(float)

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
