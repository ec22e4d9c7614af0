"""Published versions of an assessment: publish, read, reproduce, compare."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
