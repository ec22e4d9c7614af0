"""Consensus, cascades, strategies, measures, international developments and capabilities:
read, create, change and remove, one at a time.

Decisions (read before changing):

* An item is sent and returned exactly as in the assessment file (``nsra schema``), with the
  row ``version`` to send back when changing or removing it (``null`` to create). A stale or
  missing version is 409 with the current item and version; nothing is written.
* A change is checked by applying it to the whole assessment and running the file checker
  (:func:`nsra.io.validate.parse_assessment`): the same rules and messages as ``nsra validate``,
  references included (a measure of an unknown strategy, a cascade of an unknown scenario, a
  strategy that measures still use). The field of the first problem is its path in the file.
* A change is made in place (the row keeps its id; its version goes up), so a client holding
  an old version can never overwrite a newer item that happens to have the same version number.
* Who may write: the coordinators of the assessment and administrators. Every member may read.
  Consensus needs a rationale: it is the record of why the group agreed.
* Each change and its audit entry (old and new item, rationale) are one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.io.problems import InputError
from nsra.io.validate import Loaded, parse_assessment
from nsra.model.text import tr
from nsra.server.api import limits
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import AssessmentId, UserDep, classified, write_answer
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep
from nsra.server.db import audit
from nsra.server.db import workflow as wf
from nsra.server.db.access import UserRow
from nsra.server.db.exporting import (
    assessment_data,
    capability_item,
    cascade_item,
    consensus_item,
    development_item,
    measure_item,
    scenario_item,
    strategy_item,
)
from nsra.server.db.importing import (
    fill_capability,
    fill_cascade,
    fill_consensus,
    fill_development,
    fill_measure,
    fill_reinforces,
    fill_scenario,
    fill_strategy,
)
from nsra.server.db.methods import method_of
from nsra.server.db.models import (
    AssessmentRow,
    CapabilityRow,
    CascadeRow,
    ConsensusRow,
    DevelopmentRow,
    MeasureRow,
    OrganisationRow,
    ScenarioRow,
    StrategyRow,
)

router = APIRouter()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Version = Annotated[int | None, Query(description="The version last read (null: none).")]
Level = Annotated[str | None, Query(description="The intensity level, for methods with levels.")]


class ItemWrite(BaseModel):
    """An item as written in the assessment file, why it changes, and the version last read
    (``null`` to create)."""

    item: Json
    rationale: str | None = Field(None, max_length=limits.TEXT)
    version: int | None = None


@dataclass
class Lookups:
    """The rows of an assessment by their file id, to resolve an item's references."""

    orgs: dict[str, OrganisationRow]
    scenarios: dict[str, ScenarioRow]
    strategies: dict[str, StrategyRow]


def _lookups(s: Session, assessment_id: AssessmentId) -> Lookups:
    def by_key(cls: Any) -> dict[str, Any]:
        return {r.key: r for r in s.scalars(select(cls).where(cls.assessment_id == assessment_id))}

    return Lookups(by_key(OrganisationRow), by_key(ScenarioRow), by_key(StrategyRow))


def _checked(
    s: Session,
    row: AssessmentRow,
    change: Callable[[Json], None],
    item_at: Callable[[Json], tuple[str | int, ...] | None] = lambda _data: None,
) -> Loaded:
    """The assessment with ``change`` applied, checked as a file; raises InputError (422).

    ``item_at`` gives the changed item's path in the file: problems inside it are reported at
    ``item...`` (the field of the request), the others at their path in the assessment.
    """
    data = assessment_data(s, row.id)
    change(data)
    try:
        return parse_assessment(json.dumps(data), "assessment", method=method_of(row.method))
    except InputError as exc:
        at = item_at(data)
        if at is None:
            raise
        n = len(at)
        raise InputError(
            [
                replace(p, path=("item", *p.path[n:]), line=None, column=None)
                if tuple(p.path[:n]) == at
                else replace(p, line=None, column=None)
                for p in exc.problems
            ]
        ) from None


def _touch(s: Session, row: Any) -> None:
    """Flush, with the row's version one up even when only its children changed (the fill
    functions flush the removal of old children first, so this is the row's one UPDATE)."""
    if row.id is not None:
        row.updated_at = _now()
    s.flush()


def _conflict(version: int | None, current: Any, stored: int | None) -> None:
    if version != stored:
        raise ApiError(
            409,
            "this was changed since you read it (or you did not read it): nothing was written; "
            "see the current item and version",
            "version",
            extra={"current": current, "version": stored},
        )


def _answer(row: AssessmentRow, item: Any, version: int | None, **extra: Any) -> Json:
    return {"classification": row.classification, "item": item, "version": version, **extra}


def _replace(items: list[Json], match: Callable[[Json], bool], new: Json | None) -> list[Json]:
    """The list with the matching item replaced by ``new`` (appended when none matches),
    or removed when ``new`` is None."""
    out, found = [], False
    for it in items:
        if match(it):
            found = True
            if new is not None:
                out.append(new)
        else:
            out.append(it)
    if not found and new is not None:
        out.append(new)
    return out


def _record(
    s: Session,
    user: UserRow,
    row: AssessmentRow,
    kind: str,
    key: str,
    old: Json | None,
    new: Json | None,
    rationale: str | None,
    scenario: str | None = None,
) -> int:
    action = "create" if old is None else ("delete" if new is None else "update")
    entry = audit.record(
        s,
        assessment_id=row.id,
        action=f"{kind}.{action}",
        entity_table=kind,
        entity_key=key,
        old=old,
        new=new,
        user=user.name,
        scenario=scenario,
        rationale=rationale,
    )
    return entry.seq


# -- strategies, measures, developments, capabilities: top-level items with an id ---------


@dataclass(frozen=True)
class Keyed:
    section: str  # the file's list
    one: str  # one item, in messages
    cls: (
        type[StrategyRow]
        | type[MeasureRow]
        | type[ScenarioRow]
        | type[DevelopmentRow]
        | type[CapabilityRow]
    )
    export: Callable[[Any], Json]
    fill: Callable[[Any, Any, Lookups], object]
    managed: tuple[str, ...] = ()  # fields written through their own endpoints, kept as they are
    list_route: bool = True


def _fill_scenario(row: ScenarioRow, model: Any, look: Lookups) -> None:
    # links first: their old rows are flushed away before the scenario's own fields change,
    # so that the scenario's row gets one UPDATE (one version) for the whole change
    fill_reinforces(row, model, {**look.scenarios, row.key: row})
    fill_scenario(row, model, look.orgs)


STRATEGIES = Keyed(
    "strategies",
    "strategy",
    StrategyRow,
    strategy_item,
    lambda r, m, k: fill_strategy(r, m, k.orgs),
)
MEASURES = Keyed(
    "measures",
    "measure",
    MeasureRow,
    measure_item,
    lambda r, m, k: fill_measure(r, m, k.orgs, k.strategies, k.scenarios),
)
DEVELOPMENTS = Keyed(
    "developments",
    "development",
    DevelopmentRow,
    development_item,
    lambda r, m, _k: fill_development(r, m),
)
CAPABILITIES = Keyed(
    "capabilities",
    "capability",
    CapabilityRow,
    capability_item,
    lambda r, m, k: fill_capability(r, m, k.orgs),
)
# The scenario's own fields; its estimates and consensus have their own endpoints, and the
# list of scenarios with them is GET .../scenarios (assessments.py).
SCENARIOS = Keyed(
    "scenarios",
    "scenario",
    ScenarioRow,
    lambda sc: scenario_item(sc, judgements=False),
    _fill_scenario,
    managed=("estimates", "consensus"),
    list_route=False,
)


def _keyed_row(s: Session, kind: Keyed, assessment_id: AssessmentId, key: str) -> Any:
    return s.scalars(
        select(kind.cls).where(kind.cls.assessment_id == assessment_id, kind.cls.key == key)
    ).one_or_none()


def _keyed_list(kind: Keyed, s: Session, user: UserRow, assessment_id: AssessmentId) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    rows: list[Any] = list(
        s.scalars(
            select(kind.cls)
            .where(kind.cls.assessment_id == assessment_id)
            .order_by(kind.cls.position)
        )
    )
    items = [{"item": kind.export(r), "version": r.version} for r in rows]
    return {"classification": row.classification, kind.section: items}


def _keyed_get(
    kind: Keyed, s: Session, user: UserRow, assessment_id: AssessmentId, key: str
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    item = _keyed_row(s, kind, assessment_id, key)
    if item is None:
        raise ApiError(404, f"assessment {assessment_id} has no {kind.one} {key!r}")
    return _answer(row, kind.export(item), item.version)


def _keyed_write(
    kind: Keyed,
    s: Session,
    user: UserRow,
    assessment_id: AssessmentId,
    key: str,
    new: Json | None,
    version: int | None,
    rationale: str | None,
) -> Json:
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    existing = _keyed_row(s, kind, assessment_id, key)
    old = None if existing is None else kind.export(existing)
    _conflict(version, old, None if existing is None else existing.version)
    if new is None and existing is None:
        raise ApiError(404, f"assessment {assessment_id} has no {kind.one} {key!r}")
    if new is not None and new.setdefault("id", key) != key:
        raise ApiError(422, f"the item's id must be the one in the path ({key!r})", "item.id")
    for field in kind.managed:
        if new is not None and field in new:
            raise ApiError(
                422, f"{field} are written through their own endpoints, not here", f"item.{field}"
            )

    def change(data: Json) -> None:
        items = data.get(kind.section, [])
        whole = new
        if new is not None and kind.managed:
            stored: Json = next((it for it in items if it.get("id") == key), {})
            whole = {**new, **{f: stored[f] for f in kind.managed if f in stored}}
        data[kind.section] = _replace(items, lambda it: it.get("id") == key, whole)

    def item_at(data: Json) -> tuple[str | int, ...] | None:
        ids = [it.get("id") for it in data.get(kind.section, [])]
        return (kind.section, ids.index(key)) if key in ids else None

    loaded = _checked(s, row, change, item_at)
    if new is None:
        if kind is SCENARIOS:  # its estimates and consensus go with it: keep them in the trail
            old = scenario_item(existing)
        s.delete(existing)
        s.flush()
        seq = _record(s, user, row, kind.section, key, old, None, rationale)
        return _answer(row, None, None, audit=seq)
    model = next(x for x in getattr(loaded.assessment, kind.section) if x.id == key)
    look = _lookups(s, assessment_id)
    target = existing
    if target is None:
        position = 1 + max((r.position for r in getattr(row, kind.section)), default=-1)
        target = kind.cls(key=key, position=position, assessment_id=assessment_id)
    kind.fill(target, model, look)
    s.add(target)
    _touch(s, target)
    value = kind.export(target)
    seq = _record(s, user, row, kind.section, key, old, value, rationale)
    return _answer(row, value, target.version, audit=seq)


def _keyed_routes(kind: Keyed) -> None:
    name = kind.one
    base = f"/api/assessments/{{assessment_id}}/{kind.section}"

    if kind.list_route:

        @router.get(base, name=f"list_{kind.section}", summary=f"The {kind.section}")
        def list_items(
            assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
        ) -> Json:
            result = _keyed_list(kind, s, user, assessment_id)
            classified(response, result["classification"])
            return result

    @router.get(f"{base}/{{key}}", name=f"get_{name}", summary=f"One {name}")
    def get_item(
        assessment_id: AssessmentId, key: str, s: SessionDep, user: UserDep, response: Response
    ) -> Json:
        result = _keyed_get(kind, s, user, assessment_id, key)
        classified(response, result["classification"])
        return result

    @router.put(f"{base}/{{key}}", name=f"put_{name}", summary=f"Create or change a {name}")
    def put_item(
        assessment_id: AssessmentId,
        key: str,
        body: ItemWrite,
        user: UserDep,
        request: Request,
        response: Response,
    ) -> Json:
        return write_answer(
            request,
            response,
            lambda w: _keyed_write(
                kind, w, user, assessment_id, key, dict(body.item), body.version, body.rationale
            ),
        )

    @router.delete(f"{base}/{{key}}", name=f"delete_{name}", summary=f"Remove a {name}")
    def delete_item(
        assessment_id: AssessmentId,
        key: str,
        version: Version,
        user: UserDep,
        request: Request,
        response: Response,
        rationale: Annotated[str | None, Query()] = None,
    ) -> Json:
        return write_answer(
            request,
            response,
            lambda w: _keyed_write(kind, w, user, assessment_id, key, None, version, rationale),
        )


_keyed_routes(SCENARIOS)
_keyed_routes(STRATEGIES)
_keyed_routes(MEASURES)
_keyed_routes(DEVELOPMENTS)
_keyed_routes(CAPABILITIES)


# -- the measures basis: what the estimates describe ----------------------------------------

BASIS = "/api/assessments/{assessment_id}/measures-basis"


class BasisWrite(BaseModel):
    """``current`` (the estimates are today's risk, with the measures in place) or
    ``inherent`` (the risk without any measure), why it changes, and the version last read."""

    item: Any
    rationale: str | None = Field(None, max_length=limits.TEXT)
    version: int | None = None


@router.get(BASIS, summary="Whether the estimates are current or inherent risk")
def get_measures_basis(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    classified(response, row.classification)
    return _answer(row, row.measures_basis, row.version)


def measures_basis_write(
    s: Session,
    user: UserRow,
    assessment_id: AssessmentId,
    new: Any,
    version: int | None,
    rationale: str | None,
) -> Json:
    """Set the assessment's ``measures_basis`` (checked as a file: current or inherent)."""
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    old = row.measures_basis
    _conflict(version, old, row.version)

    def change(data: Json) -> None:
        data["measures_basis"] = new

    loaded = _checked(s, row, change, lambda _data: ("measures_basis",))
    row.measures_basis = loaded.assessment.measures_basis
    s.flush()
    key = str(row.id)
    seq = _record(
        s,
        user,
        row,
        "measures_basis",
        key,
        {"measures_basis": old},
        {"measures_basis": row.measures_basis},
        rationale,
    )
    return _answer(row, row.measures_basis, row.version, audit=seq)


@router.put(BASIS, summary="Say whether the estimates are current or inherent risk")
def put_measures_basis(
    assessment_id: AssessmentId,
    body: BasisWrite,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    return write_answer(
        request,
        response,
        lambda w: measures_basis_write(
            w, user, assessment_id, body.item, body.version, body.rationale
        ),
    )


# -- the themes catalogue: the whole list at once ---------------------------------------------

THEMES = "/api/assessments/{assessment_id}/themes"


@router.get(THEMES, summary="The themes catalogue (empty: the themes are free text)")
def get_themes(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    classified(response, row.classification)
    return _answer(row, row.themes or [], row.version)


def themes_write(
    s: Session,
    user: UserRow,
    assessment_id: AssessmentId,
    new: Any,
    version: int | None,
    rationale: str | None,
) -> Json:
    """Replace the themes catalogue (checked as a file: each scenario's theme must then be one
    of its ids; an empty list goes back to free-text themes)."""
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    old = row.themes or []
    _conflict(version, old, row.version)

    def change(data: Json) -> None:
        data["themes"] = new

    loaded = _checked(s, row, change, lambda _data: ("themes",))
    row.themes = [t.model_dump(exclude_none=True) for t in loaded.assessment.themes] or None
    s.flush()
    seq = _record(
        s, user, row, "themes", str(row.id), {"themes": old}, {"themes": row.themes}, rationale
    )
    return _answer(row, row.themes or [], row.version, audit=seq)


@router.put(THEMES, summary="Replace the themes catalogue")
def put_themes(
    assessment_id: AssessmentId,
    body: BasisWrite,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    return write_answer(
        request,
        response,
        lambda w: themes_write(w, user, assessment_id, body.item, body.version, body.rationale),
    )


# -- cascades: cause -> effect ---------------------------------------------------------------


def _cascade_row(
    s: Session, assessment_id: AssessmentId, cause: str, effect: str
) -> CascadeRow | None:
    rows = s.scalars(select(CascadeRow).where(CascadeRow.assessment_id == assessment_id))
    return next((r for r in rows if r.cause.key == cause and r.effect.key == effect), None)


CASCADE = "/api/assessments/{assessment_id}/cascades"


@router.get(CASCADE, summary="The cascades")
def list_cascades(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    classified(response, row.classification)
    return {
        "classification": row.classification,
        "cascades": [{"item": cascade_item(c), "version": c.version} for c in row.cascades],
    }


@router.get(CASCADE + "/{cause}/{effect}", summary="One cascade")
def get_cascade(
    assessment_id: AssessmentId,
    cause: str,
    effect: str,
    s: SessionDep,
    user: UserDep,
    response: Response,
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    found = _cascade_row(s, assessment_id, cause, effect)
    if found is None:
        raise ApiError(404, f"assessment {assessment_id} has no cascade {cause} -> {effect}")
    classified(response, row.classification)
    return _answer(row, cascade_item(found), found.version)


def _cascade_write(
    s: Session,
    user: UserRow,
    assessment_id: AssessmentId,
    cause: str,
    effect: str,
    new: Json | None,
    version: int | None,
    rationale: str | None,
) -> Json:
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    existing = _cascade_row(s, assessment_id, cause, effect)
    old = None if existing is None else cascade_item(existing)
    _conflict(version, old, None if existing is None else existing.version)
    if new is None and existing is None:
        raise ApiError(404, f"assessment {assessment_id} has no cascade {cause} -> {effect}")
    if new is not None:
        for field, given in (("cause", cause), ("effect", effect)):
            if new.setdefault(field, given) != given:
                raise ApiError(
                    422,
                    f"the item's {field} must be the one in the path ({given!r})",
                    f"item.{field}",
                )

    def change(data: Json) -> None:
        data["cascades"] = _replace(
            data.get("cascades", []),
            lambda it: (it.get("cause"), it.get("effect")) == (cause, effect),
            new,
        )

    def item_at(data: Json) -> tuple[str | int, ...] | None:
        pairs = [(it.get("cause"), it.get("effect")) for it in data.get("cascades", [])]
        return ("cascades", pairs.index((cause, effect))) if (cause, effect) in pairs else None

    loaded = _checked(s, row, change, item_at)
    name = f"{cause}->{effect}"
    if new is None:
        s.delete(existing)
        s.flush()
        seq = _record(s, user, row, "cascades", name, old, None, rationale, scenario=cause)
        return _answer(row, None, None, audit=seq)
    model = next(c for c in loaded.assessment.cascades if (c.cause, c.effect) == (cause, effect))
    target = existing
    if target is None:
        position = 1 + max((c.position for c in row.cascades), default=-1)
        target = CascadeRow(position=position, assessment_id=assessment_id)
    fill_cascade(target, model, _lookups(s, assessment_id).scenarios)
    s.add(target)
    _touch(s, target)
    value = cascade_item(target)
    seq = _record(s, user, row, "cascades", name, old, value, rationale, scenario=cause)
    return _answer(row, value, target.version, audit=seq)


@router.put(CASCADE + "/{cause}/{effect}", summary="Create or change a cascade")
def put_cascade(
    assessment_id: AssessmentId,
    cause: str,
    effect: str,
    body: ItemWrite,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    return write_answer(
        request,
        response,
        lambda w: _cascade_write(
            w, user, assessment_id, cause, effect, dict(body.item), body.version, body.rationale
        ),
    )


@router.delete(CASCADE + "/{cause}/{effect}", summary="Remove a cascade")
def delete_cascade(
    assessment_id: AssessmentId,
    cause: str,
    effect: str,
    version: Version,
    user: UserDep,
    request: Request,
    response: Response,
    rationale: Annotated[str | None, Query()] = None,
) -> Json:
    return write_answer(
        request,
        response,
        lambda w: _cascade_write(w, user, assessment_id, cause, effect, None, version, rationale),
    )


# -- consensus: per scenario and level -------------------------------------------------------

CONSENSUS = "/api/assessments/{assessment_id}/scenarios/{scenario}/consensus"


def _consensus_row(sc: ScenarioRow, level: str | None) -> ConsensusRow | None:
    return next((c for c in sc.consensus if c.level == level), None)


@router.get(CONSENSUS, summary="The consensus of a scenario (one per level)")
def get_consensus(
    assessment_id: AssessmentId, scenario: str, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    sc = wf.scenario_by_key(s, assessment_id, scenario)
    classified(response, row.classification)
    return {
        "classification": row.classification,
        "scenario": scenario,
        "consensus": [{"item": consensus_item(c), "version": c.version} for c in sc.consensus],
    }


def consensus_write(
    s: Session,
    user: UserRow,
    assessment_id: AssessmentId,
    scenario: str,
    level: str | None,
    new: Json | None,
    version: int | None,
    rationale: str | None,
) -> Json:
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    sc = wf.scenario_by_key(s, assessment_id, scenario)
    existing = _consensus_row(sc, level)
    old = None if existing is None else consensus_item(existing)
    _conflict(version, old, None if existing is None else existing.version)
    if new is None and existing is None:
        raise ApiError(
            404, f"scenario {scenario!r} has no consensus" + (f" at {level}" if level else "")
        )
    if new is not None:
        if new.get("level", level) != level:
            raise ApiError(422, "the item's level must be the one in the query", "item.level")
        if level is not None:
            new["level"] = level
        if not str(new.get("rationale") or "").strip():
            raise ApiError(
                422,
                "a consensus needs a rationale: why did the analysts agree on it?",
                "item.rationale",
            )

    def change(data: Json) -> None:
        for item in data["scenarios"]:
            if item["id"] == scenario:
                kept = _replace(item.get("consensus", []), lambda c: c.get("level") == level, new)
                item["consensus"] = kept
                if not kept:
                    del item["consensus"]

    def item_at(data: Json) -> tuple[str | int, ...] | None:
        ids = [sc["id"] for sc in data["scenarios"]]
        items = data["scenarios"][ids.index(scenario)].get("consensus", [])
        levels = [c.get("level") for c in items]
        if level not in levels:
            return None
        return ("scenarios", ids.index(scenario), "consensus", levels.index(level))

    loaded = _checked(s, row, change, item_at)
    key = f"{scenario}/{level or ''}"
    if new is None:
        assert existing is not None
        sc.consensus.remove(existing)
        s.flush()
        seq = _record(s, user, row, "consensus", key, old, None, rationale, scenario=scenario)
        return _answer(row, None, None, audit=seq)
    model_sc = next(x for x in loaded.assessment.scenarios if x.id == scenario)
    model = next(c for c in model_sc.consensus if c.level == level)
    target = existing
    if target is None:
        target = ConsensusRow(position=1 + max((c.position for c in sc.consensus), default=-1))
        fill_consensus(target, model)
        sc.consensus.append(target)
    else:
        fill_consensus(target, model)
    _touch(s, target)
    value = consensus_item(target)
    seq = _record(
        s,
        user,
        row,
        "consensus",
        key,
        old,
        value,
        rationale or tr(model.rationale) or None,
        scenario=scenario,
    )
    return _answer(row, value, target.version, audit=seq)


@router.put(CONSENSUS, summary="Record or change the consensus of a scenario (with rationale)")
def put_consensus(
    assessment_id: AssessmentId,
    scenario: str,
    body: ItemWrite,
    user: UserDep,
    request: Request,
    response: Response,
    level: Level = None,
) -> Json:
    return write_answer(
        request,
        response,
        lambda w: consensus_write(
            w, user, assessment_id, scenario, level, dict(body.item), body.version, body.rationale
        ),
    )


@router.delete(CONSENSUS, summary="Remove the consensus of a scenario")
def delete_consensus(
    assessment_id: AssessmentId,
    scenario: str,
    version: Version,
    user: UserDep,
    request: Request,
    response: Response,
    level: Level = None,
    rationale: Annotated[str | None, Query()] = None,
) -> Json:
    return write_answer(
        request,
        response,
        lambda w: consensus_write(
            w, user, assessment_id, scenario, level, None, version, rationale
        ),
    )
