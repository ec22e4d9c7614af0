"""The scenario register (issue 9): the list with search, filters and sorting, the scenario
page, and adding, changing and removing scenarios through the forms, as each role sees it."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from nsra.server.db import audit, import_file
from nsra.server.db.access import MembershipRow, add_user, new_token
from tests.server.common import UK, snapshot

PASSWORD = "correct horse battery staple"


class Html(HTMLParser):
    """A page: its text, its elements by id, its links and its forms' hidden fields."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.by_id: dict[str, dict[str, str]] = {}
        self.texts: dict[str, list[str]] = {}
        self.links: list[str] = []
        self.hidden: dict[str, str] = {}
        self.selected: dict[str, str] = {}
        self.row_titles: list[str] = []
        self._open: list[str] = []
        self._select = ""
        self._row_th = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.by_id[a["id"]] = {"tag": tag, **a}
            self.texts[a["id"]] = []
            self._open.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        if tag == "select":
            self._select = a.get("name", "")
        if tag == "option" and "selected" in a:
            self.selected[self._select] = a.get("value", "")
        if tag == "th" and a.get("scope") == "row":
            self._row_th = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._row_th = False

    def handle_data(self, data: str) -> None:
        if data.strip():
            words = " ".join(data.split())
            self.text.append(words)
            for ident in self._open:
                self.texts[ident].append(words)
            if self._row_th:
                self.row_titles.append(words)

    def of(self, ident: str) -> str:
        """The text of the element with this id and what follows it (enough for a message)."""
        return " ".join(self.texts.get(ident, []))

    @property
    def words(self) -> str:
        return " ".join(self.text)


@dataclass
class Desk:
    """The UK example with a user per role (each signs in with the form) and API tokens."""

    client: TestClient
    aid: int
    tokens: dict[str, str]

    def sign_in(self, who: str) -> None:
        self.client.cookies.clear()
        r = self.client.post(
            "/sign-in",
            data={"user": who, "password": PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text

    def page(self, path: str, status: int = 200) -> Html:
        r = self.client.get(path, follow_redirects=False)
        assert r.status_code == status, r.text
        return Html(r.text)

    def post(self, path: str, data: dict[str, Any], token: str | None = None) -> Any:
        """A form posted with the session's CSRF token (read from a page) unless given."""
        if token is None:
            token = self.page(f"/a/{self.aid}/scenarios").hidden["csrf_token"]
        return self.client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)

    def api(self, who: str, method: str, path: str, **kw: Any) -> Any:
        url = f"/api/assessments/{self.aid}{path}" if not path.startswith("/api") else path
        return self.client.request(
            method, url, headers={"Authorization": f"Bearer {self.tokens[who]}"}, **kw
        )

    def scenarios(self) -> dict[str, Any]:
        r = self.api("coord", "GET", "/scenarios")
        assert r.status_code == 200, r.text
        return {sc["id"]: sc for sc in r.json()["scenarios"]}

    @property
    def engine(self) -> Any:
        return self.client.app.state.engine  # type: ignore[attr-defined]


ROLES = {"coord": "coordinator", "ana": "analyst", "vic": "viewer", "boss": None}


@pytest.fixture
def desk(client: TestClient) -> Desk:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    aid = import_file(engine, str(UK))
    tokens = {}
    with Session(engine) as s, s.begin():
        for name, role in ROLES.items():
            user = add_user(s, name, role or "admin", PASSWORD)
            tokens[name] = new_token(s, user)
            if role is not None:
                s.add(MembershipRow(user_id=user.id, assessment_id=aid, role=role))
    return Desk(client, aid, tokens)


UK_TITLES = {
    "Terrorist attack on a crowded place",
    "Cyber attack on electricity infrastructure",
    "Pandemic",
    "Coastal flooding",
    "Failure of the national electricity transmission system",
    "Conflict involving a NATO ally",
    "Severe space weather",
    "High temperatures and heatwaves",
}


def test_the_register_lists_every_scenario_with_its_results(desk: Desk) -> None:
    desk.sign_in("vic")
    page = desk.page(f"/a/{desk.aid}/scenarios")
    assert page.by_id["main"]
    assert set(page.row_titles) == UK_TITLES
    assert "8 of 8 scenarios" in page.words
    # each title opens its scenario page, as the dashboard's markers do
    assert f"/a/{desk.aid}/scenarios/pandemic" in page.links


def test_search_filters_and_sorting_really_filter(desk: Desk) -> None:
    desk.sign_in("vic")
    base = f"/a/{desk.aid}/scenarios"
    # words of the title or of the description; every word must occur
    page = desk.page(f"{base}?q=electricity")
    assert set(page.row_titles) == {
        "Cyber attack on electricity infrastructure",
        "Failure of the national electricity transmission system",
    }
    assert "2 of 8 scenarios" in page.words
    assert page.by_id["q"]["value"] == "electricity"  # the form keeps the search
    page = desk.page(f"{base}?q=cyber+electricity")
    assert page.row_titles == ["Cyber attack on electricity infrastructure"]
    # theme, owner, domain and malicious, and sorted by title
    page = desk.page(f"{base}?theme=natural+hazards&sort=title")
    assert page.row_titles == [
        "Coastal flooding",
        "High temperatures and heatwaves",
        "Severe space weather",
    ]
    assert page.selected == {"theme": "natural hazards", "sort": "title"}
    page = desk.page(f"{base}?owner=desnz")
    assert set(page.row_titles) == {
        "Cyber attack on electricity infrastructure",
        "Failure of the national electricity transmission system",
    }
    assert page.selected["owner"] == "desnz"
    page = desk.page(f"{base}?domain=external")
    assert page.row_titles == ["Conflict involving a NATO ally"]
    page = desk.page(f"{base}?malicious=yes&domain=both&sort=title")
    assert page.row_titles == [
        "Cyber attack on electricity infrastructure",
        "Terrorist attack on a crowded place",
    ]
    assert page.selected == {"domain": "both", "malicious": "yes", "sort": "title"}
    page = desk.page(f"{base}?malicious=no")
    assert len(page.row_titles) == 5 and "Pandemic" in page.row_titles
    # sorted by owner: the owners' names in order
    page = desk.page(f"{base}?sort=owner&theme=natural+hazards")
    assert page.row_titles[0] == "Coastal flooding"  # defra before dhsc and dsit by name
    # by rank (the default): ranks ascending, the unranked last
    results = desk.api("vic", "GET", "/results").json()["scenarios"]
    by_rank = sorted(results, key=lambda e: (e["rank"] is None, e["rank"] or 0))
    assert desk.page(base).row_titles == [e["title"] for e in by_rank]
    assert desk.page(f"{base}?sort=rank").row_titles == [e["title"] for e in by_rank]
    # nothing matches: the empty state, the count and a way back
    page = desk.page(f"{base}?q=zzzz-nothing")
    assert page.row_titles == []
    assert "0 of 8 scenarios" in page.words
    assert "No scenario matches this search and these filters." in page.words
    assert base in page.links
    # an unknown value is ignored, not an error
    assert len(desk.page(f"{base}?sort=evil&domain=space").row_titles) == 8


def test_the_register_in_dutch(desk: Desk) -> None:
    desk.sign_in("vic")
    desk.client.get(f"/language/nl?back=/a/{desk.aid}/scenarios")
    page = desk.page(f"/a/{desk.aid}/scenarios?q=zzzz")
    assert "Scenarioregister" in page.words
    assert "Zoeken in titels en beschrijvingen" in page.words
    assert "0 van 8 scenario's" in page.words
    assert "Geen scenario voldoet aan deze zoekopdracht en filters." in page.words
    scenario = desk.page(f"/a/{desk.aid}/scenarios/pandemic")
    assert "Bronnen" in scenario.words and "Uitkomsten" in scenario.words


def test_the_scenario_page(desk: Desk) -> None:
    desk.sign_in("coord")
    page = desk.page(f"/a/{desk.aid}/scenarios/pandemic")
    words = page.words
    assert "Pandemic" in page.of("main")
    for label in ("Theme", "health", "Owner", "Results", "Likelihood", "Impact class", "Risk"):
        assert label in words, label
    assert "Spread of the analysts (likelihood)" in words
    # the estimates per analyst, and the consensus with its rationale
    assert "Likelihood and impact" in words
    analysts = {"co-analyst", "ukhsa-analyst", "mod-analyst"}
    uk = desk.scenarios()["pandemic"]
    shown = {e["analyst"] for e in uk["estimates"]}
    assert shown and shown <= analysts
    assert uk["consensus"][0]["rationale"] in words
    assert "No cascades from or to this scenario." in words  # the UK example has none
    assert f"/a/{desk.aid}/estimates/pandemic" in page.links
    assert f"/a/{desk.aid}/history?scenario=pandemic" in page.links
    assert f"/a/{desk.aid}/scenarios/pandemic/edit" in page.links
    # an unknown scenario is a 404 page; a stranger signs in first
    assert "no scenario" in desk.page(f"/a/{desk.aid}/scenarios/nope", 404).words
    desk.client.cookies.clear()
    r = desk.client.get(f"/a/{desk.aid}/scenarios/pandemic", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


FORM = {
    "id": "drought",
    "title_en": "Prolonged drought",
    "title_nl": "Langdurige droogte",
    "title_fr": "",
    "description_en": "Two dry summers in a row.",
    "description_nl": "",
    "description_fr": "",
    "theme": "natural hazards",
    "domain": "internal",
    "owner": "defra",
    "malicious": "",
    "rationale": "added after the workshop",
}


@pytest.mark.parametrize("who", ["vic", "ana"])
def test_viewers_and_analysts_see_no_edit_controls_and_cannot_post(desk: Desk, who: str) -> None:
    desk.sign_in(who)
    aid = desk.aid
    register = desk.page(f"/a/{aid}/scenarios")
    scenario = desk.page(f"/a/{aid}/scenarios/pandemic")
    for page in (register, scenario):
        assert "Add a scenario" not in page.words
        assert not [link for link in page.links if link.endswith(("/new", "/edit", "/remove"))]
        assert not [link for link in page.links if "/history" in link]
    assert ("Estimate this scenario" in scenario.words) == (who == "ana")
    for path in ("/scenarios/new", "/scenarios/pandemic/edit", "/scenarios/pandemic/remove"):
        assert desk.client.get(f"/a/{aid}{path}").status_code == 403
    before = snapshot(desk.engine)
    token = register.hidden["csrf_token"]  # a real session and token: only the role refuses
    edit = {**FORM, "id": "", "version": "1"}
    for path, data in (
        ("/scenarios/new", FORM),
        ("/scenarios/pandemic/edit", edit),
        ("/scenarios/high-temperatures-heatwaves/remove", {"version": "1"}),
    ):
        r = desk.post(f"/a/{aid}{path}", data, token)
        assert r.status_code == 403, path
        assert "does not allow this" in Html(r.text).words
    assert snapshot(desk.engine) == before


def test_a_form_without_the_csrf_token_is_refused(desk: Desk) -> None:
    desk.sign_in("coord")
    before = snapshot(desk.engine)
    r = desk.post(f"/a/{desk.aid}/scenarios/new", FORM, token="forged")
    assert r.status_code == 403
    assert snapshot(desk.engine) == before


def test_a_coordinator_adds_a_scenario_through_the_form(desk: Desk) -> None:
    desk.sign_in("coord")
    register = desk.page(f"/a/{desk.aid}/scenarios")
    assert f"/a/{desk.aid}/scenarios/new" in register.links
    form = desk.page(f"/a/{desk.aid}/scenarios/new")
    assert form.by_id["id"]["tag"] == "input"
    assert {"title_en", "title_nl", "title_fr"} <= set(form.by_id)
    assert form.hidden["version"] == ""
    r = desk.post(f"/a/{desk.aid}/scenarios/new", FORM, form.hidden["csrf_token"])
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/a/{desk.aid}/scenarios/drought?created=1"
    stored = desk.scenarios()["drought"]
    assert stored == {
        "id": "drought",
        "title": {"en": "Prolonged drought", "nl": "Langdurige droogte"},
        "theme": "natural hazards",
        "domain": "internal",
        "malicious": False,
        "owner": "defra",
        "description": {"en": "Two dry summers in a row."},
    }
    page = desk.page(r.headers["location"])
    assert "The scenario was added." in page.words
    assert "No analyst has estimated this scenario yet." in page.words
    assert "Prolonged drought" in desk.page(f"/a/{desk.aid}/scenarios").row_titles
    with Session(desk.engine) as s:
        entry = audit.entries(s, desk.aid)[-1]
    assert entry.action == "scenarios.create" and entry.rationale == "added after the workshop"
    assert entry.user_name == "coord"
    # the same id again: shown at the id, nothing stored
    before = snapshot(desk.engine)
    again = Html(desk.post(f"/a/{desk.aid}/scenarios/new", FORM).text)
    assert again.by_id["id"]["aria-invalid"] == "true"
    assert "There is already a scenario with this id." in again.of("id-error")
    assert snapshot(desk.engine) == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"owner": "nowhere"}, "owner", "unknown organisation 'nowhere'"),
        ({"title_en": "", "title_nl": " "}, "title", "give the text in at least one language"),
        ({"theme": ""}, "theme", "needs at least 1 characters"),
        ({"id": "two words"}, "id", "is not a valid id"),
        ({"domain": ""}, "domain", "internal"),
    ],
)
def test_a_bad_field_shows_the_checkers_message_there_and_stores_nothing(
    desk: Desk, change: dict[str, str], field: str, message: str
) -> None:
    desk.sign_in("coord")
    before = snapshot(desk.engine)
    r = desk.post(f"/a/{desk.aid}/scenarios/new", {**FORM, **change})
    assert r.status_code == 200  # the form again (a 4xx page is a console error)
    page = Html(r.text)
    assert message in page.of(f"{field}-error")
    assert "Nothing was saved: correct the fields marked below." in page.words
    target = page.by_id["title_en" if field == "title" else field]
    assert target["aria-invalid"] == "true"
    assert f"{field}-error" in target["aria-describedby"].split()
    # the typed values are kept
    assert page.by_id["title_nl"]["value"] == change.get("title_nl", "Langdurige droogte")
    assert "Two dry summers in a row." in page.of("description_en")
    assert page.selected["owner"] == change.get("owner", "defra")
    assert snapshot(desk.engine) == before


def test_every_bad_field_is_marked_at_once(desk: Desk) -> None:
    desk.sign_in("coord")
    before = snapshot(desk.engine)
    bad = {**FORM, "title_en": "", "title_nl": "", "owner": "nowhere", "theme": ""}
    page = Html(desk.post(f"/a/{desk.aid}/scenarios/new", bad).text)
    for field in ("title", "owner", "theme"):
        assert page.of(f"{field}-error"), field
    assert page.by_id["owner"]["aria-invalid"] == "true"
    assert page.by_id["theme"]["aria-invalid"] == "true"
    assert "aria-invalid" not in page.by_id["domain"]
    assert snapshot(desk.engine) == before


def test_editing_changes_the_fields_of_the_form_and_keeps_the_others(desk: Desk) -> None:
    desk.sign_in("coord")
    before = desk.scenarios()["pandemic"]
    form = desk.page(f"/a/{desk.aid}/scenarios/pandemic/edit")
    assert "id" not in form.by_id  # the id is not changed
    assert form.by_id["title_en"]["value"] == "Pandemic"
    assert form.selected == {"domain": "both", "owner": "dhsc"}
    version = form.hidden["version"]
    data = {
        "title_en": "Pandemic influenza",
        "title_nl": "Grieppandemie",
        "description_en": "A new influenza virus.",
        "theme": "health",
        "domain": "both",
        "owner": "dhsc",
        "malicious": "",
        "rationale": "narrowed to influenza",
        "version": version,
    }
    r = desk.post(f"/a/{desk.aid}/scenarios/pandemic/edit", data)
    assert r.status_code == 303 and r.headers["location"].endswith("/pandemic?saved=1")
    after = desk.scenarios()["pandemic"]
    assert after["title"] == {"en": "Pandemic influenza", "nl": "Grieppandemie"}
    assert after["description"] == {"en": "A new influenza virus."}
    for kept in ("sources", "estimates", "consensus"):
        assert after.get(kept) == before.get(kept), kept
    assert "The scenario was saved." in desk.page(r.headers["location"]).words
    with Session(desk.engine) as s:
        entry = audit.entries(s, desk.aid)[-1]
    assert entry.action == "scenarios.update" and entry.rationale == "narrowed to influenza"
    # the old version again: a conflict, nothing written
    snap = snapshot(desk.engine)
    stale = desk.post(f"/a/{desk.aid}/scenarios/pandemic/edit", {**data, "title_en": "Flu"})
    assert stale.status_code == 200
    assert snapshot(desk.engine) == snap


def test_a_concurrent_change_shows_theirs_and_lets_the_user_keep_theirs_or_take_the_other(
    desk: Desk,
) -> None:
    desk.sign_in("coord")
    form = desk.page(f"/a/{desk.aid}/scenarios/coastal-flooding/edit")
    version = form.hidden["version"]
    # meanwhile someone else changes the title through the API
    current = desk.api("boss", "GET", "/scenarios/coastal-flooding").json()
    item = {**current["item"], "title": {"en": "Storm surge on the east coast"}}
    put = desk.api(
        "boss", "PUT", "/scenarios/coastal-flooding", json={"item": item, "version": version}
    )
    assert put.status_code == 200, put.text
    mine = {
        "title_en": "Coastal flooding (North Sea)",
        "theme": "natural hazards",
        "domain": "internal",
        "owner": "defra",
        "version": version,
    }
    snap = snapshot(desk.engine)
    r = desk.post(f"/a/{desk.aid}/scenarios/coastal-flooding/edit", mine)
    page = Html(r.text)
    assert r.status_code == 200 and snapshot(desk.engine) == snap
    assert "Someone else changed this scenario after you opened the form." in page.words
    conflict = page.of("conflict-title")
    assert "Storm surge on the east coast" in conflict  # theirs
    assert "Coastal flooding (North Sea)" in conflict  # mine
    assert page.by_id["title_en"]["value"] == "Coastal flooding (North Sea)"  # kept
    assert page.hidden["version"] == str(put.json()["version"])
    assert f"/a/{desk.aid}/scenarios/coastal-flooding/edit" in page.links  # take theirs
    theirs = desk.page(f"/a/{desk.aid}/scenarios/coastal-flooding/edit")
    assert theirs.by_id["title_en"]["value"] == "Storm surge on the east coast"
    # keep mine: the form now carries the current version
    again = desk.post(
        f"/a/{desk.aid}/scenarios/coastal-flooding/edit",
        {**mine, "version": page.hidden["version"]},
    )
    assert again.status_code == 303
    assert desk.scenarios()["coastal-flooding"]["title"] == {"en": "Coastal flooding (North Sea)"}


def test_removing_a_scenario_asks_first(desk: Desk) -> None:
    desk.sign_in("boss")  # an administrator may too
    confirm = desk.page(f"/a/{desk.aid}/scenarios/high-temperatures-heatwaves/remove")
    assert "together with its estimates (2) and consensus (0)" in confirm.words
    r = desk.post(
        f"/a/{desk.aid}/scenarios/high-temperatures-heatwaves/remove",
        {"version": confirm.hidden["version"], "rationale": "merged into drought"},
    )
    assert r.status_code == 303
    assert "high-temperatures-heatwaves" not in desk.scenarios()
    page = desk.page(r.headers["location"])
    assert "The scenario high-temperatures-heatwaves was removed." in page.words
    assert "7 of 7 scenarios" in page.words
    with Session(desk.engine) as s:
        entry = audit.entries(s, desk.aid)[-1]
    assert entry.action == "scenarios.delete" and entry.rationale == "merged into drought"
    # a scenario a measure still addresses is not removed: the checker's message
    before = snapshot(desk.engine)
    confirm = desk.page(f"/a/{desk.aid}/scenarios/pandemic/remove")
    r = desk.post(
        f"/a/{desk.aid}/scenarios/pandemic/remove", {"version": confirm.hidden["version"]}
    )
    assert r.status_code == 200
    words = Html(r.text).words
    assert "The scenario was not removed:" in words and "measures" in words
    assert snapshot(desk.engine) == before
    # a stale version: asked again, nothing removed
    r = desk.post(f"/a/{desk.aid}/scenarios/coastal-flooding/remove", {"version": "999"})
    assert r.status_code == 200
    assert "changed this scenario in the meantime" in Html(r.text).words
    assert snapshot(desk.engine) == before


# -- an open round: an analyst sees only her own estimates until she submits ---------------

HEAT, FLOOD = "heatwave", "flooding"
BASE = {
    "title": {"en": "Delphi test"},
    "method": "uk-nsra-2023",
    "date": "2026-11-01",
    "classification": "RESTRICTED (test)",
    "organisations": [{"id": "cabinet-office", "name": "Cabinet Office"}],
    "analysts": [],
    "scenarios": [
        {
            "id": sid,
            "title": {"en": sid.capitalize()},
            "theme": "natural hazards",
            "domain": "internal",
            "malicious": False,
            "owner": "cabinet-office",
        }
        for sid in (HEAT, FLOOD)
    ],
}


def _estimate(desk: Desk, who: str, analyst: str, slot: str, value: str) -> None:
    path = f"/scenarios/{HEAT}/estimates/{analyst}/{slot}"
    r = desk.api(who, "PUT", path, json={"estimate": value, "version": None})
    assert r.status_code == 200, r.text


def test_an_analyst_in_an_open_round_does_not_see_the_others_estimates(desk: Desk) -> None:
    with Session(desk.engine) as s, s.begin():
        bob = add_user(s, "bob", "analyst", PASSWORD)
        desk.tokens["bob"] = new_token(s, bob)
    made = desk.api("coord", "POST", "/api/assessments", json=BASE)
    assert made.status_code == 201, made.text
    desk.aid = made.json()["id"]
    calls = [
        ("POST", "/organisations", {"id": "defra", "name": "DEFRA"}),
        ("POST", "/organisations", {"id": "dhsc", "name": "DHSC"}),
        ("PUT", "/analysts/defra-1", {"organisation": "defra", "user": "ana"}),
        ("PUT", "/analysts/dhsc-1", {"organisation": "dhsc", "user": "bob"}),
        ("PUT", f"/assignments/{HEAT}/defra-1", None),
        ("PUT", f"/assignments/{HEAT}/dhsc-1", None),
        ("POST", "/rounds", {"note": "first"}),
    ]
    for method, path, body in calls:
        r = desk.api("coord", method, path, json=body)
        assert r.status_code in (200, 201), r.text
    _estimate(desk, "ana", "defra-1", "likelihood", "2")
    _estimate(desk, "bob", "dhsc-1", "likelihood", "5")
    _estimate(desk, "bob", "dhsc-1", "human-welfare", "4")

    def columns(page: Html) -> set[str]:
        return {a for a in ("defra-1", "dhsc-1") if a in page.words}

    desk.sign_in("ana")
    page = desk.page(f"/a/{desk.aid}/scenarios/{HEAT}")
    assert columns(page) == {"defra-1"}  # her own estimate only
    assert "The round is open: the other analysts' estimates" in page.words
    # never more than the API shows her
    api = desk.api("ana", "GET", "/scenarios").json()["scenarios"]
    assert {e["analyst"] for sc in api if sc["id"] == HEAT for e in sc["estimates"]} == {"defra-1"}
    assert "Estimate this scenario" in page.words
    assert "Edit" not in page.words.split()
    desk.sign_in("coord")
    assert columns(desk.page(f"/a/{desk.aid}/scenarios/{HEAT}")) == {"defra-1", "dhsc-1"}
    # once she submits, she sees the others' estimates
    r = desk.api("ana", "POST", f"/scenarios/{HEAT}/submit", json={})
    assert r.status_code == 201, r.text
    desk.sign_in("ana")
    page = desk.page(f"/a/{desk.aid}/scenarios/{HEAT}")
    assert columns(page) == {"defra-1", "dhsc-1"}
    assert "The round is open" not in page.words
