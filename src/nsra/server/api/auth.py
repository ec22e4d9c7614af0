"""Signing in: API tokens for scripts, session cookies for browsers (with CSRF protection),
and rate-limited login attempts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from nsra.server.api.access import bearer_user
from nsra.server.db.access import UserRow

router = APIRouter()


def request_user(session: Session, request: Request) -> UserRow:
    """The user making the request; 401 when nobody is signed in."""
    return bearer_user(session, request)
