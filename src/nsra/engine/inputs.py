"""The engine's input: an assessment reduced to flat numpy tables of scale positions.

Every estimate becomes one row: which scenario, intensity level and *slot* (slot ``k < K`` is
criterion ``k``; slot ``K`` is likelihood), which analyst, and its low, high and central position
on the continuous class scale. A class ``C`` is (3, 3, 3); a range ``C..D`` is (3, 4, 3.5); a value
is converted to a position once, at the edge, by the method's scales.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class EstimateRows:
    """One row per (scenario, level, slot, analyst). Consensus rows have analyst -1."""

    scenario: IntArray
    level: IntArray
    slot: IntArray
    analyst: IntArray
    low: FloatArray
    high: FloatArray
    central: FloatArray
    exact: BoolArray | None = None  # True where a value/position was given, not a class

    @classmethod
    def from_lists(
        cls,
        scenario: list[int],
        level: list[int],
        slot: list[int],
        analyst: list[int],
        low: list[float],
        high: list[float],
        central: list[float],
    ) -> EstimateRows:
        return cls(
            np.asarray(scenario, dtype=np.int64),
            np.asarray(level, dtype=np.int64),
            np.asarray(slot, dtype=np.int64),
            np.asarray(analyst, dtype=np.int64),
            np.asarray(low, dtype=float),
            np.asarray(high, dtype=float),
            np.asarray(central, dtype=float),
        )

    def __len__(self) -> int:
        return int(self.scenario.shape[0])


@dataclass(frozen=True)
class CascadeRows:
    """One row per (cause, cause level, effect, effect level) with a conditional probability."""

    cause: IntArray
    cause_level: IntArray
    effect: IntArray
    effect_level: IntArray
    probability: FloatArray

    @classmethod
    def empty(cls) -> CascadeRows:
        i = np.zeros(0, dtype=np.int64)
        return cls(i, i, i, i, np.zeros(0))

    def __len__(self) -> int:
        return int(self.cause.shape[0])

    def tuples(self) -> list[tuple[int, int, int, int, float]]:
        """The rows as ``(cause, cause level, effect, effect level, probability)``."""
        return list(
            zip(
                self.cause.tolist(),
                self.cause_level.tolist(),
                self.effect.tolist(),
                self.effect_level.tolist(),
                self.probability.tolist(),
                strict=True,
            )
        )


PASS_ROOT, PASS_CAUSED_BY_ACTOR, PASS_CAUSED_BY_OTHER = 0, 1, 2
"""Columns of :attr:`AssessmentInput.passes`, in the order of
:data:`nsra.model.method.PassCondition`."""


@dataclass(frozen=True)
class AssessmentInput:
    """Everything the engine needs, as arrays: shapes S scenarios, L levels, K criteria."""

    n_scenarios: int
    n_levels: int
    n_criteria: int
    malicious: BoolArray
    estimates: EstimateRows
    consensus: EstimateRows
    cascades: CascadeRows
    actor: BoolArray | None = None  # (S,) actor risks of the cascade simulation; None: none
    passes: BoolArray | None = None
    """(S, 3): whether a scenario's event passes effects on as the root of an event graph, when
    an actor caused it, when another risk caused it (:data:`PASS_ROOT` ...); None: always."""
    horizons: dict[str, tuple[EstimateRows, EstimateRows]] = field(default_factory=dict)
    """Per horizon id of the method: the likelihood estimates and consensus at that horizon
    (rows in the likelihood slot)."""

    @property
    def n_slots(self) -> int:
        return self.n_criteria + 1

    @property
    def likelihood_slot(self) -> int:
        return self.n_criteria

    def take(self, order: IntArray) -> AssessmentInput:
        """The same assessment with scenarios renumbered: new scenario i is old ``order[i]``."""
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.shape[0])

        def rows(r: EstimateRows) -> EstimateRows:
            return EstimateRows(
                inverse[r.scenario], r.level, r.slot, r.analyst, r.low, r.high, r.central, r.exact
            )

        c = self.cascades
        return AssessmentInput(
            self.n_scenarios,
            self.n_levels,
            self.n_criteria,
            self.malicious[order],
            rows(self.estimates),
            rows(self.consensus),
            CascadeRows(
                inverse[c.cause], c.cause_level, inverse[c.effect], c.effect_level, c.probability
            ),
            None if self.actor is None else self.actor[order],
            None if self.passes is None else self.passes[order],
            {h: (rows(e), rows(c)) for h, (e, c) in self.horizons.items()},
        )
