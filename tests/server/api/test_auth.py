"""Browser sign-in (nsra.server.api.auth): session cookies, CSRF, origin checks, rate limits.

Every test that takes the ``engine`` fixture runs on SQLite and on PostgreSQL. Time is moved
by replacing :func:`nsra.server.api.auth.now`, never by sleeping. Passwords are hashed with
cheap argon2 parameters here (the real ones take about half a second per sign-in on a busy
machine, and the rate-limit tests sign in twenty times); one test checks that a sign-in
rehashes such a password with the real parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from nsra.server.api import auth
from nsra.server.db import access as db_access
from nsra.server.db.access import LoginAttemptRow, MembershipRow, SessionRow, user_by_name
from nsra.server.db.models import Base
from tests.server import common
from tests.server.common import UK, MakeWorld, User, is_error

PASSWORDS = {"carol": "carol-Secret-1", "vera": "vera-Secret-2", "idle": "idle-Secret-3"}
T0 = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@dataclass
class World(common.World):
    clock: Clock = field(default_factory=Clock)

    @property
    def assessment(self) -> int:
        return self.ids["uk"]

    @property
    def token(self) -> str:  # carol's API token
        return self.tokens["carol"]

    def other_client(self, host: str) -> TestClient:
        return TestClient(self.app, client=(host, 40000))


CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
USERS = {
    "carol": User("coordinator", {"uk": "coordinator"}, PASSWORDS["carol"]),
    "vera": User("viewer", {"uk": "viewer"}, PASSWORDS["vera"]),
    "idle": User("viewer", password=PASSWORDS["idle"], active=False),
    "newcomer": User("viewer"),
}


@pytest.fixture
def world(make_world: MakeWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(db_access, "_hasher", CHEAP)  # before the passwords are hashed
    db_access._dummy_hash.cache_clear()
    w = make_world({"uk": UK}, USERS, World)
    monkeypatch.setattr(auth, "now", w.clock)
    yield w
    db_access._dummy_hash.cache_clear()


def sign_in(client: TestClient, user: str, password: str | None = None) -> Any:
    return client.post(
        "/api/session", json={"user": user, "password": password or PASSWORDS.get(user, "x")}
    )


def members(engine: Engine, assessment: int) -> set[tuple[int, str]]:
    with Session(engine) as s:
        rows = s.scalars(select(MembershipRow).where(MembershipRow.assessment_id == assessment))
        return {(m.user_id, m.role) for m in rows}


def add_newcomer(w: World, headers: dict[str, Any]) -> Any:
    return w.client.post(
        f"/api/assessments/{w.assessment}/members",
        json={"user": "newcomer", "role": "viewer"},
        headers=headers,
    )


# -- signing in ---------------------------------------------------------------------------


def test_sign_in_with_json_sets_a_strict_httponly_cookie(world: World) -> None:
    r = sign_in(world.client, "carol")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"] == "carol" and body["role"] == "coordinator"
    assert len(body["csrf_token"]) >= 32
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires == T0 + dt.timedelta(hours=8)

    cookies = SimpleCookie()
    cookies.load(r.headers["set-cookie"])
    cookie = cookies[auth.COOKIE]
    assert len(cookie.value) >= 40
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http in the test; https gets Secure (next test)
    assert int(cookie["max-age"]) == 8 * 3600

    r = world.client.get("/api/session")
    assert r.status_code == 200
    assert r.json()["user"] == "carol" and r.json()["csrf_token"] == body["csrf_token"]


def test_the_cookie_is_secure_over_https(world: World) -> None:
    with TestClient(world.app, base_url="https://nsra.example") as client:
        r = sign_in(client, "carol")
        assert r.status_code == 200
        cookies = SimpleCookie()
        cookies.load(r.headers["set-cookie"])
        assert cookies[auth.COOKIE]["secure"] is True


def test_sign_in_with_a_form(world: World) -> None:
    r = world.client.post("/api/session", data={"user": "vera", "password": PASSWORDS["vera"]})
    assert r.status_code == 200, r.text
    assert r.json()["user"] == "vera" and r.json()["role"] == "viewer"
    assert world.client.get(f"/api/assessments/{world.assessment}").status_code == 200


def test_a_cookie_request_reads_an_assessment(world: World) -> None:
    assert world.client.get(f"/api/assessments/{world.assessment}").status_code == 401
    sign_in(world.client, "carol")
    r = world.client.get(f"/api/assessments/{world.assessment}")
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "coordinator"
    assert world.client.get("/api/assessments").status_code == 200


def test_sign_in_refuses_bad_bodies(world: World) -> None:
    is_error(world.client.post("/api/session", json={"user": "carol"}), 422)
    is_error(world.client.post("/api/session", json=["carol", "x"]), 422)
    is_error(world.client.post("/api/session", content=b"{", headers=json_type()), 422)
    is_error(world.client.post("/api/session", content=b"carol:x"), 415)
    body = is_error(sign_in(world.client, "x" * 500), 422)
    assert body["field"] == "user"


def json_type() -> dict[str, str]:
    return {"Content-Type": "application/json"}


# -- CSRF and origin ----------------------------------------------------------------------


def test_unsafe_cookie_requests_need_the_csrf_token(world: World) -> None:
    w = world
    csrf = sign_in(w.client, "carol").json()["csrf_token"]
    before = members(w.engine, w.assessment)

    body = is_error(add_newcomer(w, {}), 403)
    assert "CSRF" in body["error"]
    body = is_error(add_newcomer(w, {"X-CSRF-Token": csrf[:-2] + "xx"}), 403)
    assert "CSRF" in body["error"]
    is_error(add_newcomer(w, {"X-CSRF-Token": "é".encode()}), 403)  # not ASCII: a plain 403
    assert members(w.engine, w.assessment) == before  # nothing changed

    r = add_newcomer(w, {"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    assert len(members(w.engine, w.assessment)) == len(before) + 1


def test_a_form_post_may_carry_the_csrf_token_as_a_field(world: World) -> None:
    w = world
    csrf = sign_in(w.client, "carol").json()["csrf_token"]
    base = f"/api/assessments/{w.assessment}/rounds"
    r = w.client.post(base, json={"note": "first"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    number = r.json()["number"]

    # a form post without the field, or with a wrong one, is refused and changes nothing
    is_error(w.client.post(f"{base}/{number}/close", data={"x": "1"}), 403)
    is_error(w.client.post(f"{base}/{number}/close", data={"csrf_token": "wrong"}), 403)
    r = w.client.post(base, json={"note": "second"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409  # round 1 is still open

    r = w.client.post(f"{base}/{number}/close", data={"csrf_token": csrf})
    assert r.status_code == 200, r.text
    r = w.client.post(base, json={"note": "second"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text


def test_a_foreign_origin_is_refused(world: World) -> None:
    w = world
    csrf = sign_in(w.client, "carol").json()["csrf_token"]
    before = members(w.engine, w.assessment)
    for origin in ("https://evil.example", "http://testserver.evil.example", "null"):
        headers = {"X-CSRF-Token": csrf, "Origin": origin}
        body = is_error(add_newcomer(w, headers), 403)
        assert "origin" in body["error"]
        is_error(w.client.get(f"/api/assessments/{w.assessment}", headers=headers), 403)
    is_error(add_newcomer(w, {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}), 403)
    assert members(w.engine, w.assessment) == before
    # sign-in from a foreign page is refused too (login CSRF)
    r = w.client.post(
        "/api/session",
        json={"user": "vera", "password": PASSWORDS["vera"]},
        headers={"Origin": "https://evil.example"},
    )
    is_error(r, 403)
    # "null" with cross-site or no fetch metadata stays refused
    for site in ("cross-site", "same-site", "none"):
        headers = {"X-CSRF-Token": csrf, "Origin": "null", "Sec-Fetch-Site": site}
        is_error(add_newcomer(w, headers), 403)
    # the server's own origin is fine
    r = add_newcomer(w, {"X-CSRF-Token": csrf, "Origin": "http://testserver"})
    assert r.status_code == 201, r.text


def test_our_own_form_posts_under_no_referrer_pass(world: World) -> None:
    """With ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` with our own
    pages' form posts, and ``Sec-Fetch-Site: same-origin`` (which no page can forge)."""
    w = world
    csrf = sign_in(w.client, "carol").json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf, "Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert add_newcomer(w, headers).status_code == 201


def test_bearer_tokens_need_no_csrf_token(world: World) -> None:
    w = world
    headers = {"Authorization": f"Bearer {w.token}"}
    r = add_newcomer(w, headers)
    assert r.status_code == 201, r.text
    r = w.client.get("/api/session", headers=headers)
    assert r.status_code == 200 and r.json()["user"] == "carol"
    assert r.json()["csrf_token"] is None
    # the Authorization header decides alone: a wrong token is 401 even with a valid cookie
    sign_in(w.client, "carol")
    is_error(w.client.get("/api/assessments", headers={"Authorization": "Bearer nope"}), 401)


# -- signing out, expiry ------------------------------------------------------------------


def test_sign_out_invalidates_the_cookie(world: World) -> None:
    w = world
    csrf = sign_in(w.client, "carol").json()["csrf_token"]
    secret = w.client.cookies[auth.COOKIE]
    is_error(w.client.delete("/api/session"), 403)  # without the CSRF token
    assert w.client.get("/api/session").status_code == 200

    r = w.client.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert auth.COOKIE not in w.client.cookies
    with Session(w.engine) as s:
        assert s.scalar(select(func.count()).select_from(SessionRow)) == 0
    # the old cookie, sent again, opens nothing
    w.client.cookies.set(auth.COOKIE, secret)
    is_error(w.client.get("/api/session"), 401)
    is_error(w.client.get(f"/api/assessments/{w.assessment}"), 401)


def test_an_expired_session_is_401(world: World) -> None:
    w = world
    sign_in(w.client, "carol")
    w.clock.advance(hours=7, minutes=59)
    assert w.client.get(f"/api/assessments/{w.assessment}").status_code == 200
    w.clock.advance(minutes=1)
    body = is_error(w.client.get(f"/api/assessments/{w.assessment}"), 401)
    assert "expired" in body["error"]
    # the next sign-in removes the expired session
    sign_in(w.other_client("10.0.0.9"), "vera")
    with Session(w.engine) as s:
        assert s.scalar(select(func.count()).select_from(SessionRow)) == 1


def test_a_deactivated_user_loses_the_session(world: World) -> None:
    w = world
    sign_in(w.client, "vera")
    with Session(w.engine) as s, s.begin():
        user = user_by_name(s, "vera")
        assert user is not None
        user.active = False
    is_error(w.client.get(f"/api/assessments/{w.assessment}"), 401)


# -- wrong passwords, rate limits ---------------------------------------------------------


def test_wrong_password_unknown_and_inactive_users_look_the_same(world: World) -> None:
    answers = [
        sign_in(world.client, "carol", "wrong"),
        sign_in(world.client, "nobody-here", "wrong"),
        sign_in(world.client, "idle"),  # right password, inactive user
        sign_in(world.client, "newcomer", "anything"),  # user without a password
    ]
    for r in answers:
        is_error(r, 401)
        assert "set-cookie" not in r.headers
    assert len({r.text for r in answers}) == 1


def test_the_sixth_failure_of_a_name_is_429_even_with_the_right_password(world: World) -> None:
    w = world
    for _ in range(5):
        is_error(sign_in(w.client, "carol", "wrong"), 401)
        w.clock.advance(minutes=1)
    # t0 + 5 min: five failures in the window; the oldest leaves at t0 + 15 min
    r = sign_in(w.client, "carol")
    body = is_error(r, 429)
    assert "too many" in body["error"]
    assert r.headers["Retry-After"] == str(10 * 60)
    assert "set-cookie" not in r.headers
    # from another client too (the limit is per name), while another name still works
    is_error(sign_in(w.other_client("10.1.2.3"), "carol"), 429)
    assert sign_in(w.client, "vera").status_code == 200
    # refused attempts are not counted: when the oldest failure leaves, one more try is allowed
    w.clock.advance(minutes=10, seconds=1)
    assert sign_in(w.client, "carol").status_code == 200


def test_twenty_failures_from_one_client_block_it(world: World) -> None:
    w = world
    for i in range(20):
        is_error(sign_in(w.client, f"guess{i}", "wrong"), 401)
    w.clock.advance(minutes=3)
    r = sign_in(w.client, "vera")
    is_error(r, 429)
    assert r.headers["Retry-After"] == str(12 * 60)
    assert sign_in(w.other_client("10.0.0.2"), "vera").status_code == 200


def test_a_success_keeps_the_failures_of_other_clients(world: World) -> None:
    w = world
    attacker, victim = w.other_client("10.6.6.6"), w.other_client("10.1.1.1")
    for _ in range(2):
        is_error(sign_in(attacker, "carol", "guess"), 401)
    for _ in range(2):
        is_error(sign_in(victim, "carol", "typo"), 401)
    assert sign_in(victim, "carol").status_code == 200  # forgets the victim's own typos
    with Session(w.engine) as s:
        failures = select(func.count()).where(LoginAttemptRow.success.is_(False))
        assert s.scalar(failures.where(LoginAttemptRow.client == "10.1.1.1")) == 0
        assert s.scalar(failures.where(LoginAttemptRow.client == "10.6.6.6")) == 2
    for _ in range(3):
        is_error(sign_in(attacker, "carol", "guess"), 401)
    is_error(sign_in(attacker, "carol", "guess"), 429)


def test_racing_attempts_do_not_get_past_the_limit(world: World) -> None:
    """Attempts sent at the same moment: no more than the limit get their password checked."""
    w = world

    def attempt(i: int) -> int:
        with TestClient(w.app, client=(f"10.9.0.{i}", 40000)) as client:
            return int(sign_in(client, "carol", "wrong").status_code)

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(attempt, range(12)))
    assert set(answers) <= {401, 429}, answers
    assert 1 <= answers.count(401) <= 5, answers
    # racers may refuse each other (erring on the safe side); the refused ones are not kept
    with Session(w.engine) as s:
        kept = s.scalar(select(func.count()).select_from(LoginAttemptRow))
    assert kept == answers.count(401)


def test_old_attempts_are_pruned(world: World) -> None:
    w = world
    for _ in range(3):
        is_error(sign_in(w.client, "carol", "wrong"), 401)
    w.clock.advance(minutes=16)
    is_error(sign_in(w.client, "vera", "wrong"), 401)
    with Session(w.engine) as s:
        assert s.scalar(select(func.count()).select_from(LoginAttemptRow)) == 1


def test_a_sign_in_rehashes_a_password_made_with_weaker_parameters(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stored() -> str:
        with Session(world.engine) as s:
            user = user_by_name(s, "vera")
            assert user is not None and user.password_hash is not None
            return user.password_hash

    weak = stored()
    assert CHEAP.check_needs_rehash(weak) is False
    monkeypatch.setattr(db_access, "_hasher", PasswordHasher())
    assert sign_in(world.client, "vera").status_code == 200
    strong = stored()
    assert strong != weak and not PasswordHasher().check_needs_rehash(strong)
    assert PasswordHasher().verify(strong, PASSWORDS["vera"])


# -- nothing secret in clear ---------------------------------------------------------------


def test_the_database_keeps_no_password_or_secret_in_clear(world: World) -> None:
    w = world
    r = sign_in(w.client, "carol")
    secret = w.client.cookies[auth.COOKIE]
    is_error(sign_in(w.client, "vera", "a-wrong-Password-9"), 401)
    secrets_ = [secret, w.token, *PASSWORDS.values(), "a-wrong-Password-9"]
    seen = 0
    with Session(w.engine) as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                text = repr(tuple(row))
                seen += 1
                for value in secrets_:
                    assert value not in text, (table.name, value)
        stored = s.scalars(select(SessionRow)).one()
        assert stored.csrf == r.json()["csrf_token"]
        assert stored.digest != secret and len(stored.digest) == 64
    assert seen > 0
