"""What a member may see of an assessment (:class:`View`), and the results computed from it,
cached per worker (:class:`ResultsCache`)."""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from nsra.engine.compute import Results, compute
from nsra.io.contract import ResultsDoc
from nsra.io.jsondoc import Json
from nsra.io.results import results_document
from nsra.io.validate import Loaded, parse_assessment
from nsra.server.db import audit
from nsra.server.db.access import UserRow
from nsra.server.db.exporting import assessment_data
from nsra.server.db.methods import method_of
from nsra.server.db.models import AssessmentRow
from nsra.server.db.workflow import hidden_scenarios, own_analysts, redact


class View:
    """The assessment as one member may see it: everything, or (an analyst during an open
    round) without the other analysts' estimates of the scenarios they have not submitted."""

    def __init__(self, s: Session, user: UserRow, row: AssessmentRow, role: str) -> None:
        self.row = row
        self.hidden: set[str] = set()
        self.own: set[str] = set()
        if role == "analyst":
            hidden = hidden_scenarios(s, user.id, row.id)
            if hidden:
                self.hidden = hidden
                self.own = {a.key for a in own_analysts(s, user.id, row.id)}
        self._session = s

    @functools.cached_property
    def revision(self) -> int:
        """Every change to an assessment has an audit entry: its newest one names the content
        (read only by the results cache)."""
        return self._session.scalar(audit.newest_of(self.row.id)) or 0

    @property
    def view_key(self) -> tuple[Any, ...]:
        """Which view of which assessment (the revision is kept beside it)."""
        return (self.row.id, tuple(sorted(self.hidden)), tuple(sorted(self.own)))

    def data(self, s: Session) -> Json:
        data = assessment_data(s, self.row.id)
        return redact(data, self.hidden, self.own) if self.hidden else data

    def note(self) -> Json:
        if not self.hidden:
            return {}
        return {
            "hidden": {
                "scenarios": sorted(self.hidden),
                "reason": "the round is open: other analysts' estimates of these scenarios "
                "show after you submit yours; results here use only your estimates for them",
            }
        }


class ResultsCache:
    """Computed results per view of an assessment (each worker process keeps its own).

    * Only the newest revision of a view is kept: every change to an assessment has an audit
      entry, so a newer revision replaces the older one and stale results are never served.
    * At most ``size`` views, least recently used dropped first.
    * One computation per view at a time: requests that miss together wait for the first
      one's result instead of all computing it (and all holding its memory) at once.
    """

    def __init__(self, size: int = 32) -> None:
        Entry = tuple[int, Loaded, Results, ResultsDoc]
        self._items: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._size = size
        self._lock = Lock()
        self._computing: dict[tuple[Any, ...], Lock] = {}
        self._bodies: OrderedDict[tuple[Any, ...], tuple[int, bytes]] = OrderedDict()

    def _hit(self, view: View) -> tuple[Loaded, Results, ResultsDoc] | None:
        with self._lock:
            entry = self._items.get(view.view_key)
            if entry is None or entry[0] != view.revision:
                return None
            self._items.move_to_end(view.view_key)
            return entry[1], entry[2], entry[3]

    def body(self, s: Session, view: View) -> bytes:
        """The JSON of ``GET .../results`` for the view, encoded once per revision (encoding
        half a megabyte of results costs more than the rest of the request)."""
        key = (*view.view_key, "body")
        encoded = self.cached_body(key, view.revision)
        if encoded is not None:
            return encoded
        _loaded, _results, doc = self.get(s, view)
        data = {"classification": view.row.classification, **doc, **view.note()}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._lock:
            self._bodies[key] = (view.revision, text)
            while len(self._bodies) > self._size:
                self._bodies.popitem(last=False)
        return text

    def cached_body(self, key: tuple[Any, ...], revision: int) -> bytes | None:
        """The encoded results of a view (its key, with ``"body"``), if kept at ``revision``."""
        with self._lock:
            encoded = self._bodies.get(key)
            return encoded[1] if encoded is not None and encoded[0] == revision else None

    @staticmethod
    def full_body_key(assessment_id: int) -> tuple[Any, ...]:
        """The key of the encoded results of an assessment seen whole (nothing hidden), as
        :meth:`body` keeps them."""
        return (assessment_id, (), (), "body")

    def get(self, s: Session, view: View) -> tuple[Loaded, Results, ResultsDoc]:
        hit = self._hit(view)
        if hit is not None:
            return hit
        with self._lock:
            gate = self._computing.setdefault(view.view_key, Lock())
        with gate:
            hit = self._hit(view)  # computed by another request meanwhile
            if hit is not None:
                return hit
            loaded = parse_assessment(
                json.dumps(view.data(s)),
                f"assessment {view.row.id}",
                method=method_of(view.row.method),
            )
            results = compute(loaded.inputs, loaded.method, None)
            doc = results_document(loaded, results, "en")
            with self._lock:
                entry = self._items.get(view.view_key)
                if entry is None or entry[0] <= view.revision:
                    self._items[view.view_key] = (view.revision, loaded, results, doc)
                    self._items.move_to_end(view.view_key)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return loaded, results, doc
