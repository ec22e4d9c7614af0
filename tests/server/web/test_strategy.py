"""The page "Developments and capabilities" and the forms for international developments,
capabilities and the strategy fields of measures (status, lead, cost, effects, side effects):
every write is the API's own (its checker, version check, roles and audit trail)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nsra.server.db import import_file
from nsra.server.db.access import MembershipRow, add_user
from nsra.server.web.pages import LANG_COOKIE
from tests.server.common import NL, UK, snapshot
from tests.server.web.test_coherence import PASSWORD, _Page, api, page, sign_in

CONTENT = (
    "developments",
    "development_sources",
    "capabilities",
    "capability_owners",
    "measures",
    "assessments",
    "audit_entries",
)
WAR, GAS = "armed-conflict-nato-eastern-border", "gas-supply-disruption"
MEASURE = "threat-level-and-surveillance"  # addresses the two terrorism scenarios


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


def error_at(html: str, name: str) -> str:
    """The message shown at a form field."""
    found = re.search(rf'<p class="field-error" id="err-{name}">(.*?)</p>', html, re.S)
    assert found, f"no message at {name}"
    return unescape(found.group(1)).strip()


def content(client: TestClient) -> dict[str, Any]:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    rows = snapshot(engine)
    return {name: rows[name] for name in CONTENT}


DEVELOPMENT: dict[str, Any] = {
    "id": "arctic",
    "title_en": "Arctic shipping routes open",
    "title_nl": "Arctische vaarroutes gaan open",
    "title_fr": "",
    "kind": "climate",
    "where_en": "Arctic",
    "where_nl": "",
    "where_fr": "",
    "horizon": "2040",
    "effects": (
        f"- scenario: {WAR}\n"
        "  likelihood: {steps: 0.5, low: 0, high: 1}\n"
        "  confidence: low\n"
        f"- scenario: {GAS}\n"
        "  impact: {'3.1': 0.5}\n"
    ),
    "description_en": "",
    "description_nl": "",
    "description_fr": "",
    "rationale": "new trade routes",
}


def test_a_reader_sees_developments_capabilities_and_measures_in_words(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "vic")
    coherence = page(client, f"/a/{a}/coherence")
    assert f"/a/{a}/developments" in coherence.hrefs
    p = page(client, f"/a/{a}/developments")
    words = p.words
    assert "International developments" in words and "Capabilities" in words
    assert "Further escalation between Russia and NATO" in words
    assert "Geopolitical · Eastern Europe and the Baltic · horizon 2030" in words
    assert "+1 class (+0.5 to +1.5)" in words  # {steps: 1, low: 0.5, high: 1.5}
    assert "×1.5 (×1.1 to ×2)" in words  # {factor: 1.5, low: 1.1, high: 2.0}
    assert "Undersea surveillance assets (ships, sensors, drones)" in words
    assert "✗ insufficient" in words and "◐ partly" in words  # a sign and a word
    assert "€45,000,000" in words and "proposed" in words
    assert "All the scenarios it addresses: Likelihood: −0.5 class (−1 to −0.25)" in words
    assert "+0.5 class (0 to +1)" in words  # no "+0"
    assert "Side effect: raises" in words
    assert "today's risk, with the measures in place (current risk)" in words
    assert not [h for h in p.hrefs if "/coherence/" in h]  # no edit controls
    assert p.forms == ["/sign-out"]
    html = client.get(f"/a/{a}/developments").text
    assert 'scope="col"' in html and 'scope="row"' in html and "data-label=" in html


def test_a_coordinator_adds_a_development_with_its_effects(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    listing = page(client, f"/a/{a}/developments")
    assert f"/a/{a}/coherence/new-development" in listing.hrefs
    form = page(client, f"/a/{a}/coherence/new-development")
    assert form.by_id["effects"]["tag"] == "textarea"
    assert form.by_id["effects"]["aria-describedby"] == "hint-effects"
    r = client.post(
        f"/a/{a}/coherence/new-development",
        data={**DEVELOPMENT, "csrf_token": form.hidden["csrf_token"], "version": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/a/{a}/developments?done=saved"
    assert "Saved." in page(client, r.headers["location"]).words
    stored = api(client, f"/api/assessments/{a}/developments/arctic")
    assert stored["item"] == {
        "id": "arctic",
        "title": {"en": "Arctic shipping routes open", "nl": "Arctische vaarroutes gaan open"},
        "kind": "climate",
        "where": {"en": "Arctic"},
        "horizon": 2040,
        "effects": [
            {
                "scenario": WAR,
                "likelihood": {"steps": 0.5, "low": 0, "high": 1},
                "confidence": "low",
            },
            {"scenario": GAS, "impact": {"3.1": 0.5}},
        ],
    }
    trail = api(client, f"/api/assessments/{a}/audit")
    last = (trail["entries"] if isinstance(trail, dict) else trail)[-1]
    assert last["action"] == "developments.create" and last["rationale"] == "new trade routes"
    assert "added the development arctic" in page(client, f"/a/{a}/history").words
    # the form of the stored development shows the effects as they are written
    edit = page(client, f"/a/{a}/coherence/developments/arctic")
    r = client.get(f"/a/{a}/coherence/developments/arctic")
    assert "likelihood: {steps: 0.5, low: 0, high: 1}" in r.text
    assert edit.by_id["horizon"]["value"] == "2040"
    # and it is removed again
    r = client.post(
        f"/a/{a}/coherence/developments/arctic/remove",
        data={"csrf_token": edit.hidden["csrf_token"], "version": "1", "rationale": "gone"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/a/{a}/developments?done=removed"
    assert client.get(f"/api/assessments/{a}/developments/arctic").status_code == 404


@pytest.mark.parametrize(
    ("effects", "shown"),
    [
        (
            f"- scenario: {WAR}\n  likelihood: 1\n- scenario: atlantis-sinks\n  likelihood: 1\n",
            "Line 3 (entry 2, scenario): ",
        ),
        (f"- scenario: {WAR}\n  likelihood: [1\n", "Line 3: this cannot be read:"),
        ("", "the field 'effects' is required"),  # none: the checker's message at the field
    ],
)
def test_a_bad_effect_is_shown_at_the_field_with_its_line_and_nothing_is_stored(
    nl: tuple[TestClient, int], effects: str, shown: str
) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence/new-development").hidden["csrf_token"]
    before = content(client)
    r = client.post(
        f"/a/{a}/coherence/new-development",
        data={**DEVELOPMENT, "effects": effects, "csrf_token": token, "version": ""},
    )
    p = _Page(r.text)
    assert r.status_code == 200
    assert "Nothing was saved: see the fields marked below." in p.words
    box = p.by_id["effects"]
    assert box["aria-invalid"] == "true" and box["aria-describedby"] == "hint-effects err-effects"
    message = error_at(r.text, "effects")
    assert message.startswith(shown), message
    if "atlantis" in effects:
        assert "atlantis-sinks" in message
    assert p.by_id["title_en"]["value"] == DEVELOPMENT["title_en"]  # typed values kept
    assert effects.strip() in r.text.replace("&#39;", "'")
    assert content(client) == before


def _measure_form(client: TestClient, a: int) -> tuple[_Page, dict[str, Any]]:
    """The measure's form, and what it posts as it is (every field it shows)."""
    form = page(client, f"/a/{a}/coherence/measures/{MEASURE}")
    stored = api(client, f"/api/assessments/{a}/measures/{MEASURE}")
    m = stored["item"]
    data: dict[str, Any] = {
        "csrf_token": form.hidden["csrf_token"],
        "version": str(stored["version"]),
        "title_en": m["title"]["en"],
        "title_nl": m["title"]["nl"],
        "title_fr": "",
        "description_en": "",
        "description_nl": "",
        "description_fr": "",
        "strategy": m["strategy"],
        "phase": m["phase"],
        "owners": m["owners"],
        "scenarios": m["scenarios"],
        "status": form.by_id["status"].get("value", "in_place"),
        "lead": m.get("lead", ""),
        "cost": form.by_id["cost"]["value"],
        "effects": "",
        "side_effects": "",
        "rationale": "",
    }
    return form, data


def test_a_measures_status_lead_cost_and_effects_are_edited_in_its_form(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "cora")
    form, data = _measure_form(client, a)
    html = client.get(f"/a/{a}/coherence/measures/{MEASURE}").text
    assert form.by_id["cost"]["value"] == "45000000"
    assert "likelihood: {steps: -0.5, low: -1, high: -0.25}" in html  # its effects, as written
    assert '<option value="jenv" selected>' in html  # the lead
    sid = api(client, f"/api/assessments/{a}/measures/{MEASURE}")["item"]["scenarios"][0]
    data.update(
        status="planned",
        cost="12 500 000",
        effects=f"- scenario: {sid}\n  likelihood: {{factor: 0.8}}\n  confidence: high\n",
        side_effects="- {scenario: pandemic, direction: lowers}\n",
        rationale="budget agreed",
    )
    r = client.post(f"/a/{a}/coherence/measures/{MEASURE}", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    item = api(client, f"/api/assessments/{a}/measures/{MEASURE}")["item"]
    assert item["status"] == "planned" and item["cost"] == 12500000 and item["lead"] == "jenv"
    assert item["effects"] == [
        {"scenario": sid, "likelihood": {"factor": 0.8}, "confidence": "high"}
    ]
    assert item["side_effects"] == [{"scenario": "pandemic", "direction": "lowers"}]
    listing = page(client, f"/a/{a}/developments")
    assert "€12,500,000" in listing.words and "planned" in listing.words
    # emptied fields are left out: no cost, no lead, no effects; in place is the default
    form, data = _measure_form(client, a)
    data.update(status="in_place", cost="", lead="", effects="", side_effects="")
    r = client.post(f"/a/{a}/coherence/measures/{MEASURE}", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    item = api(client, f"/api/assessments/{a}/measures/{MEASURE}")["item"]
    assert not {"status", "cost", "lead", "effects", "side_effects"} & set(item)


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"cost": "a lot"}, "cost", "'a lot' is not a number"),
        ({"cost": "-5"}, "cost", "must be at least 0"),
        ({"lead": "vws"}, "lead", "the lead 'vws' must be one of the measure's owners"),
        ({"effects": "- likelihood: 1\n"}, "effects", "Line 1 (entry 1, likelihood): a measure's"),
        ({"side_effects": "- {scenario: pandemic}\n"}, "side_effects", "Line 1 (entry 1"),
    ],
)
def test_a_bad_measure_field_shows_the_checkers_message_there(
    nl: tuple[TestClient, int], change: dict[str, str], field: str, says: str
) -> None:
    client, a = nl
    sign_in(client, "cora")
    _form, data = _measure_form(client, a)
    before = content(client)
    r = client.post(f"/a/{a}/coherence/measures/{MEASURE}", data={**data, **change})
    assert r.status_code == 200
    assert says in error_at(r.text, field)
    p = _Page(r.text)
    assert p.by_id[field]["aria-invalid"] == "true"
    assert content(client) == before


def test_an_older_form_without_the_new_fields_keeps_them(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    _form, data = _measure_form(client, a)
    before = api(client, f"/api/assessments/{a}/measures/{MEASURE}")["item"]
    for name in ("status", "lead", "cost", "effects", "side_effects"):
        del data[name]
    data["title_en"] = "Threat levels"
    r = client.post(f"/a/{a}/coherence/measures/{MEASURE}", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = api(client, f"/api/assessments/{a}/measures/{MEASURE}")["item"]
    assert after == {**before, "title": {**before["title"], "en": "Threat levels"}}


CAPABILITY: dict[str, Any] = {
    "id": "field-hospitals",
    "title_en": "Field hospitals",
    "title_nl": "Veldhospitalen",
    "title_fr": "Hôpitaux de campagne",
    "kind": "materiel",
    "owners": ["vws", "defensie"],
    "needed": "- {scenario: pandemic, phases: [respond], adequacy: partly}\n",
    "description_en": "",
    "description_nl": "",
    "description_fr": "",
    "rationale": "",
}


def test_a_capability_is_added_with_its_needs_and_a_repeat_is_refused(
    nl: tuple[TestClient, int],
) -> None:
    client, a = nl
    sign_in(client, "cora")
    token = page(client, f"/a/{a}/coherence/new-capability").hidden["csrf_token"]
    twice = CAPABILITY["needed"] * 2
    r = client.post(
        f"/a/{a}/coherence/new-capability",
        data={**CAPABILITY, "needed": twice, "csrf_token": token, "version": ""},
    )
    assert r.status_code == 200
    assert error_at(r.text, "needed").startswith(
        "Line 2 (entry 2, phases): 'pandemic' in the phase"
    )
    r = client.post(
        f"/a/{a}/coherence/new-capability",
        data={**CAPABILITY, "csrf_token": token, "version": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303
    item = api(client, f"/api/assessments/{a}/capabilities/field-hospitals")["item"]
    assert item["owners"] == ["vws", "defensie"] and item["kind"] == "materiel"
    assert item["needed"] == [{"scenario": "pandemic", "phases": ["respond"], "adequacy": "partly"}]
    listing = page(client, f"/a/{a}/developments")
    assert "Field hospitals" in listing.words and "Materiel · " in listing.words


def test_the_measures_basis_is_set_by_a_coordinator(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    sign_in(client, "cora")
    p = page(client, f"/a/{a}/developments")
    assert f"/a/{a}/developments/basis" in p.forms
    data = {"csrf_token": p.hidden["csrf_token"], "version": p.hidden["version"]}
    r = client.post(
        f"/a/{a}/developments/basis",
        data={**data, "measures_basis": "inherent", "rationale": "we estimated without"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/a/{a}/developments?done=basis"
    assert api(client, f"/api/assessments/{a}/measures-basis")["item"] == "inherent"
    assert "changed what the estimates describe" in page(client, f"/a/{a}/history").words
    # a stale version: nothing written, the current choice shown with a message
    r = client.post(f"/a/{a}/developments/basis", data={**data, "measures_basis": "current"})
    assert r.status_code == 200 and "Someone changed this" in error_at(r.text, "basis")
    assert api(client, f"/api/assessments/{a}/measures-basis")["item"] == "inherent"
    new = _Page(r.text).hidden["version"]
    r = client.post(
        f"/a/{a}/developments/basis", data={**data, "version": new, "measures_basis": "sometimes"}
    )
    assert r.status_code == 200 and "current" in error_at(r.text, "basis")


@pytest.mark.parametrize("user", ["vic", "ana"])
def test_readers_and_analysts_cannot_post(nl: tuple[TestClient, int], user: str) -> None:
    client, a = nl
    sign_in(client, user)
    p = page(client, f"/a/{a}/developments")
    token = p.hidden["csrf_token"]
    assert client.get(f"/a/{a}/coherence/new-development").status_code == 403
    assert client.get(f"/a/{a}/coherence/capabilities/mass-evacuation-plans").status_code == 403
    before = content(client)
    forged: list[tuple[str, dict[str, Any]]] = [
        (f"/a/{a}/coherence/new-development", DEVELOPMENT),
        (f"/a/{a}/coherence/new-development", {**DEVELOPMENT, "effects": "[unreadable"}),
        (f"/a/{a}/coherence/new-capability", CAPABILITY),
        (f"/a/{a}/coherence/developments/ai-enabled-attacks/remove", {"version": "1"}),
        (f"/a/{a}/coherence/measures/{MEASURE}", {"version": "1", "cost": "1", "status": "x"}),
        (f"/a/{a}/developments/basis", {"version": "1", "measures_basis": "inherent"}),
    ]
    for target, data in forged:
        r = client.post(target, data={**data, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403, target
    assert content(client) == before


def test_no_developments_or_capabilities_is_an_empty_state(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    a = import_file(engine, str(UK))
    with Session(engine) as s, s.begin():
        user = add_user(s, "cora", "coordinator", PASSWORD)
        s.add(MembershipRow(user_id=user.id, assessment_id=a, role="coordinator"))
    sign_in(client, "cora")
    p = page(client, f"/a/{a}/developments")
    assert "No international developments are recorded yet." in p.words
    assert "No capabilities are recorded yet." in p.words
    assert f"/a/{a}/coherence/new-development" in p.hrefs


def test_the_page_and_forms_speak_dutch(nl: tuple[TestClient, int]) -> None:
    client, a = nl
    client.cookies.set(LANG_COOKIE, "nl")
    sign_in(client, "cora")
    p = page(client, f"/a/{a}/developments")
    assert (
        "Ontwikkelingen en capaciteiten" in p.words and "Internationale ontwikkelingen" in p.words
    )
    assert "ontoereikend" in p.words and "voorgesteld" in p.words
    assert "Verdere escalatie tussen Rusland en de NAVO" in p.words
    form = page(client, f"/a/{a}/coherence/measures/{MEASURE}")
    assert "Kosten per jaar (euro)" in form.words and "Neveneffecten" in form.words
    form = page(client, f"/a/{a}/coherence/new-capability")
    assert "Nodig voor" in form.words and "Nieuwe capaciteit" in form.words


def test_nested_lists_read_back_from_their_text_exactly() -> None:
    """What a form shows of every nested list of the example reads back as the same data."""
    from nsra.io.safeyaml import load
    from nsra.io.validate import read_assessment
    from nsra.server.web.coherence import written_text

    a = read_assessment(str(NL)).assessment
    lists = [
        *(
            m.model_dump(mode="json", exclude_defaults=True).get(k)
            for m in a.measures
            for k in ("effects", "side_effects")
        ),
        *(d.model_dump(mode="json", exclude_defaults=True)["effects"] for d in a.developments),
        *(c.model_dump(mode="json", exclude_defaults=True).get("needed") for c in a.capabilities),
    ]
    shown = [x for x in lists if x]
    assert len(shown) > 40
    for items in shown:
        text = written_text(items)
        assert load(text, "form") == items, text
        assert text.count("\n- ") + 1 == len(items) and text.startswith("- ")
    assert written_text([]) == "" and written_text(None) == ""
    assert written_text([{"likelihood": {"steps": -0.5, "low": -1}, "rationale": "a: b"}]) == (
        "- likelihood: {steps: -0.5, low: -1}\n  rationale: 'a: b'\n"
    )
