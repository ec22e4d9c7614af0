"""The slots of a scenario (nsra.server.db.slots): names, the stored criterion of each, and how
many one analyst filled, with horizon slots only where the method declares horizons."""

from __future__ import annotations

import pytest

from nsra.io.methods import load_method
from nsra.server.db.models import EstimateEntryRow, EstimateRow
from nsra.server.db.slots import (
    UnknownSlot,
    criterion_of,
    filled_slots,
    slot_names,
    slot_of,
    slots_per_scenario,
)

BNRA = load_method("be-bnra-2023")
UK = load_method("uk-nsra-2023")
TEN = ["Ha", "Hb", "Hc", "Sa", "Sb", "Sc", "Sd", "Ea", "Fa", "Fb"]


def _row(level: str | None, *criteria: str | None) -> EstimateRow:
    return EstimateRow(
        level=level,
        entries=[EstimateEntryRow(position=n, criterion=c) for n, c in enumerate(criteria)],
    )


def test_slot_names_and_what_they_store() -> None:
    assert slot_names(BNRA) == ["likelihood", "likelihood@2050", *TEN]
    assert criterion_of(BNRA, "likelihood") is None
    assert criterion_of(BNRA, "likelihood@2050") == "horizon:2050"
    assert criterion_of(BNRA, "Sc") == "Sc"
    for stored in (None, "horizon:2050", "Sc"):
        assert criterion_of(BNRA, slot_of(stored)) == stored
    with pytest.raises(UnknownSlot, match="no horizon '2100'; horizons: likelihood@2050"):
        criterion_of(BNRA, "likelihood@2100")
    with pytest.raises(UnknownSlot, match="has no horizons"):
        criterion_of(UK, "likelihood@2050")
    with pytest.raises(UnknownSlot, match="neither likelihood nor a criterion"):
        criterion_of(BNRA, "horizon:2050")
    assert "likelihood@2050" not in slot_names(UK)


def test_horizon_slots_count_only_where_the_method_has_horizons() -> None:
    # the BNRA: three levels of (likelihood, likelihood in 2050, ten criteria)
    assert slots_per_scenario(BNRA) == 3 * 12
    levels = [lv.id for lv in UK.intensity_levels]
    assert slots_per_scenario(UK) == max(1, len(levels)) * (1 + len(UK.criteria))
    one = _row("major", None, "horizon:2050", "Ha", "Hb")
    assert filled_slots(BNRA, [one]) == 4
    assert filled_slots(BNRA, [one, _row("extreme", None, *TEN)]) == 4 + 11
    # a horizon entry of a method without horizons, and a level the method lacks: not counted
    uk_level = levels[0] if levels else None
    crit = UK.criteria[0].id
    assert filled_slots(UK, [_row(uk_level, None, "horizon:2050", crit)]) == 2
    assert filled_slots(BNRA, [_row("catastrophic", None, "Ha")]) == 0
    assert filled_slots(BNRA, [_row("major", "Zz")]) == 0
