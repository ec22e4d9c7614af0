"""The coherence page: the strategies x scenarios matrix with its gaps, and the forms that create,
change and remove strategies and measures through the API's own write (its checker, its version
check, its roles, its audit trail)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nsra.server.db import import_file
from nsra.server.db.access import MembershipRow, add_user
from nsra.server.web.pages import LANG_COOKIE
from tests.server.common import NL, UK, snapshot

PASSWORD = "correct horse battery staple"
CONTENT = (
    "strategies",
    "strategy_sources",
    "measures",
    "measure_owners",
    "measure_scenarios",
    "audit_entries",
)
GAP = "heat-wave-drought"  # a serious risk of the NL example that no measure addresses


class _Page(HTMLParser):
    """The words of a page, its forms' hidden fields, the attributes of every element by id,
    and the links and buttons it offers."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.hidden: dict[str, str] = {}
        self.by_id: dict[str, dict[str, str]] = {}
        self.hrefs: list[str] = []
        self.forms: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        if "id" in a:
            self.by_id[a["id"]] = {"tag": tag, **a}
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "form":
            self.forms.append(a.get("action", ""))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(" ".join(data.split()))

    @property
    def words(self) -> str:
        return " ".join(self.text)


@pytest.fixture
def nl(client: TestClient) -> tuple[TestClient, int]:
    """The NL example with a coordinator (cora), an analyst (ana) and a viewer (vic)."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assessment = import_file(engine, str(NL))
    with Session(engine) as s, s.begin():
        for name, role in (("cora", "coordinator"), ("ana", "analyst"), ("vic", "viewer")):
            user = add_user(s, name, role, PASSWORD)
            s.add(MembershipRow(user_id=user.id, assessment_id=assessment, role=role))
    return client, assessment


def sign_in(client: TestClient, user: str) -> None:
    r = client.post("/sign-in", data={"user": user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303


def page(client: TestClient, url: str) -> _Page:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert "Traceback" not in r.text
    return _Page(r.text)


def content(client: TestClient) -> dict[str, Any]:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    rows = snapshot(engine)
    return {name: rows[name] for name in CONTENT}


def api(client: TestClient, url: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return r.json()


def gaps_in_report(client: TestClient, assessment: int) -> str:
    """The report's list of serious risks without a measure (its gap box), as text."""
    html = client.get(f"/api/assessments/{assessment}/report").text
    found = re.search(r'<ul class="plain gapbox">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


MEASURE = {
    "id": "heat-plan",
    "title_en": "National heat plan",
    "title_nl": "Nationaal hitteplan",
    "title_fr": "",
    "strategy": "national-security-strategy",
    "phase": "prepare",
    "owners": ["vws", "ienw"],
    "scenarios": [GAP],
    "description_en": "",
    "description_nl": "",
    "description_fr": "",
    "rationale": "the heat wave had no measure",
}


def test_the_matrix_shows_strategies_scenarios_and_gaps(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "vic")
    p = page(client, f"/a/{a}/coherence")
    words = p.words
    for strategy in ("National security strategy", "International security strategy"):
        assert strategy in words
    assert "Gap: no measure addresses this serious risk" in words  # words, not colour alone
    assert "Serious risks without any measure: 2" in words
    assert "Strategies that address no serious risk" in words
    assert "Measures owned by several ministries" in words
    # gaps are rows of the matrix and of the phone list, and listed with their owner
    html = client.get(f"/a/{a}/coherence").text
    assert html.count('<tr class="gap">') == 2 and html.count('<li class="gap">') == 2
    assert 'scope="col"' in html and 'scope="row"' in html
    # a reader sees no edit controls
    assert not [h for h in p.hrefs if "/coherence/" in h]
    assert p.forms == ["/sign-out"]
    assert "Coordinators add and change strategies and measures." in words


def test_a_coordinator_closes_a_gap_with_a_new_measure(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    before = page(client, f"/a/{a}/coherence")
    assert f"/a/{a}/coherence/new-measure?scenario={GAP}" in before.hrefs
    assert "heat wave and drought" in gaps_in_report(client, a)
    form = page(client, f"/a/{a}/coherence/new-measure?scenario={GAP}")
    assert form.by_id[f"sc-{GAP}"].get("checked") is not None  # the gap is ticked already
    r = client.post(
        f"/a/{a}/coherence/new-measure",
        data={**MEASURE, "csrf_token": form.hidden["csrf_token"], "version": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/a/{a}/coherence?done=saved"
    after = page(client, f"/a/{a}/coherence?done=saved")
    assert "Saved." in after.words and "Serious risks without any measure: 1" in after.words
    assert "National heat plan" in after.words
    assert "heat wave and drought" not in gaps_in_report(client, a)  # the report agrees
    stored = api(client, f"/api/assessments/{a}/measures/heat-plan")
    assert stored["item"] == {
        "id": "heat-plan",
        "title": {"en": "National heat plan", "nl": "Nationaal hitteplan"},
        "owners": ["vws", "ienw"],
        "strategy": "national-security-strategy",
        "phase": "prepare",
        "scenarios": [GAP],
    }
    trail = api(client, f"/api/assessments/{a}/audit")
    entries = trail["entries"] if isinstance(trail, dict) else trail
    last = entries[-1]
    assert last["action"] == "measures.create" and last["rationale"] == MEASURE["rationale"]


def test_an_unknown_reference_is_shown_at_its_field_and_nothing_is_stored(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence/new-measure").hidden["csrf_token"]
    before = content(client)
    r = client.post(
        f"/a/{a}/coherence/new-measure",
        data={**MEASURE, "strategy": "no-such-strategy", "csrf_token": token, "version": ""},
    )
    p = _Page(r.text)
    assert r.status_code == 200
    assert "Nothing was saved: see the fields marked below." in p.words
    message = p.by_id["err-strategy"]
    assert message["tag"] == "p"
    assert "unknown strategy 'no-such-strategy'" in p.words
    select = p.by_id["strategy"]
    assert select["aria-invalid"] == "true" and select["aria-describedby"] == "err-strategy"
    assert "no-such-strategy (not known)" in p.words  # what was sent is kept, and said
    assert p.by_id["title_en"]["value"] == "National heat plan"  # typed values kept
    assert p.by_id[f"sc-{GAP}"].get("checked") is not None
    assert content(client) == before


def test_empty_fields_are_marked_by_the_checker(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence/new-strategy").hidden["csrf_token"]
    before = content(client)
    r = client.post(
        f"/a/{a}/coherence/new-strategy",
        data={"csrf_token": token, "id": "bad id", "scope": "national", "owner": "jenv"},
    )
    p = _Page(r.text)
    assert r.status_code == 200 and p.by_id["id"]["aria-invalid"] == "true"
    assert "'bad id' is not a valid id" in p.words
    r = client.post(
        f"/a/{a}/coherence/new-strategy",
        data={"csrf_token": token, "id": "climate", "scope": "national", "owner": "jenv"},
    )
    p = _Page(r.text)
    assert p.by_id["title_en"]["aria-invalid"] == "true"
    assert p.by_id["title_en"]["aria-describedby"] == "err-title"
    assert "give the text in at least one language" in p.words
    assert content(client) == before


def test_a_strategy_is_created_edited_and_keeps_what_the_form_does_not_show(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence").hidden["csrf_token"]
    r = client.post(
        f"/a/{a}/coherence/new-strategy",
        data={
            "csrf_token": token,
            "id": "climate-adaptation",
            "title_en": "Climate adaptation strategy",
            "title_fr": "Stratégie d'adaptation au climat",
            "scope": "national",
            "owner": "ienw",
            "rationale": "new policy",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    created = api(client, f"/api/assessments/{a}/strategies/climate-adaptation")
    assert created["item"]["title"] == {
        "en": "Climate adaptation strategy",
        "fr": "Stratégie d'adaptation au climat",
    }
    words = page(client, f"/a/{a}/coherence").words
    assert "Climate adaptation strategy" in words
    # edit one with sources (not on the form): they are kept
    url = f"/a/{a}/coherence/strategies/national-security-strategy"
    old = api(client, f"/api/assessments/{a}/strategies/national-security-strategy")
    form = page(client, url)
    assert form.hidden["version"] == str(old["version"])
    assert form.by_id["title_nl"]["value"] == "Nationale veiligheidsstrategie"
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "version": form.hidden["version"],
            "title_en": "National security strategy 2026",
            "title_nl": "Nationale veiligheidsstrategie",
            "description_en": "Renewed.",
            "description_nl": old["item"]["description"]["nl"],
            "scope": "national",
            "owner": "jenv",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    new = api(client, f"/api/assessments/{a}/strategies/national-security-strategy")
    assert new["item"]["title"] == {
        "en": "National security strategy 2026",
        "nl": "Nationale veiligheidsstrategie",
    }
    assert new["item"]["description"] == {"nl": old["item"]["description"]["nl"], "en": "Renewed."}
    assert new["item"]["sources"] == old["item"]["sources"]
    assert new["version"] == old["version"] + 1


def test_a_conflict_shows_their_values_and_lets_me_keep_mine(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    url = f"/a/{a}/coherence/measures/threat-level-and-surveillance"
    form = page(client, url)
    token, read = form.hidden["csrf_token"], form.hidden["version"]
    fields = {
        "csrf_token": token,
        "title_en": "Threat levels",
        "strategy": "counter-terrorism-strategy",
        "phase": "prevent",
        "owners": ["jenv"],
        "scenarios": ["jihadist-attack-public-transport"],
    }
    # someone else saves first
    other = {**fields, "title_en": "Their title", "version": read}
    assert client.post(url, data=other, follow_redirects=False).status_code == 303
    before = content(client)
    r = client.post(url, data={**fields, "version": read})
    p = _Page(r.text)
    assert r.status_code == 200 and "Someone else changed this" in p.words
    assert "Their current values" in p.words and "Their title" in p.words
    assert p.by_id["title_en"]["value"] == "Threat levels"  # mine, still in the form
    assert p.hidden["version"] == str(int(read) + 1)  # theirs: saving again keeps mine
    assert url in p.hrefs  # take theirs: the form afresh
    assert content(client) == before
    kept = client.post(url, data={**fields, "version": p.hidden["version"]}, follow_redirects=False)
    assert kept.status_code == 303
    item = api(client, f"/api/assessments/{a}/measures/threat-level-and-surveillance")["item"]
    assert item["title"]["en"] == "Threat levels"


def test_creating_an_existing_identifier_is_shown_at_the_identifier(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence").hidden["csrf_token"]
    before = content(client)
    r = client.post(
        f"/a/{a}/coherence/new-measure",
        data={**MEASURE, "id": "threat-level-and-surveillance", "csrf_token": token},
    )
    p = _Page(r.text)
    assert p.by_id["id"]["aria-invalid"] == "true"
    assert "This identifier is already used" in p.words
    assert content(client) == before


def test_removing_a_strategy_measures_use_is_refused_with_the_checkers_message(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "cora")
    url = f"/a/{a}/coherence/strategies/counter-terrorism-strategy"
    form = page(client, url)
    before = content(client)
    r = client.post(
        url + "/remove",
        data={"csrf_token": form.hidden["csrf_token"], "version": form.hidden["version"]},
    )
    p = _Page(r.text)
    assert r.status_code == 200
    assert "Not removed: unknown strategy 'counter-terrorism-strategy'" in p.words
    assert "Measures that still use this strategy" in p.words
    assert "Threat level system and protection of public transport hubs" in p.words
    assert content(client) == before


def test_removing_a_measure_and_then_its_strategy(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence").hidden["csrf_token"]
    r = client.post(
        f"/a/{a}/coherence/new-strategy",
        data={
            "csrf_token": token,
            "id": "short-lived",
            "title_en": "Short-lived",
            "scope": "international",
            "owner": "bz",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = f"/a/{a}/coherence/strategies/short-lived"
    form = page(client, url)
    r = client.post(
        url + "/remove",
        data={"csrf_token": token, "version": form.hidden["version"], "rationale": "a test"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?done=removed")
    assert client.get(f"/api/assessments/{a}/strategies/short-lived").status_code == 404
    assert "Removed." in page(client, r.headers["location"]).words
    entries = api(client, f"/api/assessments/{a}/audit")
    last = (entries["entries"] if isinstance(entries, dict) else entries)[-1]
    assert last["action"] == "strategies.delete" and last["rationale"] == "a test"


@pytest.mark.parametrize("user", ["vic", "ana"])
def test_readers_and_analysts_see_no_edit_controls_and_cannot_post(
    nl: tuple[TestClient, int], user: str
) -> None:
    client, a = nl
    sign_in(client, user)
    p = page(client, f"/a/{a}/coherence")
    assert not [h for h in p.hrefs if "/coherence/" in h]
    assert client.get(f"/a/{a}/coherence/new-measure").status_code == 403
    url = f"/a/{a}/coherence/strategies/national-security-strategy"
    assert client.get(url).status_code == 403
    token = p.hidden["csrf_token"]
    version = str(
        api(client, f"/api/assessments/{a}/strategies/national-security-strategy")["version"]
    )
    before = content(client)
    forged = [
        (f"/a/{a}/coherence/new-measure", {**MEASURE, "csrf_token": token}),
        (
            url,
            {
                "csrf_token": token,
                "version": version,
                "title_en": "X",
                "scope": "national",
                "owner": "jenv",
            },
        ),
        (url + "/remove", {"csrf_token": token, "version": version}),
        (f"/a/{a}/coherence/measures/threat-level-and-surveillance/remove", {"csrf_token": token}),
    ]
    for target, data in forged:
        r = client.post(target, data=data, follow_redirects=False)
        assert r.status_code == 403, target
        assert "Not allowed" in _Page(r.text).words
    assert content(client) == before


def test_a_post_without_the_csrf_token_is_refused(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    before = content(client)
    r = client.post(f"/a/{a}/coherence/new-measure", data=MEASURE, follow_redirects=False)
    assert r.status_code == 403
    assert content(client) == before


def test_no_strategies_is_an_empty_state(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    a = import_file(engine, str(UK))
    with Session(engine) as s, s.begin():
        user = add_user(s, "cora", "coordinator", PASSWORD)
        s.add(MembershipRow(user_id=user.id, assessment_id=a, role="coordinator"))
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence").hidden["csrf_token"]
    for kind in ("measures", "strategies"):
        for entry in api(client, f"/api/assessments/{a}/{kind}")[kind]:
            r = client.delete(
                f"/api/assessments/{a}/{kind}/{entry['item']['id']}",
                params={"version": entry["version"]},
                headers={"X-CSRF-Token": token},
            )
            assert r.status_code == 200, r.text
    p = page(client, f"/a/{a}/coherence")
    assert "No strategies are recorded in this assessment yet" in p.words
    assert f"/a/{a}/coherence/new-strategy" in p.hrefs


def test_the_page_and_form_speak_dutch(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    client.cookies.set(LANG_COOKIE, "nl")
    sign_in(client, "cora")
    p = page(client, f"/a/{a}/coherence")
    assert "Strategieën en scenario's" in p.words
    assert "Lacune: geen maatregel pakt dit ernstige risico aan" in p.words
    assert "Maatregel toevoegen" in p.words
    form = page(client, f"/a/{a}/coherence/new-measure")
    assert "Scenario's die de maatregel aanpakt" in form.words and "Opslaan" in form.words


def test_a_stranger_is_sent_to_sign_in(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    r = client.get(f"/a/{a}/coherence", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/sign-in?next=/a/{a}/coherence"
