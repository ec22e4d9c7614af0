"""The rows of heavy requests made as jobs (:mod:`nsra.server.api.jobs`): who asked, the state,
and the finished document (its bytes, media type, file name and classification)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nsra.server.db.models import Base, Row

UNFINISHED = ("queued", "running")


class JobRow(Row, Base):
    __tablename__ = "jobs"

    user_name: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    assessment_id: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(120), nullable=False)
    filename: Mapped[str] = mapped_column(String(300), nullable=False)
    classification: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
