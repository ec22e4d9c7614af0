"""An assessment file into the database, in one transaction.

The file is read and checked by :func:`nsra.io.validate.read_assessment` first; only a valid file
is stored. Everything (the method's registration included) happens in one transaction: when
anything fails, nothing is written and the database is as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session, object_session

from nsra.io.validate import read_assessment
from nsra.model.assessment import (
    Assessment,
    Capability,
    Cascade,
    Consensus,
    Development,
    Measure,
    Scenario,
    ScenarioEstimate,
    Source,
    Strategy,
)
from nsra.server.db import audit, workflow
from nsra.server.db.methods import method_text, register, register_shipped
from nsra.server.db.models import (
    HORIZON_PREFIX,
    AnalystRow,
    AssessmentRow,
    CapabilityOwnerRow,
    CapabilityRow,
    CascadeEntryRow,
    CascadeRow,
    ConsensusEntryRow,
    ConsensusRow,
    DevelopmentRow,
    DevelopmentSourceRow,
    EstimateEntryRow,
    EstimateRow,
    MeasureOwnerRow,
    MeasureRow,
    MeasureScenarioRow,
    MethodRow,
    OrganisationRow,
    ReinforcementRow,
    ScenarioRow,
    ScenarioSourceRow,
    StrategyRow,
    StrategySourceRow,
)
from nsra.server.db.specs import to_spec


def import_file(engine: Engine, path: str) -> int:
    """Read, check and store an assessment file; the new assessment's id.

    Raises :class:`nsra.io.problems.InputError` for a file with problems (nothing is stored).
    """
    loaded = read_assessment(path)
    text, source, shipped = method_text(loaded.assessment.method, relative_to=path)
    with Session(engine) as session, session.begin():
        register_shipped(session)
        method_row = register(session, text, source, shipped)
        row = store_assessment(session, loaded.assessment, method_row)
        record_import(session, row, loaded.assessment, path, user=None)
        return row.id


def record_import(
    session: Session, row: AssessmentRow, a: Assessment, source: str, user: str | None
) -> None:
    """The audit entry of an import: a summary (title, method, counts), not the content."""
    audit.record(
        session,
        assessment_id=row.id,
        action="import",
        entity_table="assessments",
        entity_key=str(row.id),
        new={
            "title": a.title,
            "source": source,
            "method": a.method,
            "scenarios": len(a.scenarios),
            "analysts": len(a.analysts),
            "estimates": sum(len(sc.estimates) for sc in a.scenarios),
            "cascades": len(a.cascades),
            "measures": len(a.measures),
            "developments": len(a.developments),
            "capabilities": len(a.capabilities),
        },
        user=user,
    )


def _sources(items: list[Source], cls: type[Any]) -> list[Any]:
    return [
        cls(position=n, ref=s.ref, title=s.title, url=s.url, date=s.date)
        for n, s in enumerate(items)
    ]


def as_written(items: Sequence[BaseModel]) -> list[Any] | None:
    """Nested items (effects, side effects, needs) as plain JSON in the file's form: the
    fields given, shifts and estimates as written; None for none."""
    plain = [x.model_dump(mode="json", by_alias=True, exclude_defaults=True) for x in items]
    return plain or None


def _entries(item: ScenarioEstimate | Consensus, cls: type[Any]) -> list[Any]:
    """Likelihood first (criterion NULL), then the impact per criterion, in the file's order,
    then the likelihood at each horizon (criterion ``horizon:<id>``, no criterion id can hold a
    colon)."""
    written: list[tuple[str | None, Any]] = []
    if item.likelihood is not None:
        written.append((None, item.likelihood))
    written += list(item.impact.items())
    written += [(HORIZON_PREFIX + hid, spec) for hid, spec in item.horizon.items()]
    return [
        cls(position=n, criterion=criterion, **to_spec(spec).columns())
        for n, (criterion, spec) in enumerate(written)
    ]


# -- one item: fill a new row, or change an existing one in place (its version goes up) -----


def _clear(row: Any, *collections: str) -> None:
    """Empty an existing row's child lists and flush, so that the new children (inserted
    before old ones would be deleted) do not collide with the old on (parent, position)."""
    session = object_session(row)
    if session is not None and row.id is not None:
        for name in collections:
            setattr(row, name, [])
        session.flush()


def fill_scenario(row: ScenarioRow, sc: Scenario, orgs: dict[str, OrganisationRow]) -> ScenarioRow:
    """The scenario's own fields and sources (its estimates, consensus and "reinforces" links
    are filled apart: the links need every scenario's row)."""
    _clear(row, "sources")
    row.title, row.theme, row.domain = sc.title, sc.theme, sc.domain
    row.kind, row.trend, row.horizon = sc.kind, sc.trend, sc.horizon
    row.malicious, row.actor, row.owner = sc.malicious, sc.actor, orgs[sc.owner]
    row.cascade_rule = sc.cascade_rule
    row.description = sc.description
    row.sources = _sources(sc.sources, ScenarioSourceRow)
    return row


def fill_reinforces(row: ScenarioRow, sc: Scenario, scenarios: dict[str, ScenarioRow]) -> None:
    _clear(row, "reinforces")
    row.reinforces = [
        ReinforcementRow(position=k, target=scenarios[other])
        for k, other in enumerate(sc.reinforces)
    ]


def fill_consensus(row: ConsensusRow, c: Consensus) -> ConsensusRow:
    _clear(row, "entries")
    row.level, row.rationale, row.date = c.level, c.rationale, c.date
    row.entries = _entries(c, ConsensusEntryRow)
    return row


def fill_cascade(row: CascadeRow, cz: Cascade, scenarios: dict[str, ScenarioRow]) -> CascadeRow:
    entries: list[CascadeEntryRow] = []
    if cz.levels is not None:
        cells = [(x, y, spec) for x, r in cz.levels.items() for y, spec in r.items()]
        entries = [
            CascadeEntryRow(position=k, cause_level=x, effect_level=y, **to_spec(s).columns())
            for k, (x, y, s) in enumerate(cells)
        ]
    elif cz.probability is not None:
        entries = [CascadeEntryRow(position=0, **to_spec(cz.probability).columns())]
    _clear(row, "entries")
    row.cause, row.effect = scenarios[cz.cause], scenarios[cz.effect]
    row.by_levels = cz.levels is not None
    row.rationale = cz.rationale
    row.entries = entries
    return row


def fill_strategy(row: StrategyRow, st: Strategy, orgs: dict[str, OrganisationRow]) -> StrategyRow:
    _clear(row, "sources")
    row.title, row.scope, row.owner = st.title, st.scope, orgs[st.owner]
    row.description = st.description
    row.sources = _sources(st.sources, StrategySourceRow)
    return row


def fill_measure(
    row: MeasureRow,
    m: Measure,
    orgs: dict[str, OrganisationRow],
    strategies: dict[str, StrategyRow],
    scenarios: dict[str, ScenarioRow],
) -> MeasureRow:
    _clear(row, "owners", "scenarios")
    row.title, row.strategy, row.phase = m.title, strategies[m.strategy], m.phase
    row.description = m.description
    row.lead = None if m.lead is None else orgs[m.lead]
    row.status, row.cost = m.status, m.cost
    row.effects, row.side_effects = as_written(m.effects), as_written(m.side_effects)
    row.owners = [MeasureOwnerRow(position=k, organisation=orgs[o]) for k, o in enumerate(m.owners)]
    row.scenarios = [
        MeasureScenarioRow(position=k, scenario=scenarios[s]) for k, s in enumerate(m.scenarios)
    ]
    return row


def fill_development(row: DevelopmentRow, d: Development) -> DevelopmentRow:
    _clear(row, "sources")
    row.title, row.kind, row.description = d.title, d.kind, d.description
    row.where, row.horizon = d.where, d.horizon
    row.effects = as_written(d.effects) or []
    row.sources = _sources(d.sources, DevelopmentSourceRow)
    return row


def fill_capability(
    row: CapabilityRow, c: Capability, orgs: dict[str, OrganisationRow]
) -> CapabilityRow:
    _clear(row, "owners")
    row.title, row.kind, row.description = c.title, c.kind, c.description
    row.owners = [
        CapabilityOwnerRow(position=k, organisation=orgs[o]) for k, o in enumerate(c.owners)
    ]
    row.needed = as_written(c.needed)
    return row


def store_assessment(session: Session, a: Assessment, method_row: MethodRow) -> AssessmentRow:
    """Add the rows of an assessment to the session, flushing section by section; link its
    analysts to the users of the same name and assign them the scenarios they estimated
    (:mod:`nsra.server.db.workflow`).

    The caller owns the transaction (a failure part way leaves flushed rows to its rollback).
    """
    row = AssessmentRow(
        title=a.title,
        method_ref=a.method,
        method=method_row,
        date=a.date,
        classification=a.classification,
        description=a.description,
        illustrative=a.illustrative,
        measures_basis=a.measures_basis,
        themes=[t.model_dump(exclude_none=True) for t in a.themes] or None,
    )
    session.add(row)
    # Lists first, look-ups second: a repeated id gives two rows, and the unique constraint
    # (assessment_id, key) refuses them, rather than one silently replacing the other.
    row.organisations = [
        OrganisationRow(key=o.id, position=n, name=o.name) for n, o in enumerate(a.organisations)
    ]
    orgs = {o.key: o for o in row.organisations}
    row.analysts = [
        AnalystRow(key=x.id, position=n, name=x.name, organisation=orgs[x.organisation])
        for n, x in enumerate(a.analysts)
    ]
    analysts = {x.key: x for x in row.analysts}
    session.flush()

    row.scenarios = [
        fill_scenario(
            ScenarioRow(
                key=sc.id,
                position=n,
                estimates=[
                    EstimateRow(
                        position=k,
                        analyst=analysts[e.analyst],
                        level=e.level,
                        rationale=e.rationale,
                        entries=_entries(e, EstimateEntryRow),
                    )
                    for k, e in enumerate(sc.estimates)
                ],
                consensus=[
                    fill_consensus(ConsensusRow(position=k), c) for k, c in enumerate(sc.consensus)
                ],
            ),
            sc,
            orgs,
        )
        for n, sc in enumerate(a.scenarios)
    ]
    scenarios = {s.key: s for s in row.scenarios}
    for sc, sc_row in zip(a.scenarios, row.scenarios, strict=True):
        fill_reinforces(sc_row, sc, scenarios)
    session.flush()

    row.cascades = [
        fill_cascade(CascadeRow(position=n), cz, scenarios) for n, cz in enumerate(a.cascades)
    ]
    session.flush()

    row.strategies = [
        fill_strategy(StrategyRow(key=st.id, position=n), st, orgs)
        for n, st in enumerate(a.strategies)
    ]
    strategies = {s.key: s for s in row.strategies}
    row.measures = [
        fill_measure(MeasureRow(key=m.id, position=n), m, orgs, strategies, scenarios)
        for n, m in enumerate(a.measures)
    ]
    row.developments = [
        fill_development(DevelopmentRow(key=d.id, position=n), d)
        for n, d in enumerate(a.developments)
    ]
    row.capabilities = [
        fill_capability(CapabilityRow(key=c.id, position=n), c, orgs)
        for n, c in enumerate(a.capabilities)
    ]
    session.flush()
    workflow.link_analysts_by_name(session, row)
    workflow.assign_from_estimates(session, row)
    return row
