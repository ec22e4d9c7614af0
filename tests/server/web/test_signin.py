"""Signing in and out with the form, the home page, and the language of the pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from nsra.server.api.auth import COOKIE
from nsra.server.db import import_file
from nsra.server.db.access import MembershipRow, add_user
from nsra.server.web.pages import LANG_COOKIE
from nsra.server.web.signin import safe_next
from tests.server.common import UK

PASSWORD = "correct horse battery staple"


class _Page(HTMLParser):
    """The text, the forms' hidden fields and the script and style sources of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.hidden: dict[str, str] = {}
        self.sources: list[str] = []
        self.inline_scripts = 0
        self.lang = ""
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href")):
            self.sources.append(a.get("src") or a.get("href", ""))
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        if tag == "style" or "style" in a:
            self.inline_scripts += 1  # the policy forbids inline styles on pages too

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(" ".join(data.split()))

    @property
    def words(self) -> str:
        return " ".join(self.text)


@pytest.fixture
def people(client: TestClient) -> TestClient:
    """Three users: ana (analyst, member of the UK example), vic (viewer, member of nothing)."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assessment = import_file(engine, str(UK))
    with Session(engine) as s, s.begin():
        ana = add_user(s, "ana", "analyst", PASSWORD)
        add_user(s, "vic", "viewer", PASSWORD)
        s.add(MembershipRow(user_id=ana.id, assessment_id=assessment, role="analyst"))
    return client


def sign_in(client: TestClient, user: str, password: str = PASSWORD, next: str = "/") -> object:
    return client.post(
        "/sign-in",
        data={"user": user, "password": password, "next": next},
        follow_redirects=False,
    )


def test_home_sends_a_stranger_to_the_sign_in_form(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=/"
    form = client.get("/sign-in")
    page = _Page(form.text)
    assert form.status_code == 200 and page.lang == "en"
    assert "User name" in page.words and "Password" in page.words
    assert page.hidden == {"next": "/"}
    assert form.headers["cache-control"] == "no-store"


def test_signing_in_sets_the_session_and_goes_on(people: TestClient) -> None:
    r = sign_in(people, "ana", next="/?x=1")
    assert r.status_code == 303 and r.headers["location"] == "/?x=1"  # type: ignore[attr-defined]
    assert COOKIE in people.cookies
    home = _Page(people.get("/").text)
    assert "My assessments" in home.words
    assert "UK-style national security risk assessment (illustrative example)" in home.words
    assert "analyst" in home.words and "Signed in as ana (analyst)" in home.words
    assert home.hidden["csrf_token"]  # the sign-out form carries the CSRF token


def test_a_wrong_password_shows_the_form_again_with_a_plain_message(people: TestClient) -> None:
    r = people.post("/sign-in", data={"user": "ana", "password": "nope", "next": "/"})
    page = _Page(r.text)
    assert r.status_code == 200 and COOKIE not in people.cookies
    assert "The user name or the password is not right. Try again." in page.words
    unknown = _Page(people.post("/sign-in", data={"user": "zed", "password": "nope"}).text)
    assert "The user name or the password is not right. Try again." in unknown.words
    empty = _Page(people.post("/sign-in", data={"user": "ana", "password": ""}).text)
    assert "Fill in your user name and your password." in empty.words


def test_too_many_failures_lock_the_form_for_a_while(people: TestClient) -> None:
    for _ in range(5):
        people.post("/sign-in", data={"user": "ana", "password": "nope"})
    locked = _Page(people.post("/sign-in", data={"user": "ana", "password": PASSWORD}).text)
    assert "Too many attempts that failed. Wait" in locked.words
    assert COOKIE not in people.cookies  # even the right password is not checked now


def test_a_member_of_nothing_sees_the_empty_state(people: TestClient) -> None:
    sign_in(people, "vic")
    page = _Page(people.get("/").text)
    assert "You are not a member of any assessment yet." in page.words


def test_signing_out_needs_the_forms_csrf_token(people: TestClient) -> None:
    sign_in(people, "ana")
    token = _Page(people.get("/").text).hidden["csrf_token"]
    refused = people.post("/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert people.get("/", follow_redirects=False).status_code == 200  # still signed in
    r = people.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?signed_out=1"
    assert people.get("/", follow_redirects=False).status_code == 303
    assert "You are signed out." in _Page(people.get("/sign-in?signed_out=1").text).words


def test_a_form_from_another_site_is_refused(people: TestClient) -> None:
    r = people.post(
        "/sign-in",
        data={"user": "ana", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and COOKIE not in people.cookies


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/", "/"),
        ("/assessments/1?x=2", "/assessments/1?x=2"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_after_signing_in_only_a_path_of_this_server(target: str | None, safe: str) -> None:
    assert safe_next(target) == safe


def test_the_language_follows_the_browser_then_the_choice(people: TestClient) -> None:
    nl = _Page(people.get("/sign-in", headers={"Accept-Language": "nl-BE,nl;q=0.9"}).text)
    assert nl.lang == "nl" and "Gebruikersnaam" in nl.words
    fr = _Page(people.get("/sign-in", headers={"Accept-Language": "fr-BE, de"}).text)
    assert fr.lang == "fr" and "Mot de passe" in fr.words
    de = _Page(people.get("/sign-in", headers={"Accept-Language": "de-DE, it"}).text)
    assert de.lang == "en"  # nsra does not speak German: English
    r = people.get("/language/nl?back=/sign-in", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    assert people.cookies.get(LANG_COOKIE) == "nl"
    assert _Page(people.get("/sign-in").text).lang == "nl"
    people.get("/language/xx?back=//evil.example", follow_redirects=False)
    assert people.cookies.get(LANG_COOKIE) == "nl"  # an unknown language changes nothing
    sign_in(people, "ana")
    home = _Page(people.get("/").text)
    assert "Mijn beoordelingen" in home.words and "analist" in home.words
    assert "Nationale veiligheidsrisicobeoordeling naar Brits model" in home.words


def test_pages_load_only_from_this_server_and_have_no_inline_code(people: TestClient) -> None:
    pages = [people.get("/sign-in").text]
    sign_in(people, "ana")
    pages.append(people.get("/").text)
    for html in pages:
        page = _Page(html)
        assert page.inline_scripts == 0
        assert page.sources and all(src.startswith("/static/") for src in page.sources)
        for src in page.sources:
            assert people.get(src).status_code == 200, src


def test_every_template_asset_and_catalogue_is_package_data() -> None:
    """pip installs the pages' templates, assets and catalogues: each file under the web
    folder and the locale folder matches a package-data pattern of pyproject.toml."""
    import tomllib

    root = Path(__file__).resolve().parents[3]
    package = root / "src" / "nsra"
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["nsra"]
    files = [
        p.relative_to(package).as_posix()
        for folder in ("server/web/templates", "server/web/static", "locale")
        for p in (package / folder).rglob("*")
        if p.is_file()
    ]
    assert files
    covered = {p.relative_to(package).as_posix() for pat in patterns for p in package.glob(pat)}
    missing = [f for f in files if f not in covered]
    assert missing == []
