"""Results (nsra.server.api.results): the computed results of an assessment are those of
``nsra compute --format json`` on its file, on SQLite and PostgreSQL. The report's language is
tested in test_downloads."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nsra.cli import app as cli_app
from tests.server.common import UK, UK_LABEL, Callers


def test_results_equal_nsra_compute_json(callers: Callers) -> None:
    computed = CliRunner().invoke(cli_app, ["compute", "--format", "json", str(UK)])
    assert computed.exit_code == 0, computed.output
    expected = json.loads(computed.stdout)
    expected["assessment"].pop("source")
    r = callers.client.get(
        f"/api/assessments/{callers.mine}/results", headers=callers.auth("viewer")
    )
    assert r.status_code == 200
    got = r.json()
    assert got.pop("classification") == UK_LABEL
    got["assessment"].pop("source")
    assert got == expected


def test_strategy_equals_nsra_strategy_json(callers: Callers) -> None:
    computed = CliRunner().invoke(
        cli_app, ["strategy", "--format", "json", "--samples", "0", str(UK)]
    )
    assert computed.exit_code == 0, computed.output
    expected = json.loads(computed.stdout)
    r = callers.client.get(
        f"/api/assessments/{callers.mine}/strategy?samples=0", headers=callers.auth("viewer")
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-classification"] == UK_LABEL
    assert r.json() == expected


def test_strategy_refuses_a_budget_below_zero(callers: Callers) -> None:
    r = callers.client.get(
        f"/api/assessments/{callers.mine}/strategy?budget=-1", headers=callers.auth("viewer")
    )
    assert r.status_code == 422
