"""Estimate entry in the pages, on the demo world (the data of ``nsra serve --demo``): what an
analyst sees and saves, the checks and messages, save conflicts, rounds, and who may not."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from nsra.server.db import audit
from tests.server.web.demo_world import Form, api, demo, sign_in, text

__all__ = ["demo"]  # the fixture

SCENARIO = "jihadist-attack-public-transport"
PAGE = f"/a/1/estimates/{SCENARIO}"


def stored(c: TestClient, slot: str = "likelihood") -> dict[str, Any]:
    path = f"/api/assessments/1/scenarios/{SCENARIO}/estimates/nctv-analyst/{slot}"
    r = api(c, "demo-coordinator", "GET", path)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_analyst_sees_the_scale_with_bounds_and_descriptors(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    listing = demo.get("/a/1/estimates")
    assert listing.status_code == 200
    assert "Jihadist attack on public transport" in text(listing.text)
    page = demo.get(PAGE)
    words = text(page.text)
    assert page.status_code == 200
    assert "Estimates of Analyst, NCTV (fictitious)" in words
    # the likelihood scale of the method: each class with its label, bounds in the unit, note
    assert "A very unlikely 0 – 0.0005 probability over 5 years" in words
    assert "E very likely 0.5 – 1 probability over 5 years" in words
    # a criterion with its interest and its classes' descriptors
    assert "Fatalities Physical security" in words
    form = Form(page.text)
    assert form.values["s0-class"] == "D"  # the stored estimate is chosen
    assert form.radios["s0-class"] == ["A", "B", "C", "D", "E"]  # stored: no "none" choice


def test_saving_stores_the_estimate_as_a_file_writes_it_with_its_rationale(
    demo: TestClient,
) -> None:
    sign_in(demo, "nctv-analyst")
    form = Form(demo.get(PAGE).text)
    before = stored(demo)
    data = dict(form.values)
    data["s0-class"], data["s0-to"], data["s0-rationale"] = "B", "C", "New intelligence."
    r = demo.post(PAGE, data=data, follow_redirects=False)
    assert r.status_code == 303 and "saved=1" in r.headers["location"], r.text
    after = stored(demo)
    # the rationale is edited in the page's language (English); its Dutch text is kept
    old = before["estimate"]["rationale"]
    assert set(old) == {"en", "nl"}
    assert after["estimate"] == {"class": "B..C", "rationale": {**old, "en": "New intelligence."}}
    assert after["version"] == before["version"] + 1
    with Session(demo.app.state.engine) as s:  # type: ignore[attr-defined]
        last = audit.entries(s, 1, scenario=SCENARIO)[-1]
        assert last.user_name == "nctv-analyst" and last.rationale == "New intelligence."
        assert last.entity_key == f"{SCENARIO}/nctv-analyst//likelihood"
    # saving the unchanged form again writes nothing
    again = Form(demo.get(PAGE + "?analyst=nctv-analyst").text).values
    r = demo.post(PAGE, data=again, follow_redirects=False)
    assert "saved=0" in r.headers["location"]
    assert stored(demo)["version"] == after["version"]


def test_a_value_in_the_unit_is_stored_as_a_value(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    html = demo.get(PAGE).text
    data = Form(html).values
    key, criterion = _slot_of(html, "Fatalities")
    data[f"{key}-class"], data[f"{key}-value"] = "", "1234,5"  # a Dutch decimal comma
    data[f"{key}-rationale"] = "counted"
    old = stored(demo, criterion)["estimate"]["rationale"]
    r = demo.post(PAGE, data=data, follow_redirects=False)
    assert r.status_code == 303, text(r.text)
    assert stored(demo, criterion)["estimate"] == {
        "value": 1234.5,
        "rationale": {**old, "en": "counted"},
    }
    shown = Form(demo.get(PAGE).text).values
    assert shown[f"{key}-value"] == "1234.5" and shown.get(f"{key}-class", "") == ""


def _slot_of(html: str, label: str) -> tuple[str, str]:
    """The form key and the criterion id of the slot whose legend starts with ``label``."""
    found = re.search(
        r'<fieldset class="slot[^"]*" id="(s\d+)" data-slot="([^"]+)"[^>]*>\s*'
        r'<legend><span class="slot-label">' + re.escape(label),
        html,
    )
    assert found, label
    return found.group(1), found.group(2)


def test_contradicting_fields_show_a_message_at_the_slot_and_store_nothing(
    demo: TestClient,
) -> None:
    sign_in(demo, "nctv-analyst")
    before = stored(demo)
    data = Form(demo.get(PAGE).text).values
    data["s0-class"], data["s0-value"] = "B", "0.01"
    r = demo.post(PAGE, data=data, follow_redirects=False)
    assert r.status_code == 200
    words = text(r.text)
    assert "Nothing was saved: see the messages at the estimates below." in words
    assert "Give a class or a value, not both." in words
    assert 'aria-describedby="s0-problem"' in r.text
    assert stored(demo) == before


def test_a_save_conflict_shows_the_other_value_and_loses_nothing(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    mine = Form(demo.get(PAGE).text).values  # read version v
    current = stored(demo)
    # meanwhile the coordinator changes the same estimate
    r = api(
        demo,
        "demo-coordinator",
        "PUT",
        f"/api/assessments/1/scenarios/{SCENARIO}/estimates/nctv-analyst/likelihood",
        json={"estimate": "E", "rationale": "coordinator's view", "version": current["version"]},
    )
    assert r.status_code == 200, r.text
    mine["s0-class"], mine["s0-rationale"] = "A", "my view"
    page = demo.post(PAGE, data=mine, follow_redirects=False)
    assert page.status_code == 200
    words = text(page.text)
    assert "someone else changed some of these estimates" in words
    assert "demo-coordinator changed this estimate" in words and "E" in words
    assert stored(demo)["estimate"] == "E"  # nothing of mine was written
    back = Form(page.text).values
    assert back["s0-class"] == "A" and back["s0-rationale"] == "my view"  # what I typed
    # keep mine: saved over theirs, knowingly
    back["s0-resolve"] = "mine"
    r = demo.post(PAGE, data=back, follow_redirects=False)
    assert r.status_code == 303, text(r.text)
    assert stored(demo)["estimate"] == {"class": "A", "rationale": "my view"}


def test_taking_the_other_value_writes_nothing_of_mine(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    mine = Form(demo.get(PAGE).text).values
    current = stored(demo)
    api(
        demo,
        "demo-coordinator",
        "PUT",
        f"/api/assessments/1/scenarios/{SCENARIO}/estimates/nctv-analyst/likelihood",
        json={"estimate": "E", "version": current["version"]},
    )
    mine["s0-class"] = "A"
    back = Form(demo.post(PAGE, data=mine).text).values
    back["s0-resolve"] = "theirs"
    r = demo.post(PAGE, data=back, follow_redirects=False)
    assert r.status_code == 303
    assert stored(demo)["estimate"] == "E"


def test_a_viewer_has_no_estimate_pages_and_a_forged_post_is_refused(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    data = Form(demo.get(PAGE).text).values
    before = stored(demo)
    sign_in(demo, "demo-viewer")
    dash = demo.get("/a/1")
    assert dash.status_code == 200 and "/a/1/estimates" not in dash.text
    assert demo.get("/a/1/estimates").status_code == 403
    assert demo.get(PAGE).status_code == 403
    viewer_csrf = Form(demo.get("/").text).values["csrf_token"]
    data["csrf_token"], data["s0-class"] = viewer_csrf, "A"
    forged = demo.post(PAGE, data=data, follow_redirects=False)
    assert forged.status_code == 403
    assert "Not allowed" in text(forged.text)
    assert stored(demo) == before


def test_a_post_without_the_csrf_token_is_refused(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    data = Form(demo.get(PAGE).text).values
    before = stored(demo)
    del data["csrf_token"]
    data["s0-class"] = "A"
    assert demo.post(PAGE, data=data, follow_redirects=False).status_code == 403
    assert stored(demo) == before


def test_an_analyst_cannot_open_another_analysts_estimates(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    analysts = api(demo, "demo-coordinator", "GET", "/api/assessments/1/analysts").json()
    other = next(a["id"] for a in analysts["analysts"] if a["id"] != "nctv-analyst")
    assert demo.get(f"{PAGE}?analyst={other}").status_code == 403


def test_submitting_in_a_round_fixes_the_estimates(demo: TestClient) -> None:
    opened = api(demo, "demo-coordinator", "POST", "/api/assessments/1/rounds", json={})
    assert opened.status_code == 201, opened.text
    sign_in(demo, "nctv-analyst")
    page = demo.get(PAGE)
    assert "Submit this scenario" in text(page.text)
    token = Form(page.text).values["csrf_token"]
    r = demo.post(
        f"{PAGE}/submit",
        data={"csrf_token": token, "analyst": "nctv-analyst"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = demo.get(r.headers["location"])
    words = text(after.text)
    assert "Submitted." in words and "Submit this scenario" not in words
    rounds = api(demo, "demo-coordinator", "GET", "/api/assessments/1/rounds/1").json()
    entry = next(sc for sc in rounds["scenarios"] if sc["id"] == SCENARIO)
    assert "nctv-analyst" in entry["submitted"]
    data = Form(after.text).values
    data["s0-class"] = "A"
    refused = demo.post(PAGE, data=data, follow_redirects=False)
    assert refused.status_code == 200
    assert stored(demo)["estimate"] != "A"


def test_the_page_speaks_dutch(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    demo.cookies.set("nsra_lang", "nl")
    words = text(demo.get(PAGE).text)
    assert "Inschattingen opslaan" in words and "Onderbouwing" in words


def test_the_home_page_lists_what_waits_for_each_person(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    assert "Nothing waits for you now." in text(demo.get("/").text)
    assert api(demo, "demo-coordinator", "POST", "/api/assessments/1/rounds", json={}).is_success
    assigned = api(demo, "demo-coordinator", "GET", "/api/assessments/1/assignments").json()
    mine = [a for a in assigned["assignments"] if a["analyst"] == "nctv-analyst"]
    assert mine
    sign_in(demo, "nctv-analyst")
    assert f"Round 1: {len(mine)} scenarios to estimate and submit" in text(demo.get("/").text)
    sign_in(demo, "demo-coordinator")
    assert "Round 1 is open (0 scenarios submitted so far)" in text(demo.get("/").text)
    assert api(demo, "demo-coordinator", "POST", "/api/assessments/1/rounds/1/close").is_success
    data = api(demo, "demo-coordinator", "GET", "/api/assessments/1/export?format=json").json()
    without = sum(1 for sc in data["scenarios"] if not sc.get("consensus"))
    assert without > 0
    assert f"{without} scenarios have no consensus recorded yet" in text(demo.get("/").text)


def test_a_method_with_intensity_levels_is_estimated_per_level_in_french(
    demo: TestClient,
) -> None:
    """The BNRA scores every intensity level: the page has a section per level, each with the
    likelihood and every damage indicator, in the reader's language (French here)."""
    from nsra.server.db import import_file
    from tests.server.common import BE

    be = import_file(demo.app.state.engine, str(BE))  # type: ignore[attr-defined]
    sign_in(demo, "demo-admin")
    demo.cookies.set("nsra_lang", "fr")
    page = demo.get(f"/a/{be}/estimates/pandemic?analyst=nccn-analyst")
    assert page.status_code == 200, text(page.text)
    words = text(page.text)
    levels = re.findall(r'<h2 id="level-\d+">([^<]+)</h2>', page.text)
    assert levels == ["Considérable", "Majeur", "Extrême"]
    slots = re.findall(r'data-slot="([^"]+)"', page.text)
    per_level = len(slots) // 3
    assert len(slots) == 3 * per_level and slots[0] == "likelihood" and per_level > 5
    assert "Enregistrer les estimations" in words and "Justification" in words
    # saving one level's likelihood writes that level only
    form = Form(page.text)
    data = form.values
    data["s0-class"] = next(c for c in form.radios["s0-class"] if c and c != data.get("s0-class"))
    r = demo.post(f"/a/{be}/estimates/pandemic", data=data, follow_redirects=False)
    assert r.status_code == 303, text(r.text)
    path = f"/api/assessments/{be}/scenarios/pandemic/estimates/nccn-analyst/likelihood"
    first = api(demo, "demo-admin", "GET", path + "?level=considerable").json()
    assert str(first["estimate"]) == data["s0-class"]


def test_comparing_versions_on_the_page(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    token = Form(demo.get("/a/1/versions").text).values["csrf_token"]
    r = demo.post(
        "/a/1/versions",
        data={"csrf_token": token, "label": "first", "seed": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("published=1")
    path = f"/api/assessments/1/scenarios/{SCENARIO}/estimates/nctv-analyst/likelihood"
    current = api(demo, "demo-coordinator", "GET", path).json()
    changed = api(
        demo,
        "demo-coordinator",
        "PUT",
        path,
        json={"estimate": "A", "version": current["version"]},
    )
    assert changed.status_code == 200
    words = text(demo.get("/a/1/versions?compare_from=1&compare_to=live").text)
    assert "Changed estimates" in words and "D → A" in words
    assert demo.get("/a/1/versions?compare_from=1&compare_to=nonsense").status_code == 200
    bad_seed = demo.post("/a/1/versions", data={"csrf_token": token, "seed": "-1"})
    assert "The seed must be a whole number" in text(bad_seed.text)


def test_rounds_and_consensus_on_the_pages(demo: TestClient) -> None:
    sign_in(demo, "nctv-analyst")
    assert demo.get("/a/1/rounds").status_code == 403
    assert demo.get(f"/a/1/consensus/{SCENARIO}").status_code == 403
    sign_in(demo, "demo-coordinator")
    page = demo.get("/a/1/rounds")
    assert "No round has been held yet." in text(page.text)
    token = Form(page.text).values["csrf_token"]
    r = demo.post("/a/1/rounds/open", data={"csrf_token": token, "note": "first"})
    assert "Close round 1" in text(r.text)
    rounds = api(demo, "demo-coordinator", "GET", "/api/assessments/1/rounds").json()
    assert [(x["number"], x["status"], x["note"]) for x in rounds["rounds"]] == [
        (1, "open", "first")
    ]
    r = demo.post("/a/1/rounds/1/close", data={"csrf_token": token})
    assert "Open round 2" in text(r.text)
    page = demo.get(f"/a/1/consensus/{SCENARIO}")
    form = Form(page.text)
    data = {
        "csrf_token": token,
        "level": "",
        "version": form.values["version"],
        "c-likelihood": "C",
        "rationale": "",
        "date": "2026-12-04",
    }
    before = api(
        demo, "demo-coordinator", "GET", f"/api/assessments/1/scenarios/{SCENARIO}/consensus"
    )
    refused = demo.post(f"/a/1/consensus/{SCENARIO}", data=data)
    assert "a consensus needs a rationale" in text(refused.text)
    after = api(
        demo, "demo-coordinator", "GET", f"/api/assessments/1/scenarios/{SCENARIO}/consensus"
    )
    assert after.json() == before.json()
    data["rationale"] = "Agreed in the meeting."
    r = demo.post(f"/a/1/consensus/{SCENARIO}", data=data, follow_redirects=False)
    assert r.status_code == 303, text(r.text)
    item = api(
        demo, "demo-coordinator", "GET", f"/api/assessments/1/scenarios/{SCENARIO}/consensus"
    )
    consensus = item.json()["consensus"][0]["item"]
    old = before.json()["consensus"][0]["item"]["rationale"]
    assert consensus["likelihood"] == "C"
    assert consensus["rationale"] == {**old, "en": "Agreed in the meeting."}


def test_a_coordinator_who_is_no_analyst_starts_at_the_first_analyst(demo: TestClient) -> None:
    sign_in(demo, "demo-coordinator")
    words = text(demo.get("/a/1/estimates").text)
    assert "You are not linked to an analyst" not in words
    assert "Estimates entered" in words  # the first analyst's scenarios, with a chooser
