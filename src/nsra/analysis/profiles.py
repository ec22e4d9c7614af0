"""Results and ranks under every weight profile of the method, and who changes rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.aggregate import Cells
from nsra.engine.evaluate import RiskModel
from nsra.engine.inputs import AssessmentInput, FloatArray, IntArray
from nsra.engine.ranking import competition_rank
from nsra.model.method import Method


@dataclass(frozen=True)
class ProfileComparison:
    """Risk and rank of every scenario (columns) under every profile (rows)."""

    profiles: list[str]
    risk: FloatArray  # (P, S)
    total_impact: FloatArray  # (P, S) at each scenario's level with the highest risk
    rank: IntArray  # (P, S)

    @property
    def rank_range(self) -> IntArray:
        """Worst minus best rank over the profiles, per scenario (0: the rank holds)."""
        ranked = self.rank > 0
        big = np.iinfo(np.int64).max
        worst = np.where(ranked, self.rank, 0).max(axis=0)
        best = np.where(ranked, self.rank, big).min(axis=0)
        out: IntArray = np.where(ranked.any(axis=0), worst - best, 0).astype(int)
        return out

    @property
    def changes(self) -> list[int]:
        """Indices of the scenarios whose rank differs between profiles."""
        return [int(i) for i in np.flatnonzero(self.rank_range > 0)]


def compare_profiles(inputs: AssessmentInput, method: Method, cells: Cells) -> ProfileComparison:
    """Evaluate the central positions under each of the method's weight profiles."""
    ids = [p.id for p in method.profiles] or [""]
    risks, impacts, ranks = [], [], []
    for pid in ids:
        ev = RiskModel.of(method, inputs, pid or None).evaluate(cells.central)
        level = np.argmax(np.where(np.isnan(ev.level_risk), -np.inf, ev.level_risk), axis=1)
        risks.append(ev.risk)
        impacts.append(ev.total_impact[np.arange(level.shape[0]), level])
        ranks.append(competition_rank(ev.risk))
    return ProfileComparison(ids, np.array(risks), np.array(impacts), np.array(ranks))
