"""The audit trail: an append-only, hash-chained record of every change to the assessments.

Decisions (read before changing):

* One row per change, written by :func:`record` in the same transaction as the change itself,
  so a change without its entry (or an entry without its change) is never committed.
* Each entry carries ``prev_hash`` (the hash of the entry before it) and ``hash``: SHA-256 of the
  canonical serialisation (JSON, sorted keys, no spaces) of its own fields and ``prev_hash``.
  :func:`verify` recomputes the chain, so an edited, deleted or reordered row is found.
* Values are kept as text so that SQLite and PostgreSQL return exactly what was hashed: the
  timestamp as ISO 8601 UTC text, old and new values as canonical JSON text.
* Sequence numbers are unique: two transactions appending at once cannot both commit the same
  number (one fails and is rolled back), so the chain never forks.
* The hash covers every stored column of an entry but ``hash`` itself: since revision 0010
  (``hash_version`` 2) also the bookkeeping columns every table has (``id``, ``version``,
  ``created_at``, ``updated_at``) and ``hash_version``. An entry's id is given by
  :func:`record` (the last id plus one, under the head's row lock, so it is known before the
  hash) and its timestamps are the instant of ``at``, hashed as ISO 8601 UTC text with
  microseconds (what both engines store). Entries written before 0010 keep
  ``hash_version`` 1 and are checked by the rule they were written under (:data:`HASHED`), so
  old chains stay verifiable; along the chain the version never goes down, so an entry cannot
  be passed off under the older, narrower rule.
* The removal of the *last* entries cannot be seen from the chain alone (nothing points to
  them); keep the newest hash elsewhere to detect that.
* ``assessment_id`` is a plain integer, not a foreign key: the trail outlives what it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Index,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from nsra.io.jsondoc import Json
from nsra.server.db.models import KEY, Base, Row

GENESIS = "0" * 64  # prev_hash of the first entry
SERVER = 0  # the assessment id of entries about the server itself (its users and their tokens)
HASHED = (
    "seq",
    "at",
    "user_name",
    "assessment_id",
    "scenario",
    "action",
    "entity_table",
    "entity_key",
    "old_value",
    "new_value",
    "rationale",
    "prev_hash",
)
"""The hashed columns of an entry of ``hash_version`` 1 (written before revision 0010)."""
HASH_VERSION = 2
"""The rule of new entries: every stored column but ``hash``."""
HASHED_BY_VERSION: dict[int, tuple[str, ...]] = {
    1: HASHED,
    2: (*HASHED, "id", "version", "created_at", "updated_at", "hash_version"),
}


class AuditEntryRow(Row, Base):
    __tablename__ = "audit_entries"
    # an assessment's entries in order: its newest entry (the revision the results cache checks
    # on every read) is one index lookup, not a scan of all its entries (migration 0011)
    __table_args__ = (Index("ix_audit_entries_assessment_seq", "assessment_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    at: Mapped[str] = mapped_column(String(40), nullable=False)  # ISO 8601, UTC
    user_name: Mapped[str | None] = mapped_column(String(120), index=True)  # None: the CLI
    assessment_id: Mapped[int] = mapped_column(Integer, nullable=False)
    scenario: Mapped[str | None] = mapped_column(String(KEY))
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    entity_table: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_key: Mapped[str] = mapped_column(String(300), nullable=False)
    old_value: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    new_value: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    rationale: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )


class AuditHeadRow(Row, Base):
    """The newest entry's sequence number and hash, in one row (id 1).

    Appending an entry first increments ``seq`` here: the row lock this takes makes concurrent
    appends wait for each other (on PostgreSQL as on SQLite) instead of forking the chain.
    """

    __tablename__ = "audit_head"

    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: one text for one value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(fields: Json, version: int = 1) -> str:
    """SHA-256 (hex) of the canonical serialisation of the fields that the rule ``version``
    hashes (prev_hash included)."""
    hashed = {k: fields[k] for k in HASHED_BY_VERSION[version]}
    return hashlib.sha256(canonical(hashed).encode("utf-8")).hexdigest()


def instant(value: dt.datetime) -> str:
    """A stored timestamp as hashed: ISO 8601 UTC with microseconds (SQLite gives it back
    without its zone, which is UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="microseconds")


def hashed_fields(row: AuditEntryRow) -> Json:
    """The values of an entry that its rule hashes, as hashed."""
    fields: Json = {k: getattr(row, k) for k in HASHED_BY_VERSION[row.hash_version]}
    for name in ("created_at", "updated_at"):
        if name in fields:
            fields[name] = instant(fields[name])
    return fields


_HEAD_NEXT = (
    update(AuditHeadRow)
    .where(AuditHeadRow.id == 1)
    .values(seq=AuditHeadRow.seq + 1, version=AuditHeadRow.version + 1)
    .execution_options(synchronize_session=False)
)
_HEAD = select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1)
_LAST_ID = select(func.max(AuditEntryRow.id))
_HEAD_HASH = (
    update(AuditHeadRow)
    .where(AuditHeadRow.id == 1)
    .values(hash=bindparam("hash"))
    .execution_options(synchronize_session=False)
)
"""The statements of :func:`record`, built once (every change records an entry)."""


def record(
    session: Session,
    *,
    assessment_id: int,
    action: str,
    entity_table: str,
    entity_key: str,
    old: Any = None,
    new: Any = None,
    user: str | None = None,
    scenario: str | None = None,
    rationale: str | None = None,
) -> AuditEntryRow:
    """Append an entry (flushed, not committed): call it in the transaction of the change.

    The head row is incremented first, so a concurrent append waits for this transaction
    (row lock) and then reads the new head: the chain never forks.
    """
    session.execute(_HEAD_NEXT)
    head = session.execute(_HEAD).one()
    seq, prev_hash = head.seq, head.hash
    last_id = session.scalar(_LAST_ID)
    now = dt.datetime.now(dt.UTC)
    fields: Json = {
        "id": (last_id or 0) + 1,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "hash_version": HASH_VERSION,
        "seq": seq,
        "at": instant(now),
        "user_name": user,
        "assessment_id": assessment_id,
        "scenario": scenario,
        "action": action,
        "entity_table": entity_table,
        "entity_key": entity_key,
        "old_value": None if old is None else canonical(old),
        "new_value": None if new is None else canonical(new),
        "rationale": rationale,
        "prev_hash": prev_hash,
    }
    hashed = {**fields, "created_at": instant(now), "updated_at": instant(now)}
    row = AuditEntryRow(**fields, hash=entry_hash(hashed, HASH_VERSION))
    session.add(row)
    session.execute(_HEAD_HASH, {"hash": row.hash})
    session.flush()
    return row


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


def head(engine: Engine) -> tuple[int, str]:
    """The newest entry's sequence number and hash (0 and the genesis hash when empty): keep
    them outside the database to check later with ``verify(engine, expect=...)``."""
    with Session(engine) as session:
        row = session.get(AuditHeadRow, 1)
        return (0, GENESIS) if row is None else (row.seq, row.hash)


def verify(engine: Engine, expect: tuple[int, str] | None = None) -> list[AuditProblem]:
    """Recompute the chain; empty when the trail is intact.

    The problems: first whether the rows were reordered (sequence numbers not in the order the
    rows were written), then along the chain in sequence order: a gap (deleted entries), a
    ``prev_hash`` that is not the hash of the entry before, a hash that does not match the
    entry's content (edited); last, whether the newest entry is the one the head records (the
    removal of the last entries). The first problem names the first broken sequence number.

    ``expect``: a (sequence number, hash) kept outside the database (:func:`head` earlier); the
    entry with that number must still exist with that hash, which a rewrite of the whole chain
    and its head cannot fake.
    """
    with Session(engine) as session:
        rows = session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.id)).all()
        head = session.get(AuditHeadRow, 1)
    problems: list[AuditProblem] = []
    by_seq = sorted(rows, key=lambda r: r.seq)
    if [r.id for r in by_seq] != [r.id for r in rows]:
        first = next(b for a, b in zip(rows, by_seq, strict=True) if a.id != b.id)
        problems.append(AuditProblem(first.seq, "out of order (sequence numbers were changed)"))
    expected_seq, prev, newest_rule = 1, GENESIS, 1
    for row in by_seq:
        if row.seq != expected_seq:
            missing = (
                f"{expected_seq}"
                if row.seq == expected_seq + 1
                else f"{expected_seq}..{row.seq - 1}"
            )
            problems.append(
                AuditProblem(row.seq, f"entries before it are missing (deleted: {missing})")
            )
        elif row.prev_hash != prev:
            problems.append(
                AuditProblem(row.seq, "its prev_hash is not the hash of the entry before it")
            )
        if row.hash_version not in HASHED_BY_VERSION:
            problems.append(AuditProblem(row.seq, "its hash version is unknown (edited)"))
        elif entry_hash(hashed_fields(row), row.hash_version) != row.hash:
            problems.append(AuditProblem(row.seq, "its content does not match its hash (edited)"))
        if row.hash_version < newest_rule:
            problems.append(
                AuditProblem(row.seq, "its hash version is older than an entry's before it")
            )
        newest_rule = max(newest_rule, row.hash_version)
        expected_seq, prev = row.seq + 1, row.hash
    if expect is not None:
        seq, digest = expect
        kept = next((r for r in by_seq if r.seq == seq), None)
        if seq > 0 and kept is None:
            problems.append(AuditProblem(seq, "the entry kept outside the database is missing"))
        elif kept is not None and kept.hash != digest:
            problems.append(
                AuditProblem(seq, "its hash is not the one kept outside the database (rewritten)")
            )
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev):
        problems.append(
            AuditProblem(
                head.seq,
                "the newest entry is not the one recorded as newest (entries after "
                f"{expected_seq - 1} were deleted, or the head was edited)",
            )
        )
    return problems


def newest_of(assessment_id: int | ColumnElement[int]) -> Select[int]:
    """The sequence number of the assessment's newest entry (None: it has none): it names the
    assessment's content, since every change has an entry. One lookup in the index
    ``ix_audit_entries_assessment_seq`` however long the trail."""
    return select(func.max(AuditEntryRow.seq)).where(AuditEntryRow.assessment_id == assessment_id)


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0


def entries(
    session: Session,
    assessment_id: int,
    scenario: str | None = None,
    user: str | None = None,
) -> list[AuditEntryRow]:
    """An assessment's entries in sequence order, optionally of one scenario and/or user."""
    query = select(AuditEntryRow).where(AuditEntryRow.assessment_id == assessment_id)
    if scenario is not None:
        query = query.where(AuditEntryRow.scenario == scenario)
    if user is not None:
        query = query.where(AuditEntryRow.user_name == user)
    return list(session.scalars(query.order_by(AuditEntryRow.seq)))


def as_dict(row: AuditEntryRow) -> Json:
    """An entry for the API: the values decoded from their JSON text."""
    return {
        "seq": row.seq,
        "at": row.at,
        "user": row.user_name,
        "assessment": row.assessment_id,
        "scenario": row.scenario,
        "action": row.action,
        "entity": {"table": row.entity_table, "key": row.entity_key},
        "old": None if row.old_value is None else json.loads(row.old_value),
        "new": None if row.new_value is None else json.loads(row.new_value),
        "rationale": row.rationale,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def facets(session: Session, assessment_id: int) -> tuple[list[str], list[str]]:
    """The scenarios and the users named in an assessment's entries (to filter them by)."""
    scenarios = session.scalars(
        select(AuditEntryRow.scenario)
        .where(AuditEntryRow.assessment_id == assessment_id, AuditEntryRow.scenario.is_not(None))
        .distinct()
    )
    users = session.scalars(
        select(AuditEntryRow.user_name)
        .where(AuditEntryRow.assessment_id == assessment_id, AuditEntryRow.user_name.is_not(None))
        .distinct()
    )
    return sorted(s for s in scenarios if s), sorted((u for u in users if u), key=str.lower)
