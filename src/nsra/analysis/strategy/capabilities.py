"""Capabilities: the gap agenda ranked by the risk each gap leaves open, and shared capabilities.

A need (capability, scenario, phases) that is ``insufficient`` leaves the scenario's whole
current risk open in that respect (weight 1); ``partly`` half of it (weight 0.5); ``sufficient``
none. The agenda ranks capabilities by the risk their gaps leave open (the sum over their
needs), and lists each gap with its scenario and phases.

A capability is *shared by internal and external threats* when the scenarios that need it
include one of internal and one of external origin (a scenario of both counts as either):
where the interwovenness of internal and external security shows in practice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.inputs import FloatArray
from nsra.model.assessment import Assessment

GAP_WEIGHT = {"sufficient": 0.0, "partly": 0.5, "insufficient": 1.0}
"""The share of a scenario's risk a need leaves open, by adequacy."""


@dataclass(frozen=True)
class Gap:
    capability: str
    scenario: str
    phases: tuple[str, ...]
    adequacy: str
    risk_open: float


@dataclass(frozen=True)
class CapabilityStanding:
    capability: str
    risk_open: float  # summed over its gaps
    gaps: int
    needs: int
    shared: bool  # needed by internal and by external threats
    domains: tuple[str, ...]


@dataclass(frozen=True)
class CapabilityAgenda:
    gaps: list[Gap]  # highest risk open first
    capabilities: list[CapabilityStanding]  # highest risk open first

    @property
    def shared(self) -> list[str]:
        return [c.capability for c in self.capabilities if c.shared]


def capability_agenda(assessment: Assessment, risk: FloatArray) -> CapabilityAgenda:
    """``risk`` (S,): each scenario's current risk, in the assessment's order."""
    index = {s.id: i for i, s in enumerate(assessment.scenarios)}
    domain = {s.id: s.domain for s in assessment.scenarios}
    r = np.nan_to_num(np.asarray(risk, dtype=float))
    gaps: list[Gap] = []
    standing: list[CapabilityStanding] = []
    for cap in assessment.capabilities:
        mine: list[Gap] = []
        doms = {domain[n.scenario] for n in cap.needed}
        for need in cap.needed:
            weight = GAP_WEIGHT[need.adequacy]
            if weight == 0:
                continue
            mine.append(
                Gap(
                    capability=cap.id,
                    scenario=need.scenario,
                    phases=tuple(need.phases),
                    adequacy=need.adequacy,
                    risk_open=float(weight * r[index[need.scenario]]),
                )
            )
        gaps.extend(mine)
        internal = bool(doms & {"internal", "both"})
        external = bool(doms & {"external", "both"})
        shared = internal and external and (len(cap.needed) > 1 or "both" in doms)
        standing.append(
            CapabilityStanding(
                capability=cap.id,
                risk_open=float(sum(g.risk_open for g in mine)),
                gaps=len(mine),
                needs=len(cap.needed),
                shared=shared,
                domains=tuple(sorted(doms)),
            )
        )
    gaps.sort(key=lambda g: (-g.risk_open, g.capability, g.scenario))
    standing.sort(key=lambda c: (-c.risk_open, c.capability))
    return CapabilityAgenda(gaps=gaps, capabilities=standing)
