"""The themes catalogue over the API: read, replaced as a whole by a coordinator, checked like
a file (a scenario's theme must name a theme of the catalogue), and exported exactly."""

from __future__ import annotations

import pytest

from nsra.io.validate import read_assessment
from tests.server.api.test_content import USERS, Api, _valid
from tests.server.common import BE, NL, MakeWorld


@pytest.fixture
def api(make_world: MakeWorld) -> Api:
    return make_world({"nl": NL, "be": BE}, USERS, Api)


def test_the_themes_catalogue(api: Api) -> None:
    url = f"/api/assessments/{api.nl}/themes"
    got = api.ok("vera", "GET", url)
    file_themes = [
        t.model_dump(exclude_none=True) for t in read_assessment(str(NL)).assessment.themes
    ]
    assert got["item"] == file_themes and api.data()["themes"] == file_themes
    version = got["version"]
    renamed = [dict(t) for t in file_themes]
    renamed[0]["name"] = {"en": "Terror", "nl": "Terreur", "fr": "Terreur"}
    assert (
        api.call("ana", "PUT", url, json={"item": renamed, "version": version}).status_code == 403
    )
    # dropping a theme that scenarios use: refused, naming the allowed ids
    bad = api.call("coord", "PUT", url, json={"item": renamed[1:], "version": version})
    assert bad.status_code == 422
    assert "unknown theme 'terrorism'; the file's themes are: radicalisation" in bad.text
    r = api.ok("coord", "PUT", url, json={"item": renamed, "version": version, "rationale": "r"})
    assert r["item"] == renamed and r["version"] == version + 1
    assert api.data()["themes"] == renamed
    _valid(api, api.nl)
    # an empty catalogue: the themes are free text again
    r = api.ok("coord", "PUT", url, json={"item": [], "version": r["version"]})
    assert r["item"] == [] and "themes" not in api.data()
    _valid(api, api.nl)
