"""The estimate page of a method with a horizon (the BNRA's 2050): the likelihood in 2050 beside
today's at each level, in the reader's language, saved and refused by the API's own checks; the
estimates list counts the horizon slots; the consensus page keeps and edits the horizon."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from nsra.server.db import import_file
from nsra.server.db.access import add_user
from tests.server.common import BE, UK
from tests.server.web.demo_world import PASSWORD, Form, sign_in, text

ANALYST = "nccn-analyst"


@dataclass
class Bnra:
    """The client signed in as an administrator, and the ids of the BNRA and UK examples."""

    c: TestClient
    be: int
    uk: int


@pytest.fixture
def bnra(client: TestClient) -> Bnra:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    world = Bnra(client, import_file(engine, str(BE)), import_file(engine, str(UK)))
    with Session(engine) as s, s.begin():
        add_user(s, "root", "admin", PASSWORD)
    sign_in(client, "root")
    return world


def _page(w: Bnra, scenario: str, lang: str = "en") -> tuple[str, Form]:
    w.c.cookies.set("nsra_lang", lang)
    r = w.c.get(f"/a/{w.be}/estimates/{scenario}", params={"analyst": ANALYST})
    assert r.status_code == 200, r.text
    return r.text, Form(r.text)


def _slots(html: str) -> list[str]:
    return re.findall(r'<fieldset class="slot[^"]*" id="s\d+" data-slot="([^"]+)"', html)


def _stored(w: Bnra, scenario: str, level: str) -> Any:
    path = f"/api/assessments/{w.be}/scenarios/{scenario}/estimates/{ANALYST}/likelihood@2050"
    r = w.c.get(path, params={"level": level})
    assert r.status_code == 200, r.text
    return r.json()["estimate"]


def test_the_2050_likelihood_stands_beside_todays_in_three_languages(bnra: Bnra) -> None:
    html, form = _page(bnra, "river-flooding")
    per_level = ["likelihood", "likelihood@2050", "Ha", "Hb", "Hc", "Sa", "Sb", "Sc", "Sd"]
    assert _slots(html)[:9] == per_level and len(_slots(html)) == 3 * 12
    # today and 2050 in one row, the 2050 one with its own label and hint
    pairs = re.findall(
        r'<div class="side-by-side" data-count="2">\s*<fieldset[^>]* data-slot="likelihood">'
        r'.*?</fieldset>\s*<fieldset class="slot horizon"[^>]* data-slot="likelihood@2050">'
        r".*?</fieldset>\s*</div>",
        html,
        re.S,
    )
    assert len(pairs) == 3  # one per level
    words = text(html)
    assert "Likelihood in 2050 (climate change)" in words
    assert "as you expect it in 2050" in words
    # the stored horizon estimates are shown: a scale position (no class), a value, a class
    assert "s1-class" not in form.values  # considerable: {scale: 4.4}, no class chosen
    assert form.values["s13-value"] == "40"  # major: {value: 40} years
    assert form.values["s25-class"] == "3"  # extreme: "3"
    assert form.radios["s1-class"] == form.radios["s0-class"]  # the same scale as today
    nl = text(_page(bnra, "river-flooding", "nl")[0])
    assert "Waarschijnlijkheid in 2050 (klimaatverandering)" in nl
    assert "zoals u die in 2050 verwacht" in nl
    fr = text(_page(bnra, "river-flooding", "fr")[0])
    assert "Probabilité en 2050 (changement climatique)" in fr


def test_saving_the_2050_likelihood_and_a_refusal(bnra: Bnra) -> None:
    _, form = _page(bnra, "pandemic")
    assert _stored(bnra, "pandemic", "considerable") is None
    data = dict(form.values)
    data["s1-class"], data["s1-rationale"] = "4", "Milder winters, more travel."
    r = bnra.c.post(f"/a/{bnra.be}/estimates/pandemic", data=data, follow_redirects=False)
    assert r.status_code == 303 and "saved=1" in r.headers["location"], r.text
    assert _stored(bnra, "pandemic", "considerable") == {
        "class": "4",
        "rationale": "Milder winters, more travel.",
    }
    # a return period the scale refuses: the API's message at the slot, nothing written
    _, form = _page(bnra, "pandemic")
    data = dict(form.values)
    data["s13-value"] = "-5"
    r = bnra.c.post(f"/a/{bnra.be}/estimates/pandemic", data=data)
    assert r.status_code == 200 and 'id="s13-problem"' in r.text
    assert _stored(bnra, "pandemic", "major") is None
    # the list: nccn-analyst filled 3 x 11 of the pandemic's 36 slots, and now one 2050 slot
    listing = text(bnra.c.get(f"/a/{bnra.be}/estimates", params={"analyst": ANALYST}).text)
    assert "Pandemic 34 of 36" in listing
    assert "River flooding 36 of 36" in listing


def test_a_method_without_horizons_shows_no_horizon_slot(bnra: Bnra) -> None:
    r = bnra.c.get(f"/a/{bnra.uk}/estimates")
    assert r.status_code == 200
    link = re.search(r'href="(/a/\d+/estimates/[^"?]+)\?analyst=([^"]+)"', r.text)
    assert link is not None
    page = bnra.c.get(link.group(1), params={"analyst": link.group(2)})
    assert "likelihood@" not in page.text and "side-by-side" not in page.text


def test_the_consensus_page_keeps_and_edits_the_2050_likelihood(bnra: Bnra) -> None:
    aid = bnra.be
    api = f"/api/assessments/{aid}/scenarios/river-flooding/consensus"
    page = bnra.c.get(f"/a/{aid}/consensus/river-flooding")
    assert page.status_code == 200
    assert "Likelihood in 2050 (climate change)" in text(page.text)
    # the major level's block: record a consensus with a 2050 likelihood
    block = page.text.split('name="level" value="major"', 1)[1].split("</form>", 1)[0]
    data = {**Form(block).values, "level": "major", "rationale": "Agreed.", "c-likelihood": "3"}
    data["c-likelihood@2050"] = "4"
    csrf = Form(page.text).values["csrf_token"]
    r = bnra.c.post(
        f"/a/{aid}/consensus/river-flooding", data={**data, "csrf_token": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    major = [c for c in bnra.c.get(api).json()["consensus"] if c["item"].get("level") == "major"]
    assert major[0]["item"]["horizon"] == {"2050": "4"}
    # saved again without touching it, the horizon stays (it is shown, selected)
    page = bnra.c.get(f"/a/{aid}/consensus/river-flooding")
    block = page.text.split('name="level" value="major"', 1)[1].split("</form>", 1)[0]
    again = {**Form(block).values, "level": "major", "rationale": "Agreed again."}
    assert again["c-likelihood@2050"] == "4"
    r = bnra.c.post(
        f"/a/{aid}/consensus/river-flooding",
        data={**again, "csrf_token": Form(page.text).values["csrf_token"]},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    major = [c for c in bnra.c.get(api).json()["consensus"] if c["item"].get("level") == "major"]
    assert major[0]["item"]["horizon"] == {"2050": "4"}
    assert major[0]["item"]["rationale"] == "Agreed again."
