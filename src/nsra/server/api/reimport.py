"""A workbook imported as a new version of an existing assessment: the live content replaced,
in one transaction, by the workbook's, then published as a version.

Decisions (read before changing):

* **Checked once, as a whole.** The workbook is read and checked as ``nsra excel import``
  does (:func:`nsra.io.excel.import_workbook`: every problem at once, with its sheet and
  cell) against the assessment's own method; that is the file checker every item endpoint
  runs (:func:`nsra.io.validate.parse_assessment`). It is not run again per item: an import
  changes several items that only agree with each other at the end (a scenario made
  malicious and its likelihood estimates on the malicious scale), which one-by-one checks of
  the half-changed assessment would refuse. A workbook for another method is 422, naming both.
* **Written by the item writers.** Each item is written by the functions the item endpoints
  use (:mod:`nsra.server.api.content`'s descriptors and :mod:`nsra.server.db.importing`'s
  ``fill_*``), and each change is recorded in the audit trail with the same action as the
  item endpoints (``scenarios.update``, ``estimate.update``, ...), its rationale "Imported
  from workbook NAME"; one ``import`` entry sums it up (who, the file's name, the counts).
* **Ids persist.** An item whose id (a scenario's, an analyst's; a cascade's cause and effect;
  an estimate's analyst, level and slot; a consensus's level) is in the workbook and in the
  assessment is changed in place, and only when it differs: its row keeps its id (so its
  round history, assignments and submissions stay) and its version goes up only when it
  changed. Items only in the workbook are added (an analyst whose id is a user's name is
  linked to that user, and analysts are assigned the scenarios they have new estimates of,
  as on every import). Order follows the workbook.
* **Removal.** An item only in the assessment is removed as removing it one by one removes
  it (with its estimates, consensus and assignments). But removing a scenario or an analyst
  erases their submission records of the past Delphi rounds (the database removes them with
  the row), and an import is too broad a stroke for that: the import is then refused (409),
  naming the scenarios and analysts concerned, and nothing is written. Keep them in the
  workbook, or remove a scenario on its own page first, deliberately.
* **Not during a round.** While a Delphi round is open the import is refused (409): it would
  change analysts' estimates mid-round and publish a version that shows every estimate to
  every member, while the analysts' estimates must stay independent.
* **Then published.** In the same transaction the assessment is published as a new version
  (:func:`nsra.server.db.versions.publish`) with the note "Imported from workbook NAME", so
  comparing it with the version before shows what the import changed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, Problem
from nsra.io.validate import parse_assessment
from nsra.model.assessment import Assessment, Consensus, ScenarioEstimate
from nsra.model.method import Method
from nsra.server.api.access import assessment_for
from nsra.server.api.content import (
    CAPABILITIES,
    DEVELOPMENTS,
    MEASURES,
    SCENARIOS,
    STRATEGIES,
    Keyed,
    _lookups,
    _touch,
)
from nsra.server.api.workflow import _analyst_item
from nsra.server.db import audit
from nsra.server.db import versions as vs
from nsra.server.db import workflow as wf
from nsra.server.db.access import UserRow
from nsra.server.db.exporting import (
    assessment_data,
    cascade_item,
    consensus_item,
    scenario_item,
)
from nsra.server.db.importing import _entries, fill_cascade, fill_consensus, fill_scenario
from nsra.server.db.methods import method_of
from nsra.server.db.models import (
    AnalystRow,
    AssessmentRow,
    CascadeRow,
    ConsensusRow,
    EstimateEntryRow,
    EstimateRow,
    OrganisationRow,
    ScenarioRow,
)
from nsra.server.db.specs import row_spec

KINDS = (
    "assessment",
    "organisations",
    "analysts",
    "scenarios",
    "estimates",
    "consensus",
    "cascades",
    "strategies",
    "measures",
    "developments",
    "capabilities",
)
"""What the counts of an import are of (estimates: one per slot, as the estimate endpoint)."""

_TABLES = {"estimate": "estimate_entries"}  # as the estimate endpoint records them
_COUNTED = {"estimate": "estimates", "measures_basis": "assessment", "themes": "assessment"}
_SPEC = ("kind", "mapping", "class_code", "number", "integral", "rationale")


def note_of(name: str) -> str:
    """The note of the version an import publishes."""
    return f"Imported from workbook {name}"


def method_for(row: AssessmentRow) -> Callable[[str], Method]:
    """The method a workbook names, which must be the assessment's (else 422 saying both)."""
    own = method_of(row.method)

    def find(ref: str) -> Method:
        if ref in (row.method_ref, own.id):
            return own
        raise InputError(
            [
                Problem(
                    f"the workbook is for method {ref!r}, but assessment {row.id} uses method "
                    f"{own.id!r}: export a workbook of this assessment and fill that in"
                )
            ]
        )

    return find


@dataclass
class Counts:
    """Per kind: how many items were added, changed and removed."""

    done: dict[str, dict[str, int]] = field(
        default_factory=lambda: {k: {"added": 0, "changed": 0, "removed": 0} for k in KINDS}
    )

    def add(self, kind: str, what: str, n: int = 1) -> None:
        self.done[kind][what] += n

    def as_json(self) -> Json:
        return {k: dict(v) for k, v in self.done.items()}


@dataclass
class Replace:
    """One import: the session, who, the assessment, its content before and the workbook's."""

    s: Session
    user: UserRow
    row: AssessmentRow
    old: Assessment
    new: Assessment
    source: str
    counts: Counts = field(default_factory=Counts)

    @property
    def why(self) -> str:
        return note_of(self.source)

    def record(self, kind: str, key: str, old: Any, new: Any, scenario: str | None = None) -> None:
        """An audit entry as the item endpoints write it, and the count."""
        verb = "create" if old is None else ("delete" if new is None else "update")
        audit.record(
            self.s,
            assessment_id=self.row.id,
            action=f"{kind}.{verb}",
            entity_table=_TABLES.get(kind, kind),
            entity_key=key,
            old=old,
            new=new,
            user=self.user.name,
            scenario=scenario,
            rationale=self.why,
        )
        what = "added" if old is None else ("removed" if new is None else "changed")
        self.counts.add(_COUNTED.get(kind, kind), what)


def positions(stored: Sequence[int | None]) -> list[int]:
    """Positions for items in their new order, ``stored`` the ones they have (None: a new
    item): increasing, and a stored position kept wherever the order allows, so that removing
    an item does not move (and change the version of) every item after it."""
    below: list[float] = [math.inf] * (len(stored) + 1)  # the least stored position after n
    for n in range(len(stored) - 1, -1, -1):
        at = stored[n]
        below[n] = min(below[n + 1], math.inf if at is None else at)
    out: list[int] = []
    for n, at in enumerate(stored):
        previous = out[-1] if out else -1
        fits = at is not None and previous < at < below[n + 1]
        out.append(at if fits and at is not None else previous + 1)
    return out


def _by_key(items: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, Any]:
    return {key(x): x for x in items}


# -- the assessment's own fields, organisations, analysts ----------------------------------


def _assessment(r: Replace) -> None:
    row, new = r.row, r.new
    fields: dict[str, tuple[Any, Any]] = {
        "title": (row.title, new.title),
        "date": (row.date, new.date),
        "classification": (row.classification, new.classification),
        "description": (row.description, new.description),
        "illustrative": (row.illustrative, new.illustrative),
    }
    changed = {k: v for k, v in fields.items() if v[0] != v[1]}
    if changed:
        for name, (_old, value) in changed.items():
            setattr(row, name, value)
        plain = {k: (o.isoformat() if k == "date" else o) for k, (o, _n) in changed.items()}
        now = {k: (v.isoformat() if k == "date" else v) for k, (_o, v) in changed.items()}
        r.record("assessment", str(row.id), plain, now)
    if row.measures_basis != new.measures_basis:
        old = {"measures_basis": row.measures_basis}
        row.measures_basis = new.measures_basis
        r.record("measures_basis", str(row.id), old, {"measures_basis": row.measures_basis})
    themes = [t.model_dump(exclude_none=True) for t in new.themes] or None
    if (row.themes or None) != themes:
        old_themes = {"themes": row.themes or []}
        row.themes = themes
        r.record("themes", str(row.id), old_themes, {"themes": themes or []})
    r.s.flush()


def _organisations(r: Replace) -> dict[str, OrganisationRow]:
    rows = _by_key(r.row.organisations, lambda o: o.key)
    at = positions([rows[o.id].position if o.id in rows else None for o in r.new.organisations])
    for n, o in enumerate(r.new.organisations):
        target = rows.get(o.id)
        if target is None:
            target = OrganisationRow(assessment_id=r.row.id, key=o.id, position=at[n], name=o.name)
            r.s.add(target)
            rows[o.id] = target
            r.record("organisations", o.id, None, o.model_dump(mode="json", exclude_none=True))
        elif target.name != o.name or target.position != at[n]:
            old = {"id": o.id, "name": target.name}
            target.name, target.position = o.name, at[n]
            if old["name"] != o.name:
                r.record("organisations", o.id, old, {"id": o.id, "name": o.name})
    r.s.flush()
    return rows


def _analysts(r: Replace, orgs: dict[str, OrganisationRow]) -> dict[str, AnalystRow]:
    rows = _by_key(r.row.analysts, lambda a: a.key)
    at = positions([rows[a.id].position if a.id in rows else None for a in r.new.analysts])
    for n, a in enumerate(r.new.analysts):
        target = rows.get(a.id)
        old = None if target is None else _analyst_item(target)
        if target is None:
            target = AnalystRow(assessment_id=r.row.id, key=a.id, position=at[n])
            r.s.add(target)
            rows[a.id] = target
        target.position = at[n]
        target.name, target.organisation = a.name, orgs[a.organisation]
        new = _analyst_item(target)
        if new != old:
            r.record("analysts", a.id, old, new)
    r.s.flush()
    return rows


# -- scenarios and what hangs on them ------------------------------------------------------


def _without(model: BaseModel, managed: tuple[str, ...]) -> BaseModel:
    return model.model_copy(update={f: [] for f in managed})


def _keyed(r: Replace, kind: Keyed) -> None:
    """Add and change the items of one kind (removal comes last: see :func:`_remove`)."""
    old = _by_key(getattr(r.old, kind.section), lambda x: x.id)
    rows: dict[str, Any] = _by_key(
        r.s.scalars(select(kind.cls).where(kind.cls.assessment_id == r.row.id)), lambda x: x.key
    )
    items = getattr(r.new, kind.section)
    at = positions([rows[x.id].position if x.id in rows else None for x in items])
    made: dict[str, Any] = {}
    if kind is SCENARIOS:  # new scenarios' rows first: the "reinforces" links need them all
        orgs = _lookups(r.s, r.row.id).orgs
        for n, item in enumerate(items):
            if item.id not in rows:
                made[item.id] = ScenarioRow(key=item.id, position=at[n], assessment_id=r.row.id)
                r.s.add(fill_scenario(made[item.id], item, orgs))
        r.s.flush()
    look = _lookups(r.s, r.row.id)
    for n, item in enumerate(items):
        target = rows.get(item.id)
        if target is None:
            target = made.get(item.id) or kind.cls(
                key=item.id, position=at[n], assessment_id=r.row.id
            )
            kind.fill(target, item, look)
            r.s.add(target)
            _touch(r.s, target)
            r.record(kind.section, item.id, None, kind.export(target))
            continue
        same = _without(old[item.id], kind.managed) == _without(item, kind.managed)
        if same and target.position == at[n]:
            continue
        before = kind.export(target)
        target.position = at[n]
        kind.fill(target, item, look)
        _touch(r.s, target)
        if not same:
            r.record(kind.section, item.id, before, kind.export(target))


def _estimates(
    r: Replace, sc: ScenarioRow, items: list[ScenarioEstimate], analysts: dict[str, AnalystRow]
) -> set[tuple[int, int]]:
    """The scenario's estimates as in the workbook, slot by slot; the (analyst, scenario) pairs
    of new estimates."""
    rows = _by_key(sc.estimates, lambda e: (e.analyst.key, e.level))
    keep = {(e.analyst, e.level) for e in items}
    pairs: set[tuple[int, int]] = set()

    def slot_key(e: EstimateRow, criterion: str | None) -> str:
        return f"{sc.key}/{e.analyst.key}/{e.level or ''}/{criterion or 'likelihood'}"

    for (analyst, level), est in list(rows.items()):
        if (analyst, level) not in keep:
            for entry in est.entries:
                r.record("estimate", slot_key(est, entry.criterion), row_spec(entry), None, sc.key)
            sc.estimates.remove(est)
    at = positions(
        [
            rows[(e.analyst, e.level)].position if (e.analyst, e.level) in rows else None
            for e in items
        ]
    )
    for n, e in enumerate(items):
        est = rows.get((e.analyst, e.level))
        if est is None:
            est = EstimateRow(position=at[n], analyst=analysts[e.analyst], level=e.level)
            sc.estimates.append(est)
            pairs.add((analysts[e.analyst].id, sc.id))
        est.position = at[n]
        if est.id is not None and est.rationale != e.rationale:  # the estimate's own rationale
            old = {"rationale": est.rationale}
            est.rationale = e.rationale
            r.record(
                "estimate", slot_key(est, "rationale"), old, {"rationale": e.rationale}, sc.key
            )
        elif est.id is None:
            est.rationale = e.rationale
        _entries_of(r, sc, est, e, slot_key)
    r.s.flush()
    return pairs


def _entries_of(
    r: Replace,
    sc: ScenarioRow,
    est: EstimateRow,
    e: ScenarioEstimate,
    slot_key: Callable[[EstimateRow, str | None], str],
) -> None:
    """One estimate's slots: a changed slot is changed in place (its version goes up), a new one
    added, one no longer given removed."""
    wanted: list[EstimateEntryRow] = _entries(e, EstimateEntryRow)
    stored = _by_key(est.entries, lambda x: x.criterion)
    given = {x.criterion for x in wanted}
    for criterion, entry in stored.items():
        if criterion not in given:
            r.record("estimate", slot_key(est, criterion), row_spec(entry), None, sc.key)
            est.entries.remove(entry)
    for fresh in wanted:
        entry = stored.get(fresh.criterion)
        if entry is None:
            est.entries.append(fresh)
            r.s.flush()
            r.record("estimate", slot_key(est, fresh.criterion), None, row_spec(fresh), sc.key)
            continue
        # the written form compared as JSON values (411400.0 and 411400 are the same value:
        # the spelling stored is kept when the meaning is unchanged)
        old, now = row_spec(entry), row_spec(fresh)
        if old == now and entry.position == fresh.position:
            continue
        if old != now:
            for k in _SPEC:
                setattr(entry, k, getattr(fresh, k))
        entry.position = fresh.position
        _touch(r.s, entry)
        if old != now:
            r.record("estimate", slot_key(est, fresh.criterion), old, row_spec(entry), sc.key)


def _consensus(r: Replace, sc: ScenarioRow, items: list[Consensus], old: list[Consensus]) -> None:
    rows = _by_key(sc.consensus, lambda c: c.level)
    before = _by_key(old, lambda c: c.level)
    keep = {c.level for c in items}
    key = f"{sc.key}/" + "{}"
    for level, c_row in list(rows.items()):
        if level not in keep:
            r.record("consensus", key.format(level or ""), consensus_item(c_row), None, sc.key)
            sc.consensus.remove(c_row)
    at = positions([rows[c.level].position if c.level in rows else None for c in items])
    for n, c in enumerate(items):
        target = rows.get(c.level)
        if target is None:
            target = fill_consensus(ConsensusRow(position=at[n]), c)
            sc.consensus.append(target)
            r.s.flush()
            r.record("consensus", key.format(c.level or ""), None, consensus_item(target), sc.key)
            continue
        same = before.get(c.level) == c
        if same and target.position == at[n]:
            continue
        was = consensus_item(target)
        target.position = at[n]
        fill_consensus(target, c)
        _touch(r.s, target)
        if not same:
            r.record("consensus", key.format(c.level or ""), was, consensus_item(target), sc.key)


def _judgements(r: Replace, analysts: dict[str, AnalystRow]) -> None:
    """Every scenario's estimates and consensus; analysts get the new scenarios they estimate."""
    rows = _by_key(
        r.s.scalars(select(ScenarioRow).where(ScenarioRow.assessment_id == r.row.id)),
        lambda x: x.key,
    )
    old = _by_key(r.old.scenarios, lambda x: x.id)
    pairs: set[tuple[int, int]] = set()
    for item in r.new.scenarios:
        sc = rows[item.id]
        before = old.get(item.id)
        if before is None or before.estimates != item.estimates:
            pairs |= _estimates(r, sc, item.estimates, analysts)
        _consensus(r, sc, item.consensus, [] if before is None else before.consensus)
    by_id = {a.id: a for a in analysts.values()}
    for analyst_id, scenario_id in sorted(pairs):
        wf.assign(r.s, by_id[analyst_id], r.s.get(ScenarioRow, scenario_id))  # type: ignore[arg-type]


def _cascades(r: Replace) -> None:
    rows: dict[tuple[str, str], CascadeRow] = _by_key(
        r.s.scalars(select(CascadeRow).where(CascadeRow.assessment_id == r.row.id)),
        lambda c: (c.cause.key, c.effect.key),
    )
    old = _by_key(r.old.cascades, lambda c: (c.cause, c.effect))
    at = positions(
        [
            rows[(c.cause, c.effect)].position if (c.cause, c.effect) in rows else None
            for c in r.new.cascades
        ]
    )
    scenarios = _lookups(r.s, r.row.id).scenarios
    for n, cz in enumerate(r.new.cascades):
        pair = (cz.cause, cz.effect)
        name = f"{cz.cause}->{cz.effect}"
        target = rows.get(pair)
        if target is None:
            target = CascadeRow(position=at[n], assessment_id=r.row.id)
            fill_cascade(target, cz, scenarios)
            r.s.add(target)
            r.s.flush()
            r.record("cascades", name, None, cascade_item(target), cz.cause)
            continue
        same = old.get(pair) == cz
        if same and target.position == at[n]:
            continue
        was = cascade_item(target)
        target.position = at[n]
        fill_cascade(target, cz, scenarios)
        _touch(r.s, target)
        if not same:
            r.record("cascades", name, was, cascade_item(target), cz.cause)


# -- removal -------------------------------------------------------------------------------


def _round_records(r: Replace, scenarios: list[ScenarioRow], analysts: list[AnalystRow]) -> None:
    """Refuse (409) to remove scenarios or analysts that past rounds' submissions name."""
    subs = [sub for rnd in wf.rounds(r.s, r.row.id) for sub in wf.submissions(r.s, rnd.id)]
    sc_ids = {x.id for x in scenarios}
    an_ids = {x.id for x in analysts}
    named_sc = sorted({sub.scenario.key for sub in subs if sub.scenario_id in sc_ids})
    named_an = sorted({sub.analyst.key for sub in subs if sub.analyst_id in an_ids})
    if not named_sc and not named_an:
        return
    parts = []
    if named_sc:
        parts.append("scenarios " + ", ".join(named_sc))
    if named_an:
        parts.append("analysts " + ", ".join(named_an))
    raise wf.WorkflowError(
        409,
        "the workbook leaves out " + " and ".join(parts) + ", which have submissions in past "
        "Delphi rounds; importing would erase those round records, so nothing was imported: "
        "keep them in the workbook (or remove a scenario on its own, deliberately, first)",
        "file",
    )


def _gone(r: Replace) -> tuple[list[ScenarioRow], list[AnalystRow]]:
    keep_sc = {x.id for x in r.new.scenarios}
    keep_an = {x.id for x in r.new.analysts}
    scenarios = list(r.s.scalars(select(ScenarioRow).where(ScenarioRow.assessment_id == r.row.id)))
    return (
        [x for x in scenarios if x.key not in keep_sc],
        [x for x in r.row.analysts if x.key not in keep_an],
    )


def _remove(r: Replace, scenarios: list[ScenarioRow], analysts: list[AnalystRow]) -> None:
    """What the workbook no longer has, the items that refer to others first."""
    for kind in (CAPABILITIES, DEVELOPMENTS, MEASURES, STRATEGIES):
        keep = {x.id for x in getattr(r.new, kind.section)}
        found: list[Any] = list(
            r.s.scalars(select(kind.cls).where(kind.cls.assessment_id == r.row.id))
        )
        for item in found:
            if item.key not in keep:
                r.record(kind.section, item.key, kind.export(item), None)
                r.s.delete(item)
        r.s.flush()
    pairs = {(c.cause, c.effect) for c in r.new.cascades}
    for cz in list(r.s.scalars(select(CascadeRow).where(CascadeRow.assessment_id == r.row.id))):
        if (cz.cause.key, cz.effect.key) not in pairs:
            name = f"{cz.cause.key}->{cz.effect.key}"
            r.record("cascades", name, cascade_item(cz), None, cz.cause.key)
            r.s.delete(cz)
    r.s.flush()
    for sc in scenarios:  # its estimates and consensus go with it: keep them in the trail
        r.record("scenarios", sc.key, scenario_item(sc), None)
        r.counts.add("estimates", "removed", sum(len(e.entries) for e in sc.estimates))
        r.counts.add("consensus", "removed", len(sc.consensus))
        r.s.delete(sc)
    r.s.flush()
    for an in analysts:
        r.record("analysts", an.key, _analyst_item(an), None)
        r.s.delete(an)
    r.s.flush()
    keep_org = {o.id for o in r.new.organisations}
    for org in list(r.row.organisations):
        if org.key not in keep_org:
            r.record("organisations", org.key, {"id": org.key, "name": org.name}, None)
            r.s.delete(org)
    r.s.flush()


# -- the whole import ----------------------------------------------------------------------


def replace_content(
    s: Session, user: UserRow, row: AssessmentRow, new: Assessment, source: str
) -> Counts:
    """Replace the live content of ``row`` by ``new`` (checked) in the session's transaction;
    the counts of what changed. Raises :class:`~nsra.server.db.workflow.WorkflowError` (409)
    for an open round or round records the import would erase."""
    current = wf.open_round_of(s, row.id)
    if current is not None:
        raise wf.WorkflowError(
            409,
            f"round {current.number} is open: close it first (an import changes the "
            "analysts' estimates and publishes a version that shows them to every member, "
            "while the analysts' estimates are independent until the round is closed)",
            "round",
        )
    old = parse_assessment(
        json.dumps(assessment_data(s, row.id)), f"assessment {row.id}", method=method_of(row.method)
    ).assessment
    r = Replace(s, user, row, old, new, source)
    gone_sc, gone_an = _gone(r)
    _round_records(r, gone_sc, gone_an)
    _assessment(r)
    orgs = _organisations(r)
    analysts = _analysts(r, orgs)
    _keyed(r, SCENARIOS)
    _judgements(r, analysts)
    _cascades(r)
    for kind in (STRATEGIES, MEASURES, DEVELOPMENTS, CAPABILITIES):
        _keyed(r, kind)
    s.flush()
    _remove(r, gone_sc, gone_an)
    s.expire_all()
    wf.link_analysts_by_name(s, row)
    return r.counts


def import_version(
    s: Session, user: UserRow, assessment_id: int, new: Assessment, source: str
) -> Json:
    """The whole import in the caller's transaction: permission (coordinator or
    administrator), replacement, the ``import`` audit entry, and the published version."""
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    counts = replace_content(s, user, row, new, source)
    audit.record(
        s,
        assessment_id=row.id,
        action="import",
        entity_table="assessments",
        entity_key=str(row.id),
        new={"source": source, "changes": counts.as_json()},
        user=user.name,
        rationale=note_of(source),
    )
    version = vs.publish(s, row, user.name, note=note_of(source))
    return {
        "classification": row.classification,
        "assessment": row.id,
        "version": version.number,
        "note": version.note,
        "changes": counts.as_json(),
    }
