"""The database schema: one table per concept of the assessment file, typed SQLAlchemy 2 models.

Decisions (read before changing):

* SQLite (the default) and PostgreSQL must behave identically: no engine-specific SQL, JSON only
  through :class:`sqlalchemy.JSON`, dates through :class:`sqlalchemy.Date`.
* Every table has an integer surrogate key ``id``, a row ``version`` used by SQLAlchemy for
  optimistic locking (``version_id_col``: an UPDATE of a stale row fails with
  :class:`sqlalchemy.orm.exc.StaleDataError`), and ``created_at`` / ``updated_at``.
* The file's own ids (``pandemic``, ``nccn``) are ``key`` columns, unique per assessment;
  references between rows are foreign keys on the surrogate ids.
* Lists keep their order in a ``position`` column, so an export writes the file's order back.
* Estimates are stored as the analyst wrote them (:class:`SpecColumns`), not as resolved
  positions: the method decides what a class means, and the method can be re-read at any time.
* A method's own version (``2023``) is ``method_version``; ``version`` is the row version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

KEY = 64  # an Identifier of the file (nsra.model.method.Identifier)
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        dict[str, Any]: JSON,
        Any: JSON,
    }


def translated(plain: str, texts: str, limit: int | None = None) -> Any:
    """A text of the file that may be written per language (``TextOrStr``), over two columns:
    a plain text in the ``plain`` column (as before migration 0008), a text per language (or a
    plain text longer than the ``plain`` column's ``limit``) as JSON in the ``texts`` column.
    Reading gives back exactly what was stored, so an export round-trips the file."""

    def get(self: Any) -> Any:
        value = getattr(self, texts)
        return value if value is not None else getattr(self, plain)

    def put(self: Any, value: Any) -> None:
        fits = isinstance(value, str) and (limit is None or len(value) <= limit)
        setattr(self, plain, value if fits or value is None else None)
        setattr(self, texts, None if fits or value is None else value)

    return property(get, put)


class Row:
    """Columns every table has: surrogate id, row version (optimistic locking), timestamps."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, nullable=False
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now, nullable=False
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class SpecColumns:
    """An estimate as written: ``"C"``, ``"C..D"``, ``3``, ``{class: C}``, ``{value: 120}``,
    ``{scale: 2.5}``, each mapping with an optional rationale.

    * ``kind``: ``class``, ``value`` or ``scale``;
    * ``mapping``: written as a mapping (``{class: C}``) rather than bare (``C``);
    * ``class_code``: the class or range text (kind ``class``);
    * ``number``: the value or scale position (kinds ``value`` and ``scale``);
    * ``integral``: the class code or number was written as an integer (``3``, ``{value: 120}``).
    """

    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    mapping: Mapped[bool] = mapped_column(Boolean, nullable=False)
    class_code: Mapped[str | None] = mapped_column(String(40))
    number: Mapped[float | None] = mapped_column(Float)
    integral: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rationale_plain: Mapped[str | None] = mapped_column("rationale", Text)
    rationale_tr: Mapped[Any | None] = mapped_column(JSON)
    rationale = translated("rationale_plain", "rationale_tr")


class MethodRow(Row, Base):
    """A method registered from its file, by id and version; the file's content as JSON."""

    __tablename__ = "methods"
    __table_args__ = (UniqueConstraint("method_id", "method_version"),)

    method_id: Mapped[str] = mapped_column(String(KEY), nullable=False)
    method_version: Mapped[str] = mapped_column(String(32), nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    shipped: Mapped[bool] = mapped_column(Boolean, nullable=False)


class AssessmentRow(Row, Base):
    __tablename__ = "assessments"

    title: Mapped[Any] = mapped_column(JSON, nullable=False)
    method_ref: Mapped[str] = mapped_column(String(500), nullable=False)  # as written in the file
    method_pk: Mapped[int] = mapped_column(ForeignKey("methods.id"), nullable=False, index=True)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    classification: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[Any | None] = mapped_column(JSON)
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # whether the estimates are today's risk with the measures in place, or the risk without any
    measures_basis: Mapped[str] = mapped_column(
        String(16), nullable=False, default="current", server_default="current"
    )
    # the themes catalogue as written in the file (a list of theme items), None without one
    themes: Mapped[Any | None] = mapped_column(JSON)

    method: Mapped[MethodRow] = relationship()
    organisations: Mapped[list[OrganisationRow]] = relationship(
        order_by="OrganisationRow.position", cascade="all, delete-orphan"
    )
    analysts: Mapped[list[AnalystRow]] = relationship(
        order_by="AnalystRow.position", cascade="all, delete-orphan"
    )
    scenarios: Mapped[list[ScenarioRow]] = relationship(
        order_by="ScenarioRow.position", cascade="all, delete-orphan"
    )
    cascades: Mapped[list[CascadeRow]] = relationship(
        order_by="CascadeRow.position", cascade="all, delete-orphan"
    )
    strategies: Mapped[list[StrategyRow]] = relationship(
        order_by="StrategyRow.position", cascade="all, delete-orphan"
    )
    measures: Mapped[list[MeasureRow]] = relationship(
        order_by="MeasureRow.position", cascade="all, delete-orphan"
    )
    developments: Mapped[list[DevelopmentRow]] = relationship(
        order_by="DevelopmentRow.position", cascade="all, delete-orphan"
    )
    capabilities: Mapped[list[CapabilityRow]] = relationship(
        order_by="CapabilityRow.position", cascade="all, delete-orphan"
    )


class _InAssessment:
    """A top-level item of an assessment with its own key (``id`` in the file)."""

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    key: Mapped[str] = mapped_column(String(KEY), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)


class OrganisationRow(_InAssessment, Row, Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    name: Mapped[Any] = mapped_column(JSON, nullable=False)


class AnalystRow(_InAssessment, Row, Base):
    __tablename__ = "analysts"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    name_plain: Mapped[str | None] = mapped_column("name", String(200))
    name_tr: Mapped[Any | None] = mapped_column(JSON)
    name = translated("name_plain", "name_tr", limit=200)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    # The server's user who is this analyst (writes their estimates); None: not linked.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    organisation: Mapped[OrganisationRow] = relationship()


class ScenarioRow(_InAssessment, Row, Base):
    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    title: Mapped[Any] = mapped_column(JSON, nullable=False)
    theme: Mapped[str] = mapped_column(String(200), nullable=False)
    domain: Mapped[str] = mapped_column(String(16), nullable=False)
    # acute or chronic (migration 0008); a chronic risk's trend and horizon (a year)
    kind: Mapped[str] = mapped_column(
        String(8), nullable=False, default="acute", server_default="acute"
    )
    trend: Mapped[str | None] = mapped_column(String(16))
    horizon: Mapped[int | None] = mapped_column(Integer)
    malicious: Mapped[bool] = mapped_column(Boolean, nullable=False)
    actor: Mapped[bool] = mapped_column(Boolean, nullable=False)
    cascade_rule: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    description: Mapped[Any | None] = mapped_column(JSON)

    owner: Mapped[OrganisationRow] = relationship()
    sources: Mapped[list[ScenarioSourceRow]] = relationship(
        order_by="ScenarioSourceRow.position", cascade="all, delete-orphan"
    )
    reinforces: Mapped[list[ReinforcementRow]] = relationship(
        order_by="ReinforcementRow.position",
        cascade="all, delete-orphan",
        foreign_keys="ReinforcementRow.scenario_id",
    )
    estimates: Mapped[list[EstimateRow]] = relationship(
        order_by="EstimateRow.position", cascade="all, delete-orphan"
    )
    consensus: Mapped[list[ConsensusRow]] = relationship(
        order_by="ConsensusRow.position", cascade="all, delete-orphan"
    )


class _SourceColumns:
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    ref: Mapped[str] = mapped_column(Text, nullable=False)
    title_plain: Mapped[str | None] = mapped_column("title", Text)
    title_tr: Mapped[Any | None] = mapped_column(JSON)
    title = translated("title_plain", "title_tr")
    url: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)


class ScenarioSourceRow(_SourceColumns, Row, Base):
    __tablename__ = "scenario_sources"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ReinforcementRow(Row, Base):
    """Scenario ``scenario`` reinforces scenario ``target`` (the file's ``reinforces`` list)."""

    __tablename__ = "scenario_reinforces"
    __table_args__ = (UniqueConstraint("scenario_id", "position"),)

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)

    target: Mapped[ScenarioRow] = relationship(foreign_keys=[target_id])


class EstimateRow(Row, Base):
    """One analyst's judgement of a scenario at one level; the entries hold the estimates."""

    __tablename__ = "estimates"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    analyst_id: Mapped[int] = mapped_column(ForeignKey("analysts.id"), nullable=False, index=True)
    level: Mapped[str | None] = mapped_column(String(KEY))
    rationale_plain: Mapped[str | None] = mapped_column("rationale", Text)
    rationale_tr: Mapped[Any | None] = mapped_column(JSON)
    rationale = translated("rationale_plain", "rationale_tr")

    analyst: Mapped[AnalystRow] = relationship()
    entries: Mapped[list[EstimateEntryRow]] = relationship(
        order_by="EstimateEntryRow.position", cascade="all, delete-orphan"
    )


HORIZON_PREFIX = "horizon:"
"""The ``criterion`` of an entry that holds the likelihood at a horizon (``horizon:2050``); no
criterion id can hold a colon."""


class _EntryColumns(SpecColumns):
    """One estimate of an estimate or consensus: the likelihood (``criterion`` is NULL) or the
    impact on one criterion."""

    position: Mapped[int] = mapped_column(Integer, nullable=False)
    criterion: Mapped[str | None] = mapped_column(String(KEY))


class EstimateEntryRow(_EntryColumns, Row, Base):
    __tablename__ = "estimate_entries"

    estimate_id: Mapped[int] = mapped_column(
        ForeignKey("estimates.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ConsensusRow(Row, Base):
    """The agreed values for a scenario (at one level)."""

    __tablename__ = "consensus"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    level: Mapped[str | None] = mapped_column(String(KEY))
    rationale_plain: Mapped[str | None] = mapped_column("rationale", Text)
    rationale_tr: Mapped[Any | None] = mapped_column(JSON)
    rationale = translated("rationale_plain", "rationale_tr")
    date: Mapped[dt.date | None] = mapped_column(Date)

    entries: Mapped[list[ConsensusEntryRow]] = relationship(
        order_by="ConsensusEntryRow.position", cascade="all, delete-orphan"
    )


class ConsensusEntryRow(_EntryColumns, Row, Base):
    __tablename__ = "consensus_entries"

    consensus_id: Mapped[int] = mapped_column(
        ForeignKey("consensus.id", ondelete="CASCADE"), nullable=False, index=True
    )


class CascadeRow(Row, Base):
    """Cause -> effect. ``by_levels``: the file gives a ``levels`` matrix (the entries carry
    cause and effect level); otherwise one entry without levels is the ``probability``."""

    __tablename__ = "cascades"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    cause_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), nullable=False, index=True)
    effect_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), nullable=False, index=True)
    by_levels: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rationale_plain: Mapped[str | None] = mapped_column("rationale", Text)
    rationale_tr: Mapped[Any | None] = mapped_column(JSON)
    rationale = translated("rationale_plain", "rationale_tr")

    cause: Mapped[ScenarioRow] = relationship(foreign_keys=[cause_id])
    effect: Mapped[ScenarioRow] = relationship(foreign_keys=[effect_id])
    entries: Mapped[list[CascadeEntryRow]] = relationship(
        order_by="CascadeEntryRow.position", cascade="all, delete-orphan"
    )


class CascadeEntryRow(SpecColumns, Row, Base):
    __tablename__ = "cascade_entries"

    cascade_id: Mapped[int] = mapped_column(
        ForeignKey("cascades.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    cause_level: Mapped[str | None] = mapped_column(String(KEY))
    effect_level: Mapped[str | None] = mapped_column(String(KEY))


class StrategyRow(_InAssessment, Row, Base):
    __tablename__ = "strategies"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    title: Mapped[Any] = mapped_column(JSON, nullable=False)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    description: Mapped[Any | None] = mapped_column(JSON)

    owner: Mapped[OrganisationRow] = relationship()
    sources: Mapped[list[StrategySourceRow]] = relationship(
        order_by="StrategySourceRow.position", cascade="all, delete-orphan"
    )


class StrategySourceRow(_SourceColumns, Row, Base):
    __tablename__ = "strategy_sources"

    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), nullable=False, index=True
    )


class MeasureRow(_InAssessment, Row, Base):
    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    title: Mapped[Any] = mapped_column(JSON, nullable=False)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id"), nullable=False, index=True
    )
    phase: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[Any | None] = mapped_column(JSON)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default="in_place", server_default="in_place"
    )
    cost: Mapped[float | None] = mapped_column(Float)  # euros per year
    # as written in the file (shifts as steps or factors); checked before they are stored,
    # scenarios, levels and criteria referred to by their keys; NULL: none
    effects: Mapped[Any | None] = mapped_column(JSON)
    side_effects: Mapped[Any | None] = mapped_column(JSON)

    strategy: Mapped[StrategyRow] = relationship()
    lead: Mapped[OrganisationRow | None] = relationship()
    owners: Mapped[list[MeasureOwnerRow]] = relationship(
        order_by="MeasureOwnerRow.position", cascade="all, delete-orphan"
    )
    scenarios: Mapped[list[MeasureScenarioRow]] = relationship(
        order_by="MeasureScenarioRow.position", cascade="all, delete-orphan"
    )


class MeasureOwnerRow(Row, Base):
    """Association: the organisations owning a measure, in the file's order."""

    __tablename__ = "measure_owners"
    __table_args__ = (UniqueConstraint("measure_id", "position"),)

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)

    organisation: Mapped[OrganisationRow] = relationship()


class MeasureScenarioRow(Row, Base):
    """Association: the scenarios a measure addresses, in the file's order."""

    __tablename__ = "measure_scenarios"
    __table_args__ = (UniqueConstraint("measure_id", "position"),)

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)

    scenario: Mapped[ScenarioRow] = relationship()


class DevelopmentRow(_InAssessment, Row, Base):
    """An international development; its effects on scenarios as written in the file (JSON,
    checked before they are stored, scenarios referred to by their keys)."""

    __tablename__ = "developments"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    title: Mapped[Any] = mapped_column(JSON, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[Any | None] = mapped_column(JSON)
    where: Mapped[Any | None] = mapped_column(JSON)
    horizon: Mapped[int | None] = mapped_column(Integer)
    effects: Mapped[Any] = mapped_column(JSON, nullable=False)

    sources: Mapped[list[DevelopmentSourceRow]] = relationship(
        order_by="DevelopmentSourceRow.position", cascade="all, delete-orphan"
    )


class DevelopmentSourceRow(_SourceColumns, Row, Base):
    __tablename__ = "development_sources"

    development_id: Mapped[int] = mapped_column(
        ForeignKey("developments.id", ondelete="CASCADE"), nullable=False, index=True
    )


class CapabilityRow(_InAssessment, Row, Base):
    """A capability, owned by organisations; the scenarios and phases that need it, and how
    adequate it is, as written in the file (JSON, checked before they are stored)."""

    __tablename__ = "capabilities"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    title: Mapped[Any] = mapped_column(JSON, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[Any | None] = mapped_column(JSON)
    needed: Mapped[Any | None] = mapped_column(JSON)

    owners: Mapped[list[CapabilityOwnerRow]] = relationship(
        order_by="CapabilityOwnerRow.position", cascade="all, delete-orphan"
    )


class CapabilityOwnerRow(Row, Base):
    """Association: the organisations owning a capability, in the file's order."""

    __tablename__ = "capability_owners"
    __table_args__ = (UniqueConstraint("capability_id", "position"),)

    capability_id: Mapped[int] = mapped_column(
        ForeignKey("capabilities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)

    organisation: Mapped[OrganisationRow] = relationship()
