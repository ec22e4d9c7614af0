"""The slots of an estimate: what an analyst fills in for one scenario at one intensity level.

A slot is named as the API and the pages name it, and stored as one row of ``estimate_entries``
(or ``consensus_entries``) whose ``criterion`` says which:

=========================  ==============================  ==================================
slot                       stored ``criterion``            what
=========================  ==============================  ==================================
``likelihood``             NULL                            the likelihood today
``likelihood@<horizon>``   ``horizon:<horizon>``           the likelihood at a horizon the
                                                           method declares (``likelihood@2050``)
a criterion id             the criterion id                the impact on that criterion
=========================  ==============================  ==================================

No identifier holds ``@`` or ``:``, so the three never collide.

Completeness. A scenario's slots are, per level of the method, the likelihood, the likelihood
at each horizon of the method and the impact on each criterion; a method without horizons has
no horizon slots. The horizon slots count towards completeness: the BNRA asks the likelihood in
2050 as part of its climate question, and its application counts an expert's climate-change
analysis as finished only when the 2050 probability of all three levels is given. An analyst
who expects no change gives the present value again (where a horizon is left empty the
analysis uses the present likelihood, but the page then shows the scenario as in progress).
"""

from __future__ import annotations

from collections.abc import Iterable

from nsra.model.method import Method
from nsra.server.db.models import HORIZON_PREFIX, EstimateRow

LIKELIHOOD = "likelihood"
AT = "@"
"""Between ``likelihood`` and a horizon id in a slot name."""


class UnknownSlot(ValueError):
    """A slot the method does not have; the message says which slots it has."""


def horizon_slot(horizon: str) -> str:
    """The slot of the likelihood at a horizon: ``likelihood@2050``."""
    return f"{LIKELIHOOD}{AT}{horizon}"


def slot_names(method: Method) -> list[str]:
    """A scenario's slots at one level, in the page's order: the likelihood, the likelihood at
    each horizon, the criteria."""
    return [
        LIKELIHOOD,
        *(horizon_slot(h.id) for h in method.likelihood.horizons),
        *(c.id for c in method.criteria),
    ]


def criterion_of(method: Method, slot: str) -> str | None:
    """The stored ``criterion`` of a slot (None: the present likelihood). Raises
    :class:`UnknownSlot` with a plain message when the method has no such slot."""
    if slot == LIKELIHOOD:
        return None
    horizons = [h.id for h in method.likelihood.horizons]
    if slot.startswith(LIKELIHOOD + AT):
        hid = slot.removeprefix(LIKELIHOOD + AT)
        if hid in horizons:
            return HORIZON_PREFIX + hid
        if not horizons:
            raise UnknownSlot(
                f"method {method.id} has no horizons: {slot!r} cannot be estimated "
                "(only the present likelihood)"
            )
        raise UnknownSlot(
            f"method {method.id} has no horizon {hid!r}; horizons: "
            + ", ".join(horizon_slot(h) for h in horizons)
        )
    criteria = [c.id for c in method.criteria]
    if slot in criteria:
        return slot
    raise UnknownSlot(
        f"{slot!r} is neither likelihood nor a criterion of method {method.id}; slots: "
        + ", ".join(slot_names(method))
    )


def slot_of(criterion: str | None) -> str:
    """The slot of a stored entry's ``criterion``."""
    if criterion is None:
        return LIKELIHOOD
    if criterion.startswith(HORIZON_PREFIX):
        return horizon_slot(criterion.removeprefix(HORIZON_PREFIX))
    return criterion


def slots_per_scenario(method: Method) -> int:
    """How many slots complete a scenario: the slots of a level times the levels."""
    return len(slot_names(method)) * max(1, len(method.intensity_levels))


def filled_slots(method: Method, estimates: Iterable[EstimateRow]) -> int:
    """How many of a scenario's slots ``estimates`` (one analyst's rows) fill: entries of the
    method's slots at the method's levels (an entry the method no longer asks for, such as a
    horizon of a method that has none, is not counted)."""
    names = set(slot_names(method))
    levels: set[str | None] = {lv.id for lv in method.intensity_levels} or {None}
    return len(
        {
            (row.level, slot_of(entry.criterion))
            for row in estimates
            if row.level in levels
            for entry in row.entries
            if slot_of(entry.criterion) in names
        }
    )
