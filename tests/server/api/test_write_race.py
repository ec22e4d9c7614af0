"""Two writes racing on the same estimate (nsra.server.api.estimates), made deterministic: the
other write is sent from inside the first one, after the first loaded the estimate. Found by the
concurrent-writers backup test in tests/test_backup.py (there on PostgreSQL, by chance).

The race: a write loads the estimate (version v, value C) and checks the client's version
against it; before it commits, another write changes the estimate to D (version v + 1). When the
first write's new value equals the value it loaded (C), the ORM sees no change and emits no
UPDATE, so the version check of the UPDATE (``WHERE version = v``) never runs: the write is
answered 200 and recorded in the audit trail as C, while the database keeps D. The audit trail
then no longer matches the estimates. (With any other value the UPDATE runs, finds version
v + 1 and the write gets 409, as it should: the second case below.) Fixed: a write always
updates the entry's row, so the versioned UPDATE always runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from nsra.io import estimates as io_estimates
from nsra.server.api import estimates, transaction
from nsra.server.db import audit
from tests.helpers import NL_BASE
from tests.server.common import MakeWorld, User

SCENARIO, ANALYST, SLOT = "flood", "a1", "likelihood"  # NL_BASE: a1 estimated C


@pytest.mark.parametrize("value", ["C", "B"])  # C: the value the first write had loaded
def test_a_write_overtaken_by_another_is_refused(
    make_world: MakeWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    source = tmp_path / "nl.yaml"
    source.write_text(NL_BASE, encoding="utf-8")
    w = make_world({"nl": source}, {"root": User("admin")})
    engine, client, a = w.engine, w.client, w.ids["nl"]
    path = f"/api/assessments/{a}/scenarios/{SCENARIO}/estimates/{ANALYST}/{SLOT}"
    headers = w.auth("root")

    if engine.dialect.name == "sqlite":
        # the other write waits once (5 s), not 8 times
        monkeypatch.setattr(transaction, "ATTEMPTS", 1)
    version = client.get(path, headers=headers).json()["version"]
    check = io_estimates.estimate_problem
    overtaken: list[int] = []

    def meanwhile(*args: Any) -> Any:
        """Runs in the first write after it loaded the estimate: the other write, first
        (once: the other write runs this too, and the first may be retried)."""
        if not overtaken:
            overtaken.append(0)
            other = client.put(path, json={"estimate": "D", "version": version}, headers=headers)
            overtaken[0] = other.status_code
        return check(*args)

    monkeypatch.setattr(estimates, "estimate_problem", meanwhile)
    first = client.put(path, json={"estimate": value, "version": version}, headers=headers)
    monkeypatch.setattr(estimates, "estimate_problem", check)
    stored = client.get(path, headers=headers).json()["estimate"]

    with Session(engine) as s:
        key = f"{SCENARIO}/{ANALYST}//{SLOT}"
        newest = [e for e in audit.entries(s, a) if e.entity_key == key][-1]
    if engine.dialect.name == "sqlite":
        # SQLite: a write holds the database's write lock from its first read (BEGIN
        # IMMEDIATE), so the other write cannot get in between: it waits, gives up (one
        # attempt here) with 409, and the first write stands.
        assert overtaken == [409]
        assert first.status_code == 200, first.text
        assert json.loads(newest.new_value or "null") == stored == value
        return
    assert overtaken == [200]
    assert json.loads(newest.new_value or "null") == stored == "D"  # the trail matches the data
    assert first.status_code == 409, first.text  # the overtaken write was refused
