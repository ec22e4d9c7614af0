"""Shared helpers of the server tests: the example files they import, the JSON a client sends,
the error contract, and a snapshot of every table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from helpers import EXAMPLES_DIR
from nsra.server.db.models import Base

UK = EXAMPLES_DIR / "uk-nsra.yaml"
BE = EXAMPLES_DIR / "be-bnra.yaml"
NL = EXAMPLES_DIR / "nl-integrated.yaml"
UK_LABEL = "OFFICIAL (illustrative example)"
BE_LABEL = "NIET GECLASSIFICEERD / UNCLASSIFIED (illustrative example)"


def upload_body(path: Path) -> dict[str, Any]:
    """An example file as the JSON a client sends."""
    data: dict[str, Any] = json.loads(
        json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)
    )
    return data


def is_error(response: Any, status: int) -> dict[str, Any]:
    """An error response: the status, JSON ``{"error": message, "field": ...}``, no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "field" in body
    assert "Traceback" not in response.text
    return body


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare the database before and after."""
    with engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key))]
            for name, table in Base.metadata.tables.items()
        }
