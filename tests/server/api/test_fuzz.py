"""Fuzzing the REST API from its own OpenAPI document (schemathesis): no 5xx, ever.

A real ``nsra serve`` runs in a subprocess on 127.0.0.1 (a free port) on a fresh demo database
(:mod:`nsra.server.demo`: the integrated example, one user per role), on SQLite and, as in the
rest of the suite, on PostgreSQL at ``NSRA_TEST_POSTGRES_URL``. The schema is read from the live
server's ``/api/openapi.json``, so every operation it lists is fuzzed, including endpoints added
after this file was written. Each operation is fuzzed as the administrator and as the example's
analyst (``nctv-analyst``, a member who may write only their own estimates).

Decisions (read before changing):

* Reaching real data. Random path parameters only ever find 404s. A schema-level
  ``flatmap_case`` hook therefore replaces, in about half of the cases, the parameters it knows
  by name (``assessment_id``, ``scenario``, ``analyst``, ``slot``, ``level``, ``user``) by ids read
  from the live server, and the bodies of the operations it knows (an estimate write, a member,
  an uploaded assessment) by real values, partly mutated. The other half stays as schemathesis
  generated it, so unknown ids, malformed values and new endpoints are fuzzed as well.
  A workbook upload (``import.xlsx``, a new assessment or a new version) is sent as bytes (a
  serializer registered here for the Excel media type): a real workbook of the demo, one cut
  short or overwritten in part, or the binary string schemathesis generated.
* Checks. ``not_a_server_error`` is the point; ``content_type_conformance`` and
  ``response_schema_conformance`` hold for this API and are cheap. ``status_code_conformance``
  is not enabled: the OpenAPI document declares only 200/201/422, while the API answers 401,
  403, 404 and 409 by design (see tests/test_api.py). Instead ``nsra_error_contract`` checks
  what the API promises: every status is one of those it documents, and every error is JSON
  ``{"error": message, "field": ...}`` without a traceback.
* Bounds. At most ``MAX_EXAMPLES`` cases per operation and ``SECONDS_PER_RUN`` seconds per
  (database, user) run, split evenly over the operations the schema lists (so a slow operation
  cannot starve the next ones); once an operation's share is spent its remaining cases are not
  sent (Hypothesis offers no wall-clock limit). Shrinking is off: a request over HTTP is slow,
  and a failure is reported as the exact request anyway (with a curl command). Hypothesis's
  example database is off: the server's data differ between runs. Both limits can be raised
  for a longer local run with ``NSRA_FUZZ_EXAMPLES`` and ``NSRA_FUZZ_SECONDS``.
* The server's output (with the traceback of any 500) is kept in a file and shown on failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from nsra.io.excel import export_workbook
from nsra.io.methods import load_method
from nsra.io.validate import read_assessment
from nsra.server.api.excel import XLSX
from nsra.server.db import upgrade
from nsra.server.demo import DEMO_ANALYST, DEMO_FILE, DEMO_USERS, _fill, demo_database
from tests.conftest import reset_postgres
from tests.helpers import EXAMPLES
from tests.server.common import free_port, stop_process

Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Any]

MAX_EXAMPLES = int(os.environ.get("NSRA_FUZZ_EXAMPLES", "25"))
SECONDS_PER_RUN = float(os.environ.get("NSRA_FUZZ_SECONDS", "15"))
REQUEST_TIMEOUT = 30.0  # seconds; a request that takes longer is a failure of its own
# every status the API answers by design (400: a body that is not JSON, 405: a method the path,
# does not have, 415: a body of another media type, 202: a job, 429 and 503: the job limits and
# admission, with Retry-After); anything else, 500 above all, fails
DOCUMENTED_STATUSES = frozenset(
    {200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 415, 422, 429, 503}
)
ROLES = {"admin": "demo-admin", "analyst": DEMO_ANALYST}  # fuzzed as, demo user name


@schemathesis.serializer(XLSX)
def _workbook_bytes(_ctx: Any, value: Any) -> bytes:
    """A workbook upload is its bytes as they are: generated binary strings (broken workbooks)
    or a real workbook from :func:`_body`."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


# -- the server -------------------------------------------------------------------------------
@dataclass
class Server:
    """A running ``nsra serve``: its address, the demo users' tokens and its output."""

    base_url: str
    tokens: dict[str, str]  # user name -> token
    assessment_id: int
    log: Path


def _start(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``nsra serve`` on ``url`` at a free loopback port, once it answers its OpenAPI URL."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("NSRA_DEBUG", None)
    for _attempt in range(3):
        port = free_port()  # the server may lose it to another process: retried
        base = f"http://127.0.0.1:{port}"
        args = ["serve", "--url", url, "--host", "127.0.0.1", "--port", str(port)]
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "nsra.cli", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200:
                    return proc, base
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        stop_process(proc)
    pytest.fail(f"nsra serve did not start:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The demo database served; on PostgreSQL the same content, made by the demo's own code."""
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "postgresql":
        engine = reset_postgres()  # skips (or fails in CI) without NSRA_TEST_POSTGRES_URL
        try:
            upgrade(engine)
            assessment_id, users = _fill(engine)
            url = engine.url.render_as_string(hide_password=False)
        finally:
            engine.dispose()
    else:
        info = demo_database(folder)
        url, assessment_id, users = info.url, info.assessment_id, info.users
    log = folder / "server.log"
    proc, base = _start(url, log)
    try:
        yield Server(base, {u.name: u.token for u in users}, assessment_id, log)
    finally:
        stop_process(proc)


# -- what the server holds, to aim the cases at it ------------------------------------------
@dataclass
class Known:
    """Ids and values that exist in the served database (read from the API as administrator)."""

    assessment_id: int
    pools: dict[str, list[Any]]  # parameter name -> real values
    levels: list[str]  # the method's intensity levels ([] when it has none)
    estimates: dict[str, list[Any]]  # slot -> estimates of it written in the file
    uploads: list[dict[str, Any]]  # assessment files as a client uploads them
    workbooks: list[bytes]  # the same as Excel workbooks (``nsra excel export``)


def _json_file(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)
    )
    return data


def _known(server: Server) -> Known:
    token = server.tokens[DEMO_USERS[0][0]]  # the administrator
    r = httpx.get(
        f"{server.base_url}/api/assessments/{server.assessment_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT,
    )
    r.raise_for_status()
    data = r.json()["assessment"]
    method = load_method(data["method"])
    slots = ["likelihood", *(c.id for c in method.criteria)]
    estimates: dict[str, list[Any]] = {slot: [] for slot in slots}
    for scenario in data.get("scenarios", []):
        for estimate in scenario.get("estimates", []):
            if "likelihood" in estimate:
                estimates["likelihood"].append(estimate["likelihood"])
            for criterion, value in (estimate.get("impact") or {}).items():
                estimates.setdefault(criterion, []).append(value)
    with resources.as_file(resources.files("nsra.examples") / DEMO_FILE) as demo:
        uploads = [_json_file(demo), *(_json_file(p) for p in EXAMPLES)]
        loaded = read_assessment(str(demo))
    workbooks = [export_workbook(loaded.assessment, loaded.method)]
    return Known(
        assessment_id=server.assessment_id,
        pools={
            "assessment_id": [server.assessment_id],
            "scenario": [s["id"] for s in data.get("scenarios", [])],
            "analyst": [a["id"] for a in data.get("analysts", [])],
            "slot": slots,
            "user": [name for name, _role, _member in DEMO_USERS],
        },
        levels=[lv.id for lv in method.intensity_levels],
        estimates=estimates,
        uploads=uploads,
        workbooks=workbooks,
    )


# -- aiming the generated cases ---------------------------------------------------------------
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def cases(operation: Operation, known: Known) -> st.SearchStrategy[AnyCase]:
    """The operation's cases: positive and negative as schemathesis makes them, each either
    left as it is or aimed at the database's data (about half and half)."""
    generated = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    return st.one_of(generated).flatmap(lambda case: st.just(case) | _aimed(case, known))


def _real_or(value: Any, pool: list[Any]) -> st.SearchStrategy[Any]:
    """A real value (three times in four) or the generated one (an unknown or malformed id)."""
    real = st.sampled_from(pool)
    return st.one_of(real, real, real, st.just(value))


@st.composite
def _aimed(draw: st.DrawFn, case: AnyCase, known: Known) -> AnyCase:
    """The case with the parameters known by name mostly set to real values, and a real body;
    the assessment is always the demo's (else the rest would be answered by a 404)."""
    path = dict(case.path_parameters or {})
    for name, value in path.items():
        if name == "assessment_id":
            path[name] = known.assessment_id
        elif known.pools.get(name):
            path[name] = draw(_real_or(value, known.pools[name]))
    query = dict(case.query or {})
    if "slot" in path:  # a method without levels refuses any level; one with levels needs one
        level = query.pop("level", None)
        if known.levels:
            query["level"] = draw(_real_or(level, known.levels))
    for name, value in query.items():
        if known.pools.get(name):
            query[name] = draw(_real_or(value, known.pools[name]))
    case.path_parameters, case.query = path, query
    case.body = draw(_body(case, path, known))
    return case


def _body(case: AnyCase, path: dict[str, Any], known: Known) -> st.SearchStrategy[Any]:
    """A real body for the operations known here (by path and method); else the generated one.

    Estimates are drawn from those of the same slot in the file (so most are valid) or are any
    JSON; uploads are an example file, or one with a top-level member replaced by any JSON.
    """
    method, body = case.method.upper(), case.body
    if method == "PUT" and "slot" in path:
        values = known.estimates.get(str(path["slot"])) or [None]
        return st.fixed_dictionaries(
            {
                "estimate": st.sampled_from(values) | JSON_VALUES,
                "rationale": st.none() | st.text(max_size=20),
                "version": st.none() | st.integers(min_value=-1, max_value=3),
            }
        )
    if method == "POST" and case.path.endswith("/members"):
        return st.fixed_dictionaries(
            {
                "user": _real_or("", known.pools["user"]) | st.text(max_size=80),
                "role": st.sampled_from(["coordinator", "analyst", "viewer"]),
            }
        )
    if method == "POST" and case.path == "/api/assessments":
        return st.sampled_from(known.uploads) | _mutated(known.uploads)
    if method == "POST" and case.path.endswith("/import.xlsx"):  # new, or a new version
        return st.sampled_from(known.workbooks) | _damaged(known.workbooks)
    return st.just(body)


@st.composite
def _damaged(draw: st.DrawFn, workbooks: list[bytes]) -> bytes:
    """A real workbook cut short or with a run of its bytes overwritten."""
    book = draw(st.sampled_from(workbooks))
    start = draw(st.integers(0, len(book) - 1))
    if draw(st.booleans()):
        return book[:start]
    patch = draw(st.binary(min_size=1, max_size=64))
    return book[:start] + patch + book[start + len(patch) :]


@st.composite
def _mutated(draw: st.DrawFn, uploads: list[dict[str, Any]]) -> dict[str, Any]:
    """An example file with one member, at the top or in a scenario, replaced by any JSON."""
    upload = draw(st.sampled_from(uploads))
    scenarios = upload.get("scenarios")
    if isinstance(scenarios, list) and scenarios and draw(st.booleans()):
        index = draw(st.integers(0, len(scenarios) - 1))
        scenario = scenarios[index]
        key = draw(st.sampled_from(sorted(scenario)))
        changed = [*scenarios]
        changed[index] = {**scenario, key: draw(JSON_VALUES | st.text(min_size=60))}
        return {**upload, "scenarios": changed}
    key = draw(st.sampled_from(sorted(upload)))
    return {**upload, key: draw(JSON_VALUES)}


# -- the checks -------------------------------------------------------------------------------


def nsra_error_contract(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A documented status, and every error as ``{"error": message, "field": ...}``."""
    status = response.status_code
    assert status in DOCUMENTED_STATUSES, f"undocumented status {status}"
    if status >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), (
            "an error that is not JSON"
        )
        body = response.json()
        assert isinstance(body, dict), "an error body that is not an object"
        assert isinstance(body.get("error"), str) and body["error"], "an error without message"
        assert "field" in body, "an error without 'field'"
        assert "Traceback" not in response.text, "a traceback in the answer"
    return None


CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_schema_conformance,
    nsra_error_contract,
]


# -- the run ----------------------------------------------------------------------------------
@dataclass
class Run:
    """One (database, user) run: who asks, the time budget per operation, what was answered."""

    headers: dict[str, str]
    seconds_per_operation: float
    statuses: Counter[int] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)  # operation -> requests
    not_sent: int = 0  # cases generated after their operation's time was spent

    def fuzz(self, operation: Operation, known: Known) -> None:
        """Every generated case of the operation sent and checked (until its time is spent)."""
        label = operation.label
        started = time.monotonic()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases(operation, known))
        def one(case: AnyCase) -> None:
            if time.monotonic() - started > self.seconds_per_operation:
                self.not_sent += 1
                return
            if not _sendable(case.body):
                return  # NaN or infinity: JSON has no such number, no client can send it
            response = case.call(headers=self.headers, timeout=REQUEST_TIMEOUT)
            self.statuses[response.status_code] += 1
            self.sent[label] += 1
            case.validate_response(response, checks=CHECKS, headers=self.headers)

        one()


def _sendable(body: Any) -> bool:
    """A body a JSON client can send (the generator may put NaN or infinity in it)."""
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError):
        return not isinstance(body, float | dict | list)
    return True


@pytest.mark.parametrize("role", list(ROLES))
def test_no_server_error(server: Server, role: str, request: pytest.FixtureRequest) -> None:
    """Every operation of the live schema fuzzed as ``role``: no 5xx, errors as documented."""
    schema = schemathesis.openapi.from_url(
        f"{server.base_url}/api/openapi.json", timeout=REQUEST_TIMEOUT
    )
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert operations, "the schema lists no operation"
    known = _known(server)
    run = Run(
        headers={"Authorization": f"Bearer {server.tokens[ROLES[role]]}"},
        seconds_per_operation=SECONDS_PER_RUN / len(operations),
    )
    failures: list[str] = []
    for operation in operations:
        try:
            run.fuzz(operation, known)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group
            # every operation is fuzzed; the failures are shown together
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}")

    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"\nfuzz {request.node.callspec.id}: {len(operations)} operations, "
            f"{run.statuses.total()} requests ({run.not_sent} not sent: time), "
            f"statuses {dict(sorted(run.statuses.items()))}, "
            f"per operation {dict(run.sent)}"
        )
    if failures:
        log = server.log.read_text(errors="replace")
        pytest.fail("\n\n".join([*failures, f"server output (last part):\n{log[-6000:]}"]))
