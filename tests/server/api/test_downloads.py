"""Downloads (nsra.server.api.downloads): the report's language, of the live assessment and of
a published version; on SQLite and PostgreSQL.

The report is written in the languages of nsra's own words (:data:`nsra.i18n.LANGS`), checked
in one place (:data:`nsra.server.api.downloads.ReportLang`): any other language code is a 422
with the API's error shape, naming the parameter and the languages there are.
"""

from __future__ import annotations

import pytest

from nsra.i18n import LANGS
from tests.server.common import UK, UK_LABEL, MakeWorld, User, World, is_error, poll_job

REPORTS = ("/api/assessments/{a}/report", "/api/assessments/{a}/versions/1/report")


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    w = make_world({"uk": UK}, {"carol": User("coordinator", {"uk": "coordinator"})})
    r = w.call("carol", "POST", f"/api/assessments/{w.ids['uk']}/versions", json={})
    assert r.status_code == 201, r.text
    return w


@pytest.mark.parametrize("route", REPORTS)
def test_the_report_is_written_in_each_language_of_nsra(world: World, route: str) -> None:
    path = route.format(a=world.ids["uk"])
    for lang in LANGS:
        r = world.call("carol", "GET", path, params={"lang": lang})
        assert r.status_code == 200, r.text
        assert f'<html lang="{lang}">' in r.text
        assert r.headers["Content-Disposition"].endswith(f'-{lang}.html"')
        assert r.headers["X-Classification"] == UK_LABEL
    default = world.call("carol", "GET", path)
    assert default.status_code == 200 and '<html lang="en">' in default.text


@pytest.mark.parametrize("route", REPORTS)
@pytest.mark.parametrize("lang", ["de", "it", "fr-BE", "nl-BE", "NL", "", 'en.html"; x="y'])
def test_another_language_is_422_naming_the_languages(world: World, route: str, lang: str) -> None:
    r = world.call("carol", "GET", route.format(a=world.ids["uk"]), params={"lang": lang})
    body = is_error(r, 422)
    assert body["field"] == "query.lang"
    assert all(code in body["error"] for code in LANGS), body
    assert "Content-Disposition" not in r.headers


def test_the_openapi_document_lists_the_languages(world: World) -> None:
    paths = world.client.get("/api/openapi.json").json()["paths"]
    for route in REPORTS:
        path = route.replace("{a}", "{assessment_id}").replace("/1/", "/{number}/")
        (lang,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == "lang"]
        assert lang["in"] == "query" and not lang["required"]
        assert lang["schema"]["enum"] == list(LANGS) and lang["schema"]["default"] == "en"


@pytest.mark.parametrize("route", REPORTS)
@pytest.mark.parametrize(
    ("fmt", "media", "magic"),
    [
        ("pdf", "application/pdf", b"%PDF-"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         b"PK\x03\x04"),
    ],
)  # fmt: skip
def test_the_report_as_pdf_and_word(
    world: World, route: str, fmt: str, media: str, magic: bytes
) -> None:
    asked = world.call("carol", "GET", route.format(a=world.ids["uk"]),
                       params={"lang": "nl", "format": fmt})  # fmt: skip
    assert asked.status_code == 202, asked.text  # a job: never made in the server's threads
    assert asked.headers["X-Classification"] == UK_LABEL
    r = poll_job(world.client, asked.headers["location"], world.auth("carol"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media
    assert r.content.startswith(magic)
    assert r.headers["Content-Disposition"].endswith(f'-nl.{fmt}"')
    assert r.headers["X-Classification"] == UK_LABEL


def test_another_report_format_is_422(world: World) -> None:
    r = world.call("carol", "GET", REPORTS[0].format(a=world.ids["uk"]), params={"format": "odt"})
    body = is_error(r, 422)
    assert body["field"] == "query.format"
