"""Changes since the previous edition (nsra.analysis.editions): exact changes on small pairs of
hand-made files, and invariants on the shipped examples."""

from __future__ import annotations

from pathlib import Path

import pytest

import nsra
from nsra.analysis.editions import (
    AnalystChange,
    EditionChanges,
    Item,
    LevelChange,
    MeasureChange,
    ScenarioChange,
    SlotChange,
    Standing,
    compare_editions,
    written,
)
from tests.helpers import BNRA_BASE, EXAMPLES, NL_BASE, example_id, parse, replace_once


def changes(old_text: str, new_text: str) -> EditionChanges:
    old, new = parse(old_text), parse(new_text)
    return compare_editions(old, nsra.compute(old), new, nsra.compute(new))


def scenario(found: EditionChanges, sid: str) -> ScenarioChange:
    return next(c for c in found.scenarios if c.id == sid)


ATTACK_LIKELIHOOD = "      - analyst: a1\n        likelihood: D\n"


def test_the_same_file_has_no_changes() -> None:
    found = changes(NL_BASE, NL_BASE)
    assert not found.changed
    assert found.same_method
    assert found.moves == ()
    assert [c.id for c in found.scenarios] == ["attack", "flood"]  # in rank order
    assert not any(c.changed for c in found.scenarios)


def test_one_analyst_lowers_a_likelihood_two_classes() -> None:
    new = replace_once(NL_BASE, ATTACK_LIKELIHOOD, "      - analyst: a1\n        likelihood: B\n")
    found = changes(NL_BASE, new)
    attack, flood = scenario(found, "attack"), scenario(found, "flood")
    assert attack.causes == (
        SlotChange(
            level=None,
            slot="likelihood",
            old_class="D",
            new_class="B",
            old_position=4.0,
            new_position=2.0,
            old_consensus=None,
            new_consensus=None,
            analysts=(AnalystChange("a1", "D", "B"),),
        ),
    )
    assert (attack.old.rank, attack.new.rank, attack.moved) == (1, 2, -1)
    assert (attack.old.likelihood, attack.new.likelihood) == ("D", "B")
    assert attack.old.impact == attack.new.impact == "B"
    # nl-snv: a likelihood class is a factor 10 in probability; risk is probability x impact
    assert attack.old.risk is not None and attack.new.risk is not None
    assert attack.new.risk == pytest.approx(attack.old.risk / 100, rel=1e-12)
    # the flood moved up only because the attack moved down: no estimate of its own changed
    assert (flood.old.rank, flood.new.rank, flood.moved) == (2, 1, 1)
    assert flood.causes == () and flood.shifted and flood.old.risk == flood.new.risk
    assert [c.id for c in found.moves] == ["flood", "attack"]  # the new rank order


def test_a_new_consensus_is_the_cause_and_no_analyst_changed() -> None:
    new = replace_once(
        NL_BASE,
        "  - id: attack\n",
        "    consensus:\n      - likelihood: E\n  - id: attack\n",
    )
    flood = scenario(changes(NL_BASE, new), "flood")
    # before: the median of a1's C (3) and a2's B..C (centre 2.5) is 2.75, class C
    assert flood.causes == (SlotChange(None, "likelihood", "C", "E", 2.75, 5.0, None, "E", ()),)
    assert (flood.old.likelihood, flood.new.likelihood) == ("C", "E")


def test_writing_an_estimate_out_in_full_is_no_change() -> None:
    new = replace_once(
        NL_BASE,
        ATTACK_LIKELIHOOD,
        "      - analyst: a1\n        likelihood: {class: D, rationale: same}\n",
    )
    assert not changes(NL_BASE, new).changed


def test_an_analyst_change_outweighed_by_the_consensus_is_no_cause() -> None:
    with_consensus = replace_once(
        NL_BASE, "  - id: attack\n", "    consensus:\n      - likelihood: E\n  - id: attack\n"
    )
    new = replace_once(with_consensus, "        likelihood: C\n", "        likelihood: A\n")
    assert not scenario(changes(with_consensus, new), "flood").causes


def test_scenarios_added_and_removed_by_id_with_titles() -> None:
    without_attack = NL_BASE[: NL_BASE.index("  - id: attack\n")]
    storm = (
        "  - id: storm\n    title: {en: Storm, nl: Storm}\n    theme: weather\n"
        "    domain: internal\n    malicious: false\n    owner: jenv\n"
        "    estimates:\n      - analyst: a2\n        likelihood: B\n"
        '        impact: {"2.1": D}\n'
    )
    found = changes(NL_BASE, without_attack + storm)
    assert found.removed == (Item("attack", "Attack"),)
    assert found.added == (Item("storm", {"en": "Storm", "nl": "Storm"}),)
    assert [c.id for c in found.scenarios] == ["flood"]
    flood = scenario(found, "flood")
    # the cascade from the flood went with the attack: the flood's own risk is the same, and it
    # leads now (the storm's risk is lower)
    assert flood.causes == () and flood.old.risk == flood.new.risk
    assert (flood.old.rank, flood.new.rank) == (2, 1)


def test_measures_completed_added_removed_and_strategies() -> None:
    old = replace_once(
        NL_BASE, "    scenarios: [flood]\n", "    scenarios: [flood]\n    status: planned\n"
    )
    new = replace_once(
        NL_BASE,
        "    scenarios: [flood]\n",
        "    scenarios: [flood]\n"
        "  - id: m2\n    title: Dikes\n    owners: [jenv]\n    strategy: cts\n    phase: prevent\n"
        "    scenarios: [flood]\n    status: proposed\n",
    )
    new = replace_once(
        new,
        "measures:\n",
        "  - id: cts\n    title: Climate strategy\n    scope: international\n    owner: bz\n"
        "measures:\n",
    )
    found = changes(old, new)
    assert found.measures == (
        MeasureChange("m1", "A measure", "planned", "in_place"),
        MeasureChange("m2", "Dikes", None, "proposed"),
    )
    assert [m.kind for m in found.measures] == ["completed", "added"]
    assert found.strategies_added == (Item("cts", "Climate strategy"),)
    back = changes(new, old)  # the other way: removed, and a status that left in_place
    assert back.measures == (
        MeasureChange("m1", "A measure", "in_place", "planned"),
        MeasureChange("m2", "Dikes", "proposed", None),
    )
    assert [m.kind for m in back.measures] == ["status", "removed"]
    assert back.strategies_removed == (Item("cts", "Climate strategy"),)
    assert all(not c.changed for c in found.scenarios)


def test_levels_and_slots_per_level() -> None:
    new = replace_once(
        BNRA_BASE,
        '        level: extreme\n        likelihood: "3"\n        impact: {Fa: "3", Ha: "2"}\n',
        '        level: extreme\n        likelihood: "3"\n        impact: {Fa: "5", Ha: "2"}\n',
    )
    found = changes(BNRA_BASE, new)
    flood = scenario(found, "flood")
    assert [(x.level, x.slot, x.old_class, x.new_class) for x in flood.causes] == [
        ("extreme", "Fa", "3", "5")
    ]
    assert flood.causes[0].analysts == (AnalystChange("a1", "3", "5"),)
    assert [lv.level for lv in flood.levels] == ["extreme"]
    level = flood.levels[0]
    assert isinstance(level, LevelChange)
    assert level.old_likelihood == level.new_likelihood == "3"
    assert level.old_impact != level.new_impact
    assert flood.new.level == "extreme"  # the level the diagram shows


def test_another_method_is_said_and_still_compared() -> None:
    found = changes(NL_BASE, BNRA_BASE)
    assert not found.same_method and found.changed
    assert found.old_method[0] == "nl-snv" and found.new_method[0] == "be-bnra-2023"
    assert [c.id for c in found.scenarios] == ["flood"]
    assert found.removed == (Item("attack", "Attack"),)
    assert found.added == (Item("sabotage", "Sabotage"),)
    flood = scenario(found, "flood")
    # slots of the new method only: nothing before, the new class now, the analyst who gave it
    fa = next(x for x in flood.causes if (x.level, x.slot) == ("extreme", "Fa"))
    assert (fa.old_class, fa.new_class, fa.old_position, fa.new_position) == (None, "3", None, 3.0)
    assert fa.analysts == (AnalystChange("a1", None, "3"),)
    # and the slots of the old method only: the old class, nothing now
    old_21 = next(x for x in flood.causes if (x.level, x.slot) == (None, "2.1"))
    assert (old_21.old_class, old_21.new_class) == ("C", None)


def test_written() -> None:
    specs = ("C", "C..D", 3, {"value": 12.5}, {"class": "B", "rationale": "r"}, None)
    assert [written(x) for x in specs] == ["C", "C..D", "3", "12.5", "B", None]


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_an_example_against_itself_and_the_two_ways(path: Path) -> None:
    loaded = nsra.read(str(path))
    results = nsra.compute(loaded)
    same = compare_editions(loaded, results, loaded, results)
    assert not same.changed
    assert [c.new for c in same.scenarios] == [c.old for c in same.scenarios]
    first = same.scenarios[0].new
    assert isinstance(first, Standing) and first.rank == 1


def test_the_two_ways_mirror_each_other() -> None:
    new = replace_once(NL_BASE, ATTACK_LIKELIHOOD, "      - analyst: a1\n        likelihood: B\n")
    new = new[: new.index("cascades:\n")]  # and the cascade removed
    ahead, back = changes(NL_BASE, new), changes(new, NL_BASE)
    there = {c.id: c for c in ahead.scenarios}
    for c in back.scenarios:
        assert (c.old, c.new) == (there[c.id].new, there[c.id].old)
        assert c.moved == -(there[c.id].moved or 0)
        assert [(x.slot, x.new_class, x.old_class) for x in c.causes] == [
            (x.slot, x.old_class, x.new_class) for x in there[c.id].causes
        ]
