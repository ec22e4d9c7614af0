"""The pages about people: an assessment's members, organisations, analysts and assignments
(:mod:`.members`), its history (:mod:`.history`), and the server's administration
(:mod:`.admin`)."""

from __future__ import annotations

from fastapi import APIRouter

from nsra.server.web import admin, history, members

router = APIRouter(include_in_schema=False)
router.include_router(members.router)
router.include_router(history.router)
router.include_router(admin.router)
