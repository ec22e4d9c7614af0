"""Coherence of strategies and measures with the risk picture.

Which serious risks does no measure address (gaps)? Which threats do the national and the
international strategy both address (where they meet)? Which measures are owned by several
ministries? Only measures in place or planned address a risk: a proposal does not (yet).
Pure: takes the typed assessment and the engine's serious flags
(:attr:`nsra.engine.compute.Results.serious`), returns plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nsra.engine.inputs import BoolArray
from nsra.model.assessment import Assessment, Phase

PHASES: tuple[Phase, ...] = ("prevent", "prepare", "respond", "recover")


@dataclass(frozen=True)
class ScenarioCoverage:
    """How one scenario is covered by measures and strategies."""

    scenario: str
    serious: bool
    measures: list[str]
    strategies: list[str]
    scopes: list[str]  # "national", "international"
    phases: dict[str, list[str]]  # phase -> measure ids
    owners: list[str]  # organisations owning a measure that addresses it

    @property
    def gap(self) -> bool:
        """A serious risk that no measure addresses."""
        return self.serious and not self.measures

    @property
    def shared(self) -> bool:
        """Addressed by both a national and an international strategy."""
        return "national" in self.scopes and "international" in self.scopes

    @property
    def missing_phases(self) -> list[str]:
        return [p for p in PHASES if not self.phases.get(p)]


@dataclass(frozen=True)
class Coherence:
    """The coherence picture of an assessment."""

    scenarios: list[ScenarioCoverage]
    gaps: list[str]  # serious scenarios no measure addresses
    shared: list[str]  # scenarios both the national and the international strategy address
    multi_owner_measures: list[str]  # measures owned by more than one organisation
    strategies_without_serious: list[str] = field(default_factory=list)

    def coverage(self, scenario_id: str) -> ScenarioCoverage:
        for c in self.scenarios:
            if c.scenario == scenario_id:
                return c
        raise KeyError(scenario_id)


def coherence(assessment: Assessment, serious: BoolArray) -> Coherence:
    """Coverage of each scenario; ``serious`` (S,): whether each scenario (in the assessment's
    order) is a serious risk, as the engine's results say."""
    if len(serious) != len(assessment.scenarios):
        raise ValueError(
            f"one serious flag per scenario: {len(assessment.scenarios)} scenarios, "
            f"{len(serious)} flags"
        )
    strategies = {s.id: s for s in assessment.strategies}
    decided = [m for m in assessment.measures if m.status != "proposed"]
    rows: list[ScenarioCoverage] = []
    for i, sc in enumerate(assessment.scenarios):
        measures = [m for m in decided if sc.id in m.scenarios]
        strat_ids = sorted({m.strategy for m in measures})
        scopes: list[str] = sorted({strategies[s].scope for s in strat_ids if s in strategies})
        phases: dict[str, list[str]] = {p: [m.id for m in measures if m.phase == p] for p in PHASES}
        owners = sorted({o for m in measures for o in m.owners})
        rows.append(
            ScenarioCoverage(
                scenario=sc.id,
                serious=bool(serious[i]),
                measures=[m.id for m in measures],
                strategies=strat_ids,
                scopes=scopes,
                phases=phases,
                owners=owners,
            )
        )
    serious_ids = {r.scenario for r in rows if r.serious}
    idle = [
        s.id
        for s in assessment.strategies
        if not any(m.strategy == s.id and serious_ids.intersection(m.scenarios) for m in decided)
    ]
    return Coherence(
        scenarios=rows,
        gaps=[r.scenario for r in rows if r.gap],
        shared=[r.scenario for r in rows if r.shared],
        multi_owner_measures=[m.id for m in decided if len(set(m.owners)) > 1],
        strategies_without_serious=idle,
    )
