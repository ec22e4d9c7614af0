"""The demonstration server's database: a fresh SQLite file with the integrated example, one
user per role and an API token for each (``nsra serve --demo``).

Everything is written in the folder given (nothing else is touched, ``nsra.db`` least of all);
the tokens and the one password of the demo users (for signing in with a browser) are printed
once and exist only in this throw-away database.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nsra.io.validate import read_assessment
from nsra.server.db.access import MembershipRow, add_user, hash_password, new_token
from nsra.server.db.engine import make_engine, upgrade
from nsra.server.db.importing import record_import, store_assessment
from nsra.server.db.methods import method_text, register, register_shipped

DEMO_FILE = "nl-integrated.yaml"
DEMO_ANALYST = "nctv-analyst"  # an analyst of the example: may write its own estimates
# (user name, global role, role in the demo assessment or None)
DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("demo-admin", "admin", None),  # an administrator sees every assessment without membership
    ("demo-coordinator", "coordinator", "coordinator"),
    (DEMO_ANALYST, "analyst", "analyst"),
    ("demo-viewer", "viewer", "viewer"),
)


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str
    token: str


@dataclass(frozen=True)
class DemoInfo:
    url: str
    assessment_id: int
    users: tuple[DemoUser, ...]
    password: str  # every demo user's password, for signing in with a browser


def demo_database(folder: Path) -> DemoInfo:
    """Make the demo database ``nsra-demo.db`` in ``folder`` (which must not hold one yet)."""
    path = folder / "nsra-demo.db"
    if path.exists():
        raise FileExistsError(path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        password = secrets.token_urlsafe(9)
        return DemoInfo(url, *_fill(engine, password), password)
    finally:
        engine.dispose()


def _fill(engine: Engine, password: str | None = None) -> tuple[int, tuple[DemoUser, ...]]:
    res = resources.files("nsra.examples") / DEMO_FILE
    with resources.as_file(res) as file:
        loaded = read_assessment(str(file))
        text, source, shipped = method_text(loaded.assessment.method, relative_to=str(file))
    users = []
    with Session(engine) as session, session.begin():
        register_shipped(session)
        method_row = register(session, text, source, shipped)
        row = store_assessment(session, loaded.assessment, method_row)
        record_import(session, row, loaded.assessment, f"nsra.examples/{DEMO_FILE}", user=None)
        # one password for all demo users, hashed once (argon2 is slow on purpose)
        digest = hash_password(password) if password else None
        for name, role, member_role in DEMO_USERS:
            user = add_user(session, name, role, None)
            user.password_hash = digest
            if member_role is not None:
                session.add(MembershipRow(user_id=user.id, assessment_id=row.id, role=member_role))
            users.append(DemoUser(name, role, new_token(session, user)))
        assessment_id = row.id
    return assessment_id, tuple(users)
