"""The report download has the strategy section when the assessment has strategy data, the
portfolio when a budget is given; a budget that is no amount is a 422."""

from __future__ import annotations

import pytest

import nsra
from nsra.server.api.downloads import report_response
from tests.server.common import NL, UK, MakeWorld, User, World, is_error


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world(
        {"nl": NL, "uk": UK},
        {"vera": User("viewer", {"nl": "viewer", "uk": "viewer"})},
    )


def test_the_report_response_has_the_strategy_section() -> None:
    loaded = nsra.read(str(NL))
    results = nsra.compute(loaded)
    plain = bytes(report_response(loaded, results, "nl", None, "r.html", "label").body).decode()
    assert 'id="strategy"' in plain and 'id="strategy-portfolio"' not in plain
    funded = report_response(loaded, results, "en", None, "r.html", "label", budget=150e6)
    assert 'id="strategy-portfolio"' in bytes(funded.body).decode()
    uk = nsra.read(str(UK))
    other = report_response(uk, nsra.compute(uk), "en", None, "r.html", "label")
    assert 'id="strategy"' not in bytes(other.body).decode()


def test_the_report_endpoint_has_the_strategy_section(world: World) -> None:
    path = f"/api/assessments/{world.ids['nl']}/report"
    funded = world.call("vera", "GET", path, params={"budget": 150_000_000})
    assert funded.status_code == 200, funded.text
    assert 'id="strategy-portfolio"' in funded.text


def test_the_report_endpoint_takes_a_budget(world: World) -> None:
    path = f"/api/assessments/{world.ids['uk']}/report"
    r = world.call("vera", "GET", path, params={"budget": 150_000_000})
    assert r.status_code == 200 and 'id="strategy"' not in r.text


@pytest.mark.parametrize("budget", ["-1", "lots", "1e16"])
def test_a_budget_that_is_no_amount_is_422(world: World, budget: str) -> None:
    path = f"/api/assessments/{world.ids['nl']}/report"
    body = is_error(world.call("vera", "GET", path, params={"budget": budget}), 422)
    assert body["field"] == "query.budget"
