"""Published versions: frozen copies of an assessment that reproduce their results.

Decisions (read before changing):

* A version stores everything its results depend on: the assessment's data as its file
  (:func:`nsra.server.db.exporting.assessment_data`), the method's id, version and full content,
  the seed for the Monte Carlo analyses, and the results computed when it was published.
  Recomputing from the stored data and method gives the stored results (tested), whatever
  happens to the live assessment or to the method registered later.
* ``digest``: SHA-256 of the canonical JSON of data, method content and seed; two versions
  with the same digest have the same inputs.
* Versions are numbered 1, 2, ... per assessment and are never changed after publishing.
* What a version's results are: :func:`results_of` (the engine's ``compute`` and
  ``results_document``, as ``GET /results`` for a coordinator, with the source name
  ``assessment {id}``). Publishing and reproducing both run it, on the stored data and on the
  method built from the stored content (never the live registry).
* Reproduced means equal: the stored results and the recomputed ones are compared exactly, as
  JSON after a round trip (both sides go through ``json.dumps``/``json.loads``, which gives
  back every float exactly). No float tolerance is used: the computation is deterministic for
  the same inputs on the same software, and a tolerance would hide real changes of the
  engine. The only field left out of the comparison is ``nsra_version`` (which software
  recomputed, not a result); it is reported beside the differences. Stored inputs that no
  longer match the digest are a difference too (``path: "digest"``): the row was edited.
* :func:`compare` is a pure function of two (data, results) documents, so it can be tested
  without a database; it reports what changed in the file (scenarios, estimates per analyst,
  level and slot, consensus, cascades, strategies, measures, developments, capabilities,
  ...) and how the ranking moved.
  :func:`editions` adds what those changes did to the risk picture (classes, seriousness,
  the estimates that moved a class or rank, measures completed): the comparison of ``nsra
  compare`` (:mod:`nsra.analysis.editions`), one concept in one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from nsra.engine.compute import Results, compute
from nsra.io.changes import changes_of
from nsra.io.jsondoc import Json
from nsra.io.methods import parse_method
from nsra.io.results import results_document
from nsra.io.validate import Loaded, parse_assessment
from nsra.model.method import Method
from nsra.server.db import audit
from nsra.server.db.exporting import assessment_data
from nsra.server.db.models import KEY, AssessmentRow, Base, Row

DEFAULT_SEED = 1
KEYED_SECTIONS = (
    "organisations",
    "analysts",
    "strategies",
    "measures",
    "developments",
    "capabilities",
)
"""The file's lists of items with an id that :func:`compare` lists added, removed and changed."""
UNCOMPARED = ("nsra_version",)  # who computed, not what: left out of the reproduction check


class PublishedVersionRow(Row, Base):
    __tablename__ = "published_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(120), nullable=False)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    classification: Mapped[str] = mapped_column(String(120), nullable=False)
    method_id: Mapped[str] = mapped_column(String(KEY), nullable=False)
    method_version: Mapped[str] = mapped_column(String(32), nullable=False)
    method_content: Mapped[Any] = mapped_column(JSON, nullable=False)
    data: Mapped[Any] = mapped_column(JSON, nullable=False)
    seed: Mapped[int] = mapped_column(Integer, nullable=False)
    results: Mapped[Any] = mapped_column(JSON, nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)


# -- inputs, digest and results -------------------------------------------------------------


def round_trip(value: Any) -> Any:
    """The value as stored in a JSON column and read back (plain JSON types only)."""
    return json.loads(json.dumps(value, allow_nan=False))


def digest_of(data: Any, method_content: Any, seed: int) -> str:
    """SHA-256 (hex) of the canonical JSON of what the results depend on."""
    text = audit.canonical({"data": data, "method": method_content, "seed": seed})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_name(assessment_id: int) -> str:
    """The source name the results carry (as the live results of ``GET /results``)."""
    return f"assessment {assessment_id}"


def stored_method(method_content: Any, method_id: str, method_version: str) -> Method:
    """The method built from stored content, checked again as a method file."""
    return parse_method(
        json.dumps(method_content), f"stored method {method_id} version {method_version}"
    )


def loaded_of(data: Any, method: Method, source: str) -> Loaded:
    """The assessment data checked as a file with the given method."""
    return parse_assessment(json.dumps(data), source, method=method)


def results_of(loaded: Loaded) -> tuple[Results, Json]:
    """The engine's results and their JSON document (plain JSON after a round trip)."""
    results = compute(loaded.inputs, loaded.method, None)
    doc: Json = round_trip(results_document(loaded, results, "en"))
    return results, doc


def version_loaded(row: PublishedVersionRow) -> Loaded:
    """A version's assessment as stored, with its stored method."""
    method = stored_method(row.method_content, row.method_id, row.method_version)
    return loaded_of(row.data, method, source_name(row.assessment_id))


# -- publish and read -----------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def publish(
    session: Session,
    assessment: AssessmentRow,
    user: str,
    label: str | None = None,
    note: str | None = None,
    seed: int = DEFAULT_SEED,
) -> PublishedVersionRow:
    """Freeze the assessment as it is now, with its method, seed and results (flushed, audited,
    not committed). The number is the next one of the assessment: two publishing at once
    collide on the unique (assessment, number) and the later one is retried."""
    method_row = assessment.method
    content = round_trip(method_row.content)
    data = round_trip(assessment_data(session, assessment.id))
    method = stored_method(content, method_row.method_id, method_row.method_version)
    _results, doc = results_of(loaded_of(data, method, source_name(assessment.id)))
    number = 1 + (
        session.scalar(
            select(func.max(PublishedVersionRow.number)).where(
                PublishedVersionRow.assessment_id == assessment.id
            )
        )
        or 0
    )
    row = PublishedVersionRow(
        assessment_id=assessment.id,
        number=number,
        label=label,
        note=note,
        published_by=user,
        published_at=_now(),
        classification=assessment.classification,
        method_id=method_row.method_id,
        method_version=method_row.method_version,
        method_content=content,
        data=data,
        seed=seed,
        results=doc,
        digest=digest_of(data, content, seed),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        assessment_id=assessment.id,
        action="versions.publish",
        entity_table="published_versions",
        entity_key=str(number),
        new={**summary(row), "seed": seed},
        user=user,
    )
    return row


def versions(session: Session, assessment_id: int) -> list[PublishedVersionRow]:
    return list(
        session.scalars(
            select(PublishedVersionRow)
            .where(PublishedVersionRow.assessment_id == assessment_id)
            .order_by(PublishedVersionRow.number)
        )
    )


def version_by_number(
    session: Session, assessment_id: int, number: int
) -> PublishedVersionRow | None:
    return session.scalars(
        select(PublishedVersionRow).where(
            PublishedVersionRow.assessment_id == assessment_id,
            PublishedVersionRow.number == number,
        )
    ).one_or_none()


def _utc(at: dt.datetime) -> str:
    """ISO 8601 in UTC (SQLite gives the stored time back without its zone)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)).isoformat()


def summary(row: PublishedVersionRow) -> Json:
    """What the list of versions shows of one."""
    return {
        "number": row.number,
        "label": row.label,
        "note": row.note,
        "published_by": row.published_by,
        "published_at": _utc(row.published_at),
        "method": {"id": row.method_id, "version": row.method_version},
        "digest": row.digest,
    }


def detail(row: PublishedVersionRow) -> Json:
    """The whole frozen version: metadata, seed, data and results."""
    return {
        **summary(row),
        "classification": row.classification,
        "seed": row.seed,
        "data": row.data,
        "results": row.results,
    }


# -- reproduce ------------------------------------------------------------------------------


def differences(stored: Any, now: Any, path: str = "", limit: int = 100) -> list[Json]:
    """Where two JSON values differ (exactly), as ``{path, stored, recomputed}``, at most
    ``limit`` of them; a path is dotted keys and ``[i]`` indices."""
    out: list[Json] = []

    def walk(a: Any, b: Any, at: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in dict.fromkeys([*a, *b]):
                sub = f"{at}.{k}" if at else str(k)
                if k not in a or k not in b:
                    out.append({"path": sub, "stored": a.get(k), "recomputed": b.get(k)})
                else:
                    walk(a[k], b[k], sub)
            return
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{at}[{i}]")
            return
        if type(a) is not type(b) or a != b:
            out.append({"path": at, "stored": a, "recomputed": b})

    walk(stored, now, path)
    return out


def reproduce(row: PublishedVersionRow) -> Json:
    """Recompute a version's results from its stored data and stored method content, and
    compare them exactly with its stored results (see the decisions above)."""
    found: list[Json] = []
    intact = digest_of(row.data, row.method_content, row.seed) == row.digest
    if not intact:
        found.append(
            {
                "path": "digest",
                "stored": row.digest,
                "recomputed": digest_of(row.data, row.method_content, row.seed),
            }
        )
    stored = round_trip(row.results)
    _results, now = results_of(version_loaded(row))
    versions_used = {
        "stored": stored.get("nsra_version") if isinstance(stored, dict) else None,
        "recomputed": now.get("nsra_version"),
    }
    if isinstance(stored, dict):
        stored = {k: v for k, v in stored.items() if k not in UNCOMPARED}
    now = {k: v for k, v in now.items() if k not in UNCOMPARED}
    found.extend(differences(stored, now))
    return {
        "reproduced": not found,
        "inputs_intact": intact,
        "nsra_version": versions_used,
        "differences": found,
    }


# -- compare ----------------------------------------------------------------------------------
EDITION_KEYS = ("same_method", "changed", "counts", "scenarios", "measures", "strategies")
"""The parts of ``nsra compare``'s document that :func:`editions` gives (not the sources)."""


def editions(old: Loaded, new: Loaded, new_results: Results | None = None) -> Json:
    """What changed in the risk picture from ``old`` to ``new`` (:mod:`nsra.io.changes`, as
    ``nsra compare`` writes it, without the editions' sources): classes and ranks before and
    after with the estimates that caused them, scenarios added and removed, measures added,
    completed and removed. ``new_results``: ``new``'s results when already computed."""
    old_results = compute(old.inputs, old.method, None)
    if new_results is None:
        new_results = compute(new.inputs, new.method, None)
    doc = changes_of(old, old_results, new, new_results, "en")
    return {k: doc[k] for k in EDITION_KEYS}


def _items(data: Any, section: str) -> list[Any]:
    items = data.get(section) if isinstance(data, dict) else None
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def _by(items: list[Json], key: Any) -> dict[str, Json]:
    return {key(x): x for x in items}


def _keyed_changes(old: dict[str, Json], new: dict[str, Json]) -> Json:
    return {
        "added": [{"key": k, "new": new[k]} for k in new if k not in old],
        "removed": [{"key": k, "old": old[k]} for k in old if k not in new],
        "changed": [
            {"key": k, "old": old[k], "new": new[k]} for k in old if k in new and old[k] != new[k]
        ],
    }


def _any(changes: Json) -> bool:
    return any(changes[k] for k in ("added", "removed", "changed"))


def _slots(scenario: Json) -> dict[tuple[str, str | None, str | None], Any]:
    """One scenario's estimates as written, by (analyst, level, slot); slot ``likelihood``, a
    criterion id, or None for the rationale of the whole estimate."""
    out: dict[tuple[str, str | None, str | None], Any] = {}
    for e in _items(scenario, "estimates"):
        who, level = str(e.get("analyst")), e.get("level")
        if "likelihood" in e:
            out[(who, level, "likelihood")] = e["likelihood"]
        impact = e.get("impact")
        if isinstance(impact, dict):
            for criterion, spec in impact.items():
                out[(who, level, str(criterion))] = spec
        if e.get("rationale") is not None:
            out[(who, level, None)] = e["rationale"]
    return out


def _estimate_changes(old: Json, new: Json) -> list[Json]:
    a, b = _slots(old), _slots(new)
    return [
        {"analyst": k[0], "level": k[1], "slot": k[2], "old": a.get(k), "new": b.get(k)}
        for k in dict.fromkeys([*a, *b])
        if a.get(k) != b.get(k)
    ]


def _consensus_changes(old: Json, new: Json) -> list[Json]:
    a = {c.get("level"): c for c in _items(old, "consensus")}
    b = {c.get("level"): c for c in _items(new, "consensus")}
    return [
        {"level": k, "old": a.get(k), "new": b.get(k)}
        for k in dict.fromkeys([*a, *b])
        if a.get(k) != b.get(k)
    ]


def _field_changes(old: Json, new: Json, skip: tuple[str, ...]) -> dict[str, Json]:
    return {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in dict.fromkeys([*old, *new])
        if k not in skip and old.get(k) != new.get(k)
    }


def _ranked(results: Any) -> dict[str, Json]:
    return {
        str(sc.get("id")): {"rank": sc.get("rank"), "risk": sc.get("risk")}
        for sc in _items(results, "scenarios")
    }


def _method(results: Any) -> Json | None:
    m = results.get("method") if isinstance(results, dict) else None
    return {"id": m.get("id"), "version": m.get("version")} if isinstance(m, dict) else None


def _number(x: Any) -> float:
    return float(x) if isinstance(x, int | float) else math.inf


def compare(old_data: Any, old_results: Any, new_data: Any, new_results: Any) -> Json:
    """What changed from one (data, results) to another: a pure function of the documents.

    * ``assessment``: changed top-level fields of the file (title, date, classification, ...);
    * ``scenarios``: ``added`` and ``removed`` (ids), and ``changed``: per scenario in both,
      its changed ``fields``, its ``estimates`` that changed (per analyst, level and slot: old
      and new as written; null where there was none; slot null is the estimate's rationale)
      and its ``consensus`` that changed (per level, old and new item);
    * ``organisations``, ``analysts``, ``strategies``, ``measures``, ``developments``,
      ``capabilities`` (by id) and ``cascades`` (by ``cause->effect``): ``added``, ``removed``
      and ``changed`` items, old and new;
    * ``method``: old and new id and version when they differ, else null;
    * ``ranking``: every scenario of either side with its rank and risk in both and ``moved``
      (old rank minus new rank: positive is up the ranking; null when unranked on a side),
      the largest move first;
    * ``changed``: whether anything above changed (a rank move or a risk change included).
    """
    old_sc = _by(_items(old_data, "scenarios"), lambda x: str(x.get("id")))
    new_sc = _by(_items(new_data, "scenarios"), lambda x: str(x.get("id")))
    changed_sc = []
    for key in old_sc:
        if key not in new_sc:
            continue
        a, b = old_sc[key], new_sc[key]
        entry = {
            "id": key,
            "fields": _field_changes(a, b, ("id", "estimates", "consensus")),
            "estimates": _estimate_changes(a, b),
            "consensus": _consensus_changes(a, b),
        }
        if entry["fields"] or entry["estimates"] or entry["consensus"]:
            changed_sc.append(entry)
    scenarios = {
        "added": [k for k in new_sc if k not in old_sc],
        "removed": [k for k in old_sc if k not in new_sc],
        "changed": changed_sc,
    }

    def by_id(data: Any, section: str) -> dict[str, Json]:
        return _by(_items(data, section), lambda x: str(x.get("id")))

    def cascades(data: Any) -> dict[str, Json]:
        return _by(_items(data, "cascades"), lambda x: f"{x.get('cause')}->{x.get('effect')}")

    keyed = {
        section: _keyed_changes(by_id(old_data, section), by_id(new_data, section))
        for section in KEYED_SECTIONS
    }
    keyed["cascades"] = _keyed_changes(cascades(old_data), cascades(new_data))
    top = _field_changes(
        old_data if isinstance(old_data, dict) else {},
        new_data if isinstance(new_data, dict) else {},
        ("scenarios", "cascades", *KEYED_SECTIONS),
    )
    old_m, new_m = _method(old_results), _method(new_results)
    method = None if old_m == new_m else {"old": old_m, "new": new_m}

    old_r, new_r = _ranked(old_results), _ranked(new_results)
    ranking: list[Json] = []
    for key in dict.fromkeys([*old_r, *new_r]):
        x = old_r.get(key, {"rank": None, "risk": None})
        y = new_r.get(key, {"rank": None, "risk": None})
        moved = (
            x["rank"] - y["rank"]
            if isinstance(x["rank"], int) and isinstance(y["rank"], int)
            else None
        )
        ranking.append({"id": key, "old": x, "new": y, "moved": moved})

    def largest_move_first(r: Json) -> tuple[bool, int, float, float, str]:
        moved = r["moved"]
        return (
            moved is None,
            -abs(moved or 0),
            _number(r["new"]["rank"]),
            _number(r["old"]["rank"]),
            r["id"],
        )

    ranking.sort(key=largest_move_first)
    ranking_changed = any(r["old"] != r["new"] for r in ranking)
    changed = (
        bool(top)
        or _any(scenarios)
        or any(_any(c) for c in keyed.values())
        or method is not None
        or ranking_changed
    )
    return {
        "changed": changed,
        "assessment": top,
        "scenarios": scenarios,
        **keyed,
        "method": method,
        "ranking": ranking,
    }
