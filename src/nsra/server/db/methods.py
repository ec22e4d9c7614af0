"""Methods registered in the database from their files, by id and version.

A method id + version is immutable: registering the same id and version again with different
content is refused (publish a new version instead). The shipped methods are registered by
:func:`register_shipped` (``nsra db upgrade`` and every import do it).
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.io.methods import parse_method, shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import load, read_text
from nsra.model.method import Method
from nsra.server.db.models import MethodRow


def _content(text: str, source: str) -> tuple[Method, Json]:
    """The checked method and the file's content as plain JSON data."""
    method = parse_method(text, source)
    data = json.loads(json.dumps(load(text, source)))  # plain JSON types only
    return method, data


def shipped_method_text(method_id: str) -> tuple[str, str] | None:
    """(text, source name) of a shipped method file, or None."""
    files = resources.files("nsra.methods")
    for ext in (".yaml", ".yml", ".json"):
        res = files / f"{method_id}{ext}"
        if res.is_file():
            return res.read_text(encoding="utf-8"), f"nsra/methods/{res.name}"
    return None


def method_text(ref: str, relative_to: str | None = None) -> tuple[str, str, bool]:
    """(text, source, shipped) of the method an assessment names (as :func:`load_method`)."""
    looks_like_path = ref.endswith((".yaml", ".yml", ".json")) or os.sep in ref or "/" in ref
    if not looks_like_path:
        found = shipped_method_text(ref)
        if found is None:
            raise InputError([Problem(f"unknown method {ref!r}", ("method",))])
        return found[0], found[1], True
    path = ref
    if relative_to and not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(relative_to)), path)
    return read_text(path), path, False


def register(session: Session, text: str, source: str, shipped: bool) -> MethodRow:
    """The row of the method in ``text``: the one registered, or a new one (not committed)."""
    method, content = _content(text, source)
    row = session.scalars(
        select(MethodRow).where(
            MethodRow.method_id == method.id, MethodRow.method_version == method.version
        )
    ).one_or_none()
    if row is not None:
        if row.content != content:
            raise InputError(
                [
                    Problem(
                        f"method {method.id} version {method.version} is already registered "
                        f"with different content (from {row.source}); a registered method "
                        "version does not change: give the changed method a new version",
                        ("version",),
                        file=source,
                    )
                ]
            )
        return row
    row = MethodRow(
        method_id=method.id,
        method_version=method.version,
        content=content,
        source=source,
        shipped=shipped,
    )
    session.add(row)
    session.flush()
    return row


def register_shipped(session: Session) -> list[MethodRow]:
    """Register every shipped method not yet in the database (not committed)."""
    rows = []
    for method_id in shipped_method_ids():
        found = shipped_method_text(method_id)
        if found is not None:
            rows.append(register(session, found[0], found[1], shipped=True))
    return rows


def method_of(row: MethodRow) -> Method:
    """The method stored in a row, checked again as a method file.

    A stored method's content never changes (a new version is a new row), so the parsed method
    is kept per content (its JSON text) and shared: every request needs it, and
    checking a method file costs several milliseconds. ``Method`` is immutable (frozen models).
    """
    return _parsed(json.dumps(row.content), row.source)


def method_by_pk(session: Session, method_pk: int) -> Method:
    """The method of the row ``method_pk``, as :func:`method_of` gives it, without decoding
    the stored JSON: its text is the cache's key (about 0.4 ms less a request than loading the
    row, for a 30 KB method; the estimate endpoints ask on every request)."""
    text, source = session.execute(_METHOD_TEXT, {"pk": method_pk}).one()
    return _parsed(text, source)


_METHOD_TEXT = select(cast(MethodRow.content, Text), MethodRow.source).where(
    MethodRow.id == bindparam("pk")
)


@functools.lru_cache(maxsize=64)
def _parsed(text: str, source: str) -> Method:
    return parse_method(text, source)
