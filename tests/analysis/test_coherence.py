"""Coherence of strategies and measures with the risk picture (nsra.analysis.coherence)."""

from __future__ import annotations

import numpy as np
import pytest

from nsra.analysis.coherence import PHASES, coherence
from nsra.engine.compute import compute
from nsra.io.validate import Loaded, read_assessment
from nsra.model.assessment import Assessment
from tests.helpers import EXAMPLES, parse

# four scenarios; a national and an international strategy; serious flags are given
TEXT = """
title: coherence
method: uk-nsra-2023
date: 2025-01-01
classification: test
organisations: [{id: bz, name: BZ}, {id: def, name: DEF}, {id: jv, name: JV}]
scenarios:
  - {id: a, title: A, theme: t, domain: external, malicious: true, owner: def}
  - {id: b, title: B, theme: t, domain: internal, malicious: false, owner: jv}
  - {id: c, title: C, theme: t, domain: both, malicious: true, owner: jv}
  - {id: d, title: D, theme: t, domain: internal, malicious: false, owner: jv}
strategies:
  - {id: nat, title: National, scope: national, owner: jv}
  - {id: intl, title: International, scope: international, owner: bz}
  - {id: idle, title: Idle, scope: national, owner: jv}
measures:
  - {id: m1, title: M1, owners: [def, bz], strategy: intl, phase: prevent, scenarios: [a]}
  - {id: m2, title: M2, owners: [jv], strategy: nat, phase: prepare, scenarios: [a, b]}
  - {id: m3, title: M3, owners: [jv, jv], strategy: idle, phase: recover, scenarios: [d]}
"""


def _assessment() -> Assessment:
    loaded: Loaded = parse(TEXT)
    return loaded.assessment


def test_gaps_are_serious_risks_no_measure_addresses() -> None:
    c = coherence(_assessment(), np.array([True, True, True, False]))
    assert c.gaps == ["c"]  # a and b are addressed, d is not serious
    assert c.coverage("c").gap and not c.coverage("d").gap


def test_where_the_national_and_the_international_strategy_meet() -> None:
    c = coherence(_assessment(), np.array([True, False, False, False]))
    assert c.shared == ["a"]
    cov = c.coverage("a")
    assert cov.scopes == ["international", "national"]
    assert cov.strategies == ["intl", "nat"]
    assert cov.owners == ["bz", "def", "jv"]


def test_phases_and_the_phases_nothing_covers() -> None:
    c = coherence(_assessment(), np.zeros(4, dtype=bool))
    cov = c.coverage("a")
    assert cov.phases == {"prevent": ["m1"], "prepare": ["m2"], "respond": [], "recover": []}
    assert cov.missing_phases == ["respond", "recover"]
    assert c.coverage("c").missing_phases == list(PHASES)


def test_measures_with_several_owners_count_distinct_owners() -> None:
    c = coherence(_assessment(), np.zeros(4, dtype=bool))
    assert c.multi_owner_measures == ["m1"]  # m3 names jv twice: one owner


def test_strategies_that_address_no_serious_risk() -> None:
    c = coherence(_assessment(), np.array([False, True, False, False]))
    assert c.strategies_without_serious == ["intl", "idle"]  # nat addresses b
    c = coherence(_assessment(), np.zeros(4, dtype=bool))
    assert c.strategies_without_serious == ["nat", "intl", "idle"]


def test_one_serious_flag_per_scenario() -> None:
    with pytest.raises(ValueError, match="one serious flag per scenario"):
        coherence(_assessment(), np.array([True, False]))


def test_unknown_scenario_coverage_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        coherence(_assessment(), np.zeros(4, dtype=bool)).coverage("zz")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_gaps_follow_the_engines_serious_flags(path: object) -> None:
    loaded = read_assessment(str(path))
    results = compute(loaded.inputs, loaded.method)
    c = coherence(loaded.assessment, results.serious)
    addressed = {
        s for m in loaded.assessment.measures if m.status != "proposed" for s in m.scenarios
    }
    expected = [
        sc.id
        for sc, flag in zip(loaded.assessment.scenarios, results.serious, strict=True)
        if flag and sc.id not in addressed
    ]
    assert c.gaps == expected


def test_a_proposed_measure_does_not_address_a_risk_yet() -> None:
    text = (
        TEXT
        + "  - {id: m4, title: M4, owners: [jv], strategy: nat, phase: prevent, scenarios: [c],"
        + " status: proposed}\n"
    )
    c = coherence(parse(text).assessment, np.array([True, True, True, False]))
    assert c.gaps == ["c"]
    planned = text.replace("status: proposed", "status: planned")
    assert coherence(parse(planned).assessment, np.array([True, True, True, False])).gaps == []
