"""The risk picture under a set of developments and measures: one compiled model, many states.

:class:`StrategyModel` compiles an assessment once: the engine's :class:`RiskModel`, the central
positions of the estimates, and the effects of measures and developments as rows
(:mod:`nsra.analysis.strategy.effects`). A *state* says which measures act and which
developments have materialised, as coefficients per item; :meth:`StrategyModel.picture`
evaluates any number of states at once and reads each as the risk diagram would: risk per
scenario, the level shown, likelihood and impact positions and classes, serious or not, rank.

The estimates describe one state already: with ``measures_basis: current`` (the default) the
analysts judged today's risk, so the measures in place are in the estimates and the inherent
risk takes their effects *out* (coefficient -1); with ``measures_basis: inherent`` the estimates
are the risk without measures. Developments are never in the estimates: they are what may come.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from nsra.analysis.strategy.effects import EffectRows, effect_rows
from nsra.engine.classes import NO_CLASS, class_indices, serious
from nsra.engine.evaluate import Evaluation, PositionShift, RiskModel
from nsra.engine.inputs import AssessmentInput, BoolArray, FloatArray, IntArray
from nsra.engine.ranking import competition_ranks
from nsra.engine.scales import ScaleKernel
from nsra.model.assessment import Assessment
from nsra.model.method import Method

_GRID = 2001


@dataclass(frozen=True)
class Picture:
    """States evaluated, shapes (..., S): leading axes are the states."""

    evaluation: Evaluation
    risk: FloatArray  # (..., S)
    level: IntArray  # (..., S) the level shown (highest risk)
    likelihood_position: FloatArray  # (..., S) of the direct probability, at the level shown
    impact_position: FloatArray  # (..., S) of the total impact, at the level shown
    likelihood_class: IntArray
    impact_class: IntArray
    serious: BoolArray
    rank: IntArray  # (..., S) 1 = highest; 0 = not ranked

    def at(self, i: int) -> Picture:
        """State ``i`` of the leading axis."""
        ev = self.evaluation
        fields = {f.name: getattr(ev, f.name)[i] for f in dataclasses.fields(ev)}
        return Picture(
            evaluation=Evaluation(**fields),
            **{
                f.name: getattr(self, f.name)[i]
                for f in dataclasses.fields(self)
                if f.name != "evaluation"
            },
        )

    @property
    def total(self) -> FloatArray:
        """Sum of the scenarios' risks per state (..., ); unassessed scenarios count 0."""
        out: FloatArray = np.nansum(self.risk, axis=-1)
        return out


def _combine(a: PositionShift, b: PositionShift) -> PositionShift:
    return PositionShift(steps=a.steps + b.steps, log_factor=a.log_factor + b.log_factor)


@dataclass(frozen=True)
class StrategyModel:
    """An assessment compiled for strategy analysis (kernel objects over arrays)."""

    model: RiskModel
    positions: FloatArray  # (S, L, K + 1) central positions
    scenarios: tuple[str, ...]
    measures: EffectRows  # M items, in the file's order
    developments: EffectRows  # D items, in the file's order
    status: tuple[str, ...]  # (M,) in_place / planned / proposed
    cost: FloatArray  # (M,) euros per year; NaN where not given
    basis: FloatArray  # (M,) 1 where the estimates already include the measure

    @classmethod
    def of(
        cls,
        assessment: Assessment,
        inputs: AssessmentInput,
        method: Method,
        positions: FloatArray,
        profile: str | None = None,
    ) -> StrategyModel:
        """``positions``: the central positions (S, L, K + 1), e.g. ``Results.cells.central``."""
        ids = [s.id for s in assessment.scenarios]
        ms = assessment.measures
        status = tuple(m.status for m in ms)
        in_estimates = assessment.measures_basis == "current"
        return cls(
            model=RiskModel.of(method, inputs, profile),
            positions=positions,
            scenarios=tuple(ids),
            measures=effect_rows([m.effects for m in ms], [m.scenarios for m in ms], ids, method),
            developments=effect_rows(
                [d.effects for d in assessment.developments],
                [[] for _ in assessment.developments],
                ids,
                method,
            ),
            status=status,
            cost=np.array([np.nan if m.cost is None else m.cost for m in ms], dtype=float),
            basis=np.array([1.0 if in_estimates and s == "in_place" else 0.0 for s in status]),
        )

    # -- sets of measures ----------------------------------------------------------------------
    def with_status(self, *statuses: str) -> FloatArray:
        """Indicator (M,) of the measures with one of these statuses."""
        return np.array([1.0 if s in statuses else 0.0 for s in self.status])

    @property
    def none(self) -> FloatArray:
        return np.zeros(len(self.status))

    @property
    def current(self) -> FloatArray:
        return self.with_status("in_place")

    @property
    def target(self) -> FloatArray:
        return self.with_status("in_place", "planned")

    @property
    def every(self) -> FloatArray:
        return np.ones(len(self.status))

    # -- evaluation ----------------------------------------------------------------------------
    def shift(
        self,
        measures: FloatArray,
        developments: FloatArray | None = None,
        measure_values: FloatArray | None = None,
        development_values: FloatArray | None = None,
    ) -> PositionShift:
        """The shift from the estimates to a state: ``measures`` (..., M) 1 where a measure acts;
        ``developments`` (..., D) 1 where a development has materialised."""
        out = self.measures.net(np.asarray(measures) - self.basis, measure_values)
        if developments is not None:
            out = _combine(out, self.developments.net(developments, development_values))
        return out

    def picture(
        self,
        shift: PositionShift,
        positions: FloatArray | None = None,
        indirect: tuple[FloatArray, FloatArray] | None = None,
    ) -> Picture:
        """Evaluate states: ``shift`` arrays (..., S, L, K + 1); ``positions`` the central
        positions (default) or sampled ones with matching leading axes."""
        pos = self.positions if positions is None else positions
        ev = self.model.evaluate(pos, shift=shift, indirect=indirect)
        return self.read(ev)

    def read(self, ev: Evaluation) -> Picture:
        """Read evaluated states as the risk diagram does."""
        level_risk = ev.level_risk
        level = np.argmax(np.where(np.isnan(level_risk), -np.inf, level_risk), axis=-1)

        def at_level(a: FloatArray) -> FloatArray:
            out: FloatArray = np.take_along_axis(a, level[..., None], axis=-1)[..., 0]
            return out

        lik_pos = self._likelihood_position(at_level(ev.direct_probability))
        imp_pos = self.model.impact.total_position(at_level(ev.total_impact))
        imp_pos = np.where(np.isnan(at_level(ev.total_impact)), np.nan, imp_pos)
        lik_cls = self._likelihood_class(lik_pos)
        imp_cls = class_indices(self.model.impact.total_scale, imp_pos)
        diagram = self.model.method.diagram
        return Picture(
            evaluation=ev,
            risk=ev.risk,
            level=level.astype(np.int64),
            likelihood_position=lik_pos,
            impact_position=imp_pos,
            likelihood_class=lik_cls,
            impact_class=imp_cls,
            serious=serious(lik_cls, imp_cls, diagram.serious_from, diagram.serious_sum_from),
            rank=competition_ranks(ev.risk.reshape(-1, ev.risk.shape[-1])).reshape(ev.risk.shape),
        )

    # -- likelihood positions back from probabilities --------------------------------------------
    def _kernels(self) -> dict[bool, ScaleKernel]:
        lik = self.model.likelihood
        return {flag: lik.kernel(flag) for flag in (True, False)}

    def _likelihood_position(self, probability: FloatArray) -> FloatArray:
        """The position whose probability this is, on each scenario's likelihood scale (the
        inverse of the scale's conversion, read off a fine grid; monotone)."""
        out = np.full(probability.shape, np.nan)
        mal = np.broadcast_to(self.model.malicious, probability.shape)
        for flag, kernel in self._kernels().items():
            grid = np.linspace(kernel.min_position, kernel.max_position, _GRID)
            probs = self.model.likelihood.probability_on(flag, grid)
            probs = np.maximum.accumulate(np.nan_to_num(probs))
            sel = mal == flag
            if np.any(sel):
                p = probability[sel]
                out[sel] = np.where(np.isnan(p), np.nan, np.interp(p, probs, grid))
        return out

    def _likelihood_class(self, positions: FloatArray) -> IntArray:
        kernels = self._kernels()
        mal = np.broadcast_to(self.model.malicious, positions.shape)
        out = np.where(
            mal,
            class_indices(kernels[True], positions),
            class_indices(kernels[False], positions),
        )
        return np.asarray(np.where(np.isnan(positions), NO_CLASS, out), dtype=np.int64)
