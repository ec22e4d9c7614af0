"""The Strategy page: the strategy analysis of the member's view, laid out from the report's
section, with a budget form whose problems are said at the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from nsra.server.db import import_file
from nsra.server.db.access import MembershipRow, add_user
from nsra.server.web.pages import LANG_COOKIE
from tests.server.common import NL, UK
from tests.server.web.test_coherence import PASSWORD, page, sign_in


@pytest.fixture
def two(client: TestClient) -> tuple[TestClient, int, int]:
    """The NL and UK examples with a viewer (vic) of both."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    nl = import_file(engine, str(NL))
    uk = import_file(engine, str(UK))
    with Session(engine) as s, s.begin():
        user = add_user(s, "vic", "viewer", PASSWORD)
        for a in (nl, uk):
            s.add(MembershipRow(user_id=user.id, assessment_id=a, role="viewer"))
    return client, nl, uk


def test_a_viewer_reads_the_strategy_with_a_portfolio(two: tuple[TestClient, int, int]) -> None:
    client, nl, _ = two
    sign_in(client, "vic")
    p = page(client, f"/a/{nl}/strategy?budget=150M&samples=0")
    words = p.words
    for heading in (
        "Risk today and with the planned measures",
        "International developments",
        "Which proposals to fund",
        "Capability gaps",
        "Coherence of the national and international strategy",
    ):
        assert heading in words
    api = client.get(f"/api/assessments/{nl}/strategy?budget=150000000&samples=0").json()
    best = [m["title"] for m in api["measures"] if m["id"] in api["portfolio"]["best"]["measures"]]
    assert best and all(title in words for title in best)
    assert f"/api/assessments/{nl}/report?lang=en&budget=150000000" in p.hrefs
    assert f"/a/{nl}/scenarios/armed-conflict-nato-eastern-border" in p.hrefs


def test_without_a_budget_there_is_no_portfolio(two: tuple[TestClient, int, int]) -> None:
    client, nl, _ = two
    sign_in(client, "vic")
    words = page(client, f"/a/{nl}/strategy?samples=0").words
    assert "International developments" in words and "Which proposals to fund" not in words


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("budget=lots", "budget", "'lots' is not an amount in euros"),
        ("budget=-5", "budget", "the budget must be 0 or more euros"),
        ("samples=99999", "samples", "A whole number from 0 to 1000"),
    ],
)
def test_a_bad_form_is_said_at_its_field(
    two: tuple[TestClient, int, int], query: str, field: str, message: str
) -> None:
    client, nl, _ = two
    sign_in(client, "vic")
    p = page(client, f"/a/{nl}/strategy?{query}")
    assert p.by_id[field].get("aria-invalid") == "true"
    assert message in p.words
    assert "Risk today and with the planned measures" not in p.words


def test_an_assessment_without_strategy_data_says_so(two: tuple[TestClient, int, int]) -> None:
    client, _, uk = two
    sign_in(client, "vic")
    words = page(client, f"/a/{uk}/strategy").words
    assert "has no international developments, measure effects or capabilities yet" in words


def test_the_page_speaks_dutch(two: tuple[TestClient, int, int]) -> None:
    client, nl, _ = two
    sign_in(client, "vic")
    client.cookies.set(LANG_COOKIE, "nl")
    words = page(client, f"/a/{nl}/strategy?samples=0").words
    assert "Risico nu en met de geplande maatregelen" in words
    assert "Jaarbudget voor voorgestelde maatregelen" in words
    assert "Risk today" not in words and "Yearly budget" not in words
