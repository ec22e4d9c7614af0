"""Coherence flags (each raised by one case and not by a near one), the matrix, the network, and
the capability gap agenda."""

from __future__ import annotations

import numpy as np
import pytest

from nsra.analysis.coherence import coherence
from nsra.analysis.strategy.capabilities import capability_agenda
from nsra.analysis.strategy.flags import (
    FLAG_KINDS,
    Flag,
    coherence_flags,
    strategy_matrix,
    strategy_network,
)
from nsra.model.assessment import Assessment
from tests.analysis.strategy.cases import HEAD, model, scenario

STRATEGIES = (
    "strategies:\n"
    "  - {id: nat, title: N, scope: national, owner: jv}\n"
    "  - {id: int, title: I, scope: international, owner: bz}\n"
)
ALL_PHASES = "".join(
    f"  - {{id: {s}-{p}{'' if st == 'nat' else '-i'}, title: M, owners: [jv], lead: jv, "
    f"strategy: {st}, phase: {p}, scenarios: [{s}]}}\n"
    for s, st in (("ext", "int"), ("inn", "nat"), ("two", "nat"), ("two", "int"))
    for p in ("prevent", "prepare", "respond", "recover")
)


def _assessment(measures: str = ALL_PHASES, extra: str = "") -> Assessment:
    text = (
        HEAD
        + "scenarios:\n"
        + scenario("ext", "C", "external")
        + scenario("inn", "C", "internal")
        + scenario("two", "C", "both")
        + scenario("none", "A", "internal")
        + STRATEGIES
        + "measures:\n"
        + measures
        + extra
    )
    return model(text)[0].assessment


def _flags(
    a: Assessment,
    serious: list[bool],
    serious_with: list[list[bool]] | None = None,
    raised: list[list[bool]] | None = None,
) -> list[Flag]:
    d = len(a.developments)
    sw = np.array(serious_with or [[False] * 4] * d, dtype=bool).reshape(d, 4)
    rs = np.array(raised or [[False] * 4] * d, dtype=bool).reshape(d, 4)
    return coherence_flags(a, coherence(a, np.array(serious)), sw, rs)


SERIOUS = [True, True, True, False]


def kinds(flags: list[Flag]) -> list[str]:
    return [f.kind for f in flags]


def test_a_coherent_set_raises_no_flag() -> None:
    assert _flags(_assessment(), [True, True, True, False]) == []


def test_a_serious_risk_without_a_measure_in_a_phase() -> None:
    no_recovery = "".join(
        line for line in ALL_PHASES.splitlines(keepends=True) if "inn-recover" not in line
    )
    flags = _flags(_assessment(no_recovery), [True, True, True, False])
    assert [(f.kind, f.scenario, f.phase) for f in flags] == [("phase_gap", "inn", "recover")]
    assert _flags(_assessment(no_recovery), [True, False, True, False]) == []  # not serious


def test_a_risk_of_external_origin_addressed_only_at_home() -> None:
    national = ALL_PHASES.replace(
        "strategy: int, phase: prevent, scenarios: [ext]",
        "strategy: nat, phase: prevent, scenarios: [ext]",
    )
    only_home = "".join(
        line.replace("strategy: int", "strategy: nat") if "[ext]" in line else line
        for line in ALL_PHASES.splitlines(keepends=True)
    )
    flags = _flags(_assessment(only_home), SERIOUS)
    assert [(f.kind, f.scenario, f.detail) for f in flags] == [
        ("scope", "ext", {"domain": "external", "missing": "international"})
    ]
    assert _flags(_assessment(national), SERIOUS) == []  # one international measure is enough


def test_an_internal_risk_addressed_only_abroad_and_a_mixed_one_by_one_side() -> None:
    abroad = "".join(
        line.replace("strategy: nat", "strategy: int") if "[inn]" in line else line
        for line in ALL_PHASES.splitlines(keepends=True)
    )
    one_side = "".join(
        line
        for line in ALL_PHASES.splitlines(keepends=True)
        if not ("[two]" in line and "strategy: int" in line)
    )
    f1 = _flags(_assessment(abroad), SERIOUS)
    assert [(f.scenario, f.detail["missing"]) for f in f1] == [("inn", "national")]
    f2 = _flags(_assessment(one_side), SERIOUS)
    assert [(f.scenario, f.detail["missing"]) for f in f2] == [("two", "international")]


def test_a_side_effect_that_raises_another_risk() -> None:
    raises = ALL_PHASES.replace(
        "phase: prevent, scenarios: [inn]}",
        "phase: prevent, scenarios: [inn], side_effects: [{scenario: none, direction: raises}]}",
    )
    lowers = raises.replace("direction: raises", "direction: lowers")
    flags = _flags(_assessment(raises), SERIOUS)
    assert [(f.kind, f.measure, f.scenario) for f in flags] == [
        ("side_effect", "inn-prevent", "none")
    ]
    assert _flags(_assessment(lowers), SERIOUS) == []


def test_a_measure_of_several_ministries_without_a_lead() -> None:
    shared = ALL_PHASES.replace(
        "owners: [jv], lead: jv, strategy: nat, phase: respond, scenarios: [inn]",
        "owners: [jv, bz], strategy: nat, phase: respond, scenarios: [inn]",
    )
    led = shared.replace(
        "owners: [jv, bz], strategy: nat, phase: respond",
        "owners: [jv, bz], lead: bz, strategy: nat, phase: respond",
    )
    flags = _flags(_assessment(shared), SERIOUS)
    assert [(f.kind, f.measure, f.detail) for f in flags] == [
        ("no_lead", "inn-respond", {"owners": "jv, bz"})
    ]
    assert _flags(_assessment(led), SERIOUS) == []


def test_a_strategy_that_addresses_no_serious_risk() -> None:
    a = _assessment()
    flags = _flags(a, [False, True, True, False])  # ext (only the international one) not serious
    assert kinds(flags) == []  # int still addresses "two"
    flags = _flags(a, [False, True, False, False])
    assert [(f.kind, f.strategy) for f in flags] == [("idle_strategy", "int")]


def test_a_development_that_raises_serious_risks_no_strategy_addresses() -> None:
    dev = (
        "developments:\n  - {id: d, title: D, kind: other, effects: "
        "[{scenario: none, likelihood: 1}, {scenario: inn, likelihood: 1}]}\n"
    )
    a = _assessment(extra=dev)
    flags = _flags(a, SERIOUS, [[False, True, False, True]], [[False, True, False, True]])
    assert [(f.kind, f.development, f.scenario) for f in flags] == [
        ("development_unaddressed", "d", "none")  # inn is addressed
    ]
    # raised but not serious then: no flag
    assert _flags(a, SERIOUS, [[False] * 4], [[False, True, False, True]]) == []


def test_a_serious_risk_no_measure_addresses() -> None:
    a = _assessment()
    flags = _flags(a, [True, True, True, True])
    assert [(f.kind, f.scenario) for f in flags] == [("unaddressed", "none")]  # one flag, not four


def test_every_kind_has_a_case() -> None:
    assert set(FLAG_KINDS) == {
        "unaddressed",
        "phase_gap",
        "scope",
        "side_effect",
        "no_lead",
        "idle_strategy",
        "development_unaddressed",
    }


def test_the_matrix_of_strategies_against_scenarios_and_interests() -> None:
    a = _assessment()
    alone = np.arange(16 * 4, dtype=float).reshape(16, 4)
    share = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.2, 0.8]])
    risk = np.array([1.0, 2.0, 4.0, 8.0])
    mx = strategy_matrix(a, ["x", "y"], alone, risk, share)
    assert mx.strategies == ["nat", "int"]
    # nat owns ext? no: measures 0-3 ext(int), 4-7 inn(nat), 8-11 two(nat), 12-15 two(int)
    assert mx.removed[0] == pytest.approx(alone[4:12].sum(axis=0))
    assert mx.removed[1] == pytest.approx(alone[0:4].sum(axis=0) + alone[12:16].sum(axis=0))
    assert mx.measures.tolist() == [[0, 4, 4, 0], [4, 0, 4, 0]]
    # nat addresses inn (2.0) and two (4.0): x = 2*.5 + 4*0, y = 2*.5 + 4*1
    assert mx.by_interest[0] == pytest.approx([1.0, 5.0])
    assert mx.by_interest[1] == pytest.approx([1.0, 4.0])


def test_the_network_draws_links_across_national_and_international_in_their_own_kind() -> None:
    dev = (
        "developments:\n"
        "  - {id: d, title: D, kind: other, effects: [{scenario: inn, likelihood: 1}]}\n"
    )
    a = _assessment(extra=dev)
    g = strategy_network(a, np.array([[False, True, False, False]]))
    assert g.edges[("development", "d"), ("scenario", "inn")]["crosses"]
    assert not g.edges[("strategy", "nat"), ("measure", "inn-prevent")]["crosses"]
    assert not g.edges[("measure", "inn-prevent"), ("scenario", "inn")]["crosses"]
    assert not g.edges[("measure", "two-prevent"), ("scenario", "two")]["crosses"]  # both
    assert not g.edges[("measure", "ext-prevent-i"), ("scenario", "ext")]["crosses"]


CAPS = """capabilities:
  - {id: cyber, title: C, kind: people, owners: [jv], needed: [
      {scenario: ext, phases: [respond], adequacy: insufficient},
      {scenario: inn, phases: [respond, recover], adequacy: partly}]}
  - {id: law, title: L, kind: legal, owners: [jv], needed: [
      {scenario: inn, phases: [prevent], adequacy: insufficient},
      {scenario: none, phases: [prevent], adequacy: sufficient}]}
  - {id: ok, title: O, kind: procedures, owners: [bz], needed: [
      {scenario: two, phases: [prepare], adequacy: sufficient}]}
"""


def test_the_capability_gap_agenda_is_ranked_by_the_risk_left_open() -> None:
    a = _assessment(extra=CAPS)
    agenda = capability_agenda(a, np.array([1.0, 10.0, 5.0, 0.5]))
    assert [(g.capability, g.scenario, g.risk_open) for g in agenda.gaps] == [
        ("law", "inn", 10.0),
        ("cyber", "inn", 5.0),
        ("cyber", "ext", 1.0),
    ]
    assert [(c.capability, c.risk_open, c.gaps) for c in agenda.capabilities] == [
        ("law", 10.0, 1),
        ("cyber", 6.0, 2),
        ("ok", 0.0, 0),
    ]
    # cyber is needed by an external and an internal threat; law by two internal ones; ok by
    # one scenario of both origins
    assert agenda.shared == ["cyber", "ok"]
