"""The registered methods: what assessments may be made with (every signed-in user reads them)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from nsra.io.jsondoc import Json
from nsra.server.api.deps import UserDep
from nsra.server.api.transaction import SessionDep
from nsra.server.db.models import MethodRow

router = APIRouter()


@router.get("/api/methods")
def list_methods(s: SessionDep, _user: UserDep) -> list[Json]:
    """The registered methods (id, version, title, shipped)."""
    rows = s.scalars(select(MethodRow).order_by(MethodRow.method_id, MethodRow.method_version))
    return [
        {
            "id": r.method_id,
            "version": r.method_version,
            "title": r.content.get("title"),
            "shipped": r.shipped,
        }
        for r in rows
    ]
