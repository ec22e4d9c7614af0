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
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nsra.server.db.models import KEY, Base, Row


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
