"""Coherence of the national and the international strategy, made explicit: flags, a matrix and a
network.

Each flag is a kind and its subjects; the report and the CLI turn it into a plain sentence from
the catalogues (``strategy_flag_<kind>``). The kinds:

``unaddressed``
    a serious risk that no measure (in place or planned) addresses at all;
``phase_gap``
    a serious risk that some measure addresses, with no measure in a phase (nothing to prevent,
    prepare, respond or recover);
``scope``
    a risk of external origin addressed only by national strategies, one of internal origin only
    by international ones, or one of both origins by one side only;
``side_effect``
    a measure whose recorded side effect raises another risk;
``no_lead``
    a measure owned by several ministries without a lead;
``idle_strategy``
    a strategy none of whose measures addresses a serious risk;
``development_unaddressed``
    a development that raises (directly or through a cascade) a risk that is serious once it
    materialises, and that no measure of any strategy addresses.

The matrix sets strategies against scenarios (the risk each strategy's measures remove there,
alone) and against interests (the current risk of the scenarios it addresses, split over the
interests by their share of the impact). The network links developments -> scenarios <-
measures <- strategies; a link *crosses* between national and international when its two ends
belong to different spheres (a development and an international strategy are international, a
national strategy national, a scenario by its origin; a scenario of both origins crosses
nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from nsra.analysis.coherence import PHASES, Coherence
from nsra.engine.inputs import BoolArray, FloatArray
from nsra.model.assessment import Assessment


@dataclass(frozen=True)
class Flag:
    """One coherence finding: its kind and what it is about."""

    kind: str
    scenario: str | None = None
    measure: str | None = None
    strategy: str | None = None
    development: str | None = None
    phase: str | None = None
    detail: dict[str, str] = field(default_factory=dict)


FLAG_KINDS = (
    "unaddressed",
    "phase_gap",
    "scope",
    "side_effect",
    "no_lead",
    "idle_strategy",
    "development_unaddressed",
)


def coherence_flags(
    assessment: Assessment,
    coherence: Coherence,
    serious_with: BoolArray,
    raised: BoolArray,
) -> list[Flag]:
    """``coherence``: the coverage (:func:`nsra.analysis.coherence.coherence`) on the current
    serious flags; ``serious_with`` (D, S): serious once development d materialises; ``raised``
    (D, S): development d raises scenario s, directly or through a cascade."""
    flags: list[Flag] = []
    domain = {s.id: s.domain for s in assessment.scenarios}
    for row in coherence.scenarios:
        if row.serious and not row.measures:
            flags.append(Flag("unaddressed", scenario=row.scenario))
        elif row.serious:
            flags += [
                Flag("phase_gap", scenario=row.scenario, phase=p)
                for p in PHASES
                if not row.phases.get(p)
            ]
        scopes = set(row.scopes)
        if not scopes:
            continue
        d = domain[row.scenario]
        lacking = {
            "external": "international" if scopes == {"national"} else None,
            "internal": "national" if scopes == {"international"} else None,
            "both": next(iter({"national", "international"} - scopes), None),
        }[d]
        if lacking is not None:
            flags.append(
                Flag("scope", scenario=row.scenario, detail={"domain": d, "missing": lacking})
            )
    for m in assessment.measures:
        for se in m.side_effects:
            if se.direction == "raises":
                flags.append(Flag("side_effect", scenario=se.scenario, measure=m.id))
        if len(set(m.owners)) > 1 and m.lead is None:
            flags.append(Flag("no_lead", measure=m.id, detail={"owners": ", ".join(m.owners)}))
    flags += [Flag("idle_strategy", strategy=s) for s in coherence.strategies_without_serious]
    addressed = {r.scenario for r in coherence.scenarios if r.measures}
    ids = [s.id for s in assessment.scenarios]
    for i, dev in enumerate(assessment.developments):
        for s in np.flatnonzero(raised[i] & serious_with[i]):
            if ids[s] not in addressed:
                flags.append(Flag("development_unaddressed", development=dev.id, scenario=ids[s]))
    return flags


@dataclass(frozen=True)
class StrategyMatrix:
    strategies: list[str]
    scenarios: list[str]
    interests: list[str]
    removed: FloatArray  # (T, S) risk the strategy's measures remove there, each alone, summed
    measures: FloatArray  # (T, S) number of the strategy's measures addressing the scenario
    by_interest: FloatArray  # (T, I) current risk addressed, split by interest shares


def strategy_matrix(
    assessment: Assessment,
    interests: list[str],
    alone_by_scenario: FloatArray,
    risk: FloatArray,
    interest_share: FloatArray,
) -> StrategyMatrix:
    """``alone_by_scenario`` (M, S) risk each measure removes alone; ``risk`` (S,) current risk;
    ``interest_share`` (S, I) each interest's share of the scenario's direct impact."""
    strategies = [s.id for s in assessment.strategies]
    ids = [s.id for s in assessment.scenarios]
    col = {sid: i for i, sid in enumerate(ids)}
    t, s_n = len(strategies), len(ids)
    removed = np.zeros((t, s_n))
    count = np.zeros((t, s_n))
    addressed = np.zeros((t, s_n), dtype=bool)
    for mi, m in enumerate(assessment.measures):
        if m.strategy not in strategies:
            continue
        ti = strategies.index(m.strategy)
        removed[ti] += alone_by_scenario[mi]
        for sid in m.scenarios:
            count[ti, col[sid]] += 1
            addressed[ti, col[sid]] = True
    r = np.nan_to_num(risk)
    by_interest = (addressed * r[None, :]) @ np.nan_to_num(interest_share)
    return StrategyMatrix(
        strategies=strategies,
        scenarios=ids,
        interests=interests,
        removed=removed,
        measures=count,
        by_interest=by_interest,
    )


def _sphere_of_domain(domain: str) -> str:
    return {"internal": "national", "external": "international"}.get(domain, "both")


def strategy_network(assessment: Assessment, raised: BoolArray) -> nx.DiGraph:
    """Nodes ``("strategy"|"measure"|"scenario"|"development", id)`` with ``sphere`` and
    ``kind``; edges strategy -> measure -> scenario and development -> scenario, with
    ``crosses`` True when the two ends are of different spheres (neither "both")."""
    g: nx.DiGraph = nx.DiGraph()
    scopes = {s.id: s.scope for s in assessment.strategies}
    for s in assessment.strategies:
        g.add_node(("strategy", s.id), kind="strategy", sphere=s.scope)
    for sc in assessment.scenarios:
        g.add_node(("scenario", sc.id), kind="scenario", sphere=_sphere_of_domain(sc.domain))
    for d in assessment.developments:
        g.add_node(("development", d.id), kind="development", sphere="international")
    for m in assessment.measures:
        sphere = scopes.get(m.strategy, "both")
        g.add_node(("measure", m.id), kind="measure", sphere=sphere)
        if m.strategy in scopes:
            g.add_edge(("strategy", m.strategy), ("measure", m.id))
        for sid in m.scenarios:
            g.add_edge(("measure", m.id), ("scenario", sid))
    ids = [s.id for s in assessment.scenarios]
    for i, d in enumerate(assessment.developments):
        for k in np.flatnonzero(raised[i]):
            g.add_edge(("development", d.id), ("scenario", ids[int(k)]))
    for a, b in g.edges:
        sa, sb = g.nodes[a]["sphere"], g.nodes[b]["sphere"]
        g.edges[a, b]["crosses"] = "both" not in (sa, sb) and sa != sb
    return g
