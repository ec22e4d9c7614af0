"""Load on the REST API: ``nsra serve --workers 2`` on loopback, driven from another process.

Usage::

    apt-get install -y wrk        # the read load generator (Debian/Ubuntu package "wrk")
    .venv/bin/python benchmarks/bench_server_load.py \\
        [--postgres-url postgresql+psycopg://USER@HOST:PORT/nsra_bench] \\
        [--duration 20] [--warmup 5] [--users 50] [--workers 2] [--scenarios 200]

PostgreSQL runs only when a URL is given (``--postgres-url`` or ``NSRA_BENCH_POSTGRES_URL``);
that database is EMPTIED (schema ``public`` dropped and made again), so the script refuses a
database whose name does not contain ``bench``. SQLite is a file in a temporary folder.

Per engine:

1. a 200-scenario assessment from ``bench_core.generate`` (method ``nl-snv``, 14 analysts, 5
   per scenario, likelihood and 12 criteria each: 13,000 estimate slots) is imported; every
   analyst of the file gets a user of the same name (role analyst, member of the assessment as
   analyst) and a token: an analyst member writes only the estimates of the analyst whose id
   equals their name (``nsra.server.api.estimates``);
2. ``nsra serve --workers N`` is started as a subprocess (access log on, as deployed);
3. reads: ``GET /api/assessments/{id}/results`` by ``--users`` concurrent connections, with
   ``wrk`` (C, one thread: at these rates it needs a few percent of a core) for ``--warmup``
   seconds, discarded, then ``--duration`` seconds measured; then the same with the Python
   client below as a cross-check of the two tools;
4. writes: ``--users`` virtual users, each one analyst's user (user *u* is analyst
   ``u mod 14``) owning a disjoint share of that analyst's slots, so no two users ever touch
   the same slot; each loops over its slots: ``GET`` the estimate (learns ``version``), then
   ``PUT`` ``{"estimate": "C" or "D", "version": V, "rationale": ...}`` (alternating, so every
   write changes the row). Warm-up, then the measured window;
5. the audit trail is verified (``audit.verify``) and its entries counted against the writes;
6. the floors, in the same run: the **read floor** is a bare ASGI app (:func:`bare_app`, no
   framework, no database) under the same uvicorn settings (same number of workers, each on
   its own socket as ``nsra serve`` runs them, access log on, no server header) answering
   every request with the very bytes of the results body nsra served, driven by the same tool
   and users; the same app answers the write load's ``GET`` and ``PUT`` of an estimate with the
   bytes of an estimate nsra served (the **HTTP floor of a write**: what the machine serves
   doing no work at all); the **write floor** is the database's
   durable commit rate: one-row ``INSERT`` + ``COMMIT`` transactions in a loop for
   ``--floor-seconds`` on an engine made by nsra's own ``make_engine`` (so the same
   ``synchronous`` setting on SQLite, and ``synchronous_commit`` on PostgreSQL: the
   equivalent of ``pg_test_fsync``'s one-write-per-commit figure). nsra's rates are printed
   as ratios to these floors.

Why two tools: ``wrk`` gives the most trustworthy read figures (negligible CPU on a 2-core
machine where the server's 2 workers want both cores), but its Lua hooks cannot pair a ``PUT``
with the ``GET`` of the same user nor time the two separately, so writes use a compact asyncio
client in its own process (``client`` sub-command): plain HTTP/1.1 on keep-alive connections
(:class:`_Connection`), since httpx cost about 1 ms of CPU a request, taken from the server on
2 cores. Its own CPU use is measured and printed (``client CPU``, % of one core), so the share
it takes from the server is visible.

Counted: requests completed inside the measured window (requests/s = count / duration) and
their latency (p50/p95/p99, nearest rank); errors are transport errors and any status other
than 200, except 409 on writes, counted separately (a genuine conflict is not an error; the
load is designed to have none). Results are printed only; nothing is written into the
repository.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SLOT_ORDER = ("likelihood",)  # then the criteria as the file gives them
WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRKJSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True)
class Prepared:
    """A database ready for the load: the assessment, each analyst's token and slots."""

    assessment_id: int
    tokens: dict[str, str]  # analyst id (= user name) -> token
    slots: dict[str, list[tuple[str, str]]]  # analyst id -> [(scenario id, slot)]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prepare(url: str, n: int, seed: int, folder: Path) -> Prepared:
    """Empty PostgreSQL database (or new SQLite file), migrated, with the generated assessment
    imported and one analyst user (member, token) per analyst of the file."""
    sys.path.insert(0, str(HERE))
    from bench_core import generate
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from nsra.server.db import assessment_data, import_file, make_engine, upgrade
    from nsra.server.db.access import MembershipRow, add_user, new_token

    source, _counts = generate(n, seed)
    path = folder / f"assessment-{n}.yaml"
    path.write_text(source, encoding="utf-8")
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:  # the database is the benchmark's own: start empty
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        assessment_id = import_file(engine, str(path))
        tokens: dict[str, str] = {}
        slots: dict[str, list[tuple[str, str]]] = {}
        with Session(engine) as session, session.begin():
            data = assessment_data(session, assessment_id)
            for analyst in data["analysts"]:
                name = analyst["id"]
                user = add_user(session, name, "analyst", None)
                session.add(
                    MembershipRow(user_id=user.id, assessment_id=assessment_id, role="analyst")
                )
                tokens[name] = new_token(session, user)
                slots[name] = []
            for scenario in data["scenarios"]:
                for estimate in scenario.get("estimates", []):
                    names = [*SLOT_ORDER, *estimate.get("impact", {})]
                    slots[estimate["analyst"]].extend((scenario["id"], s) for s in names)
    finally:
        engine.dispose()
    return Prepared(assessment_id, tokens, slots)


def write_plan(prepared: Prepared, users: int) -> list[dict[str, Any]]:
    """Virtual user u is analyst ``u mod A``; the users of one analyst share its slots
    round-robin, so every slot has exactly one user and no write can conflict."""
    analysts = sorted(a for a in prepared.slots if prepared.slots[a])
    plan = []
    for u in range(users):
        name = analysts[u % len(analysts)]
        sharing = len(range(u % len(analysts), users, len(analysts)))
        mine = prepared.slots[name][u // len(analysts) :: sharing]
        plan.append({"token": prepared.tokens[name], "analyst": name, "slots": mine})
    return plan


# -- the server ---------------------------------------------------------------------------------


class Server:
    """``nsra serve --workers N --url URL`` in a subprocess on a free loopback port."""

    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        command = [sys.executable, "-m", "nsra.cli", "serve", "--url", url]
        command += ["--port", str(self.port), "--workers", str(workers)]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, token: str, timeout: float = 60.0) -> None:
        request = urllib.request.Request(
            f"{self.base}/api/assessments", headers={"Authorization": f"Bearer {token}"}
        )
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {self.process.returncode})")
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:  # refused, reset, timed out: not up yet
                time.sleep(0.1)
        raise TimeoutError(f"no response within {timeout} s")

    def drain(self, token: str, timeout: float = 300.0) -> None:
        """Wait until the server is idle: a client that stops leaves its requests running in
        the workers (a results request is about 1 s of CPU), which would load the next phase.
        Idle: ``GET /api/methods`` answers within 0.1 s three times in a row."""
        request = urllib.request.Request(
            f"{self.base}/api/methods", headers={"Authorization": f"Bearer {token}"}
        )
        t0, quick = time.monotonic(), 0
        while quick < 3 and time.monotonic() - t0 < timeout:
            t1 = time.monotonic()
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
            quick = quick + 1 if time.monotonic() - t1 < 0.1 else 0
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown, workers too
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


# -- the Python load client (its own process) ---------------------------------------------------


def _percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def _stats(latencies: list[float], duration: float) -> dict[str, float]:
    values = sorted(latencies)
    return {
        "requests": len(values),
        "rps": len(values) / duration,
        **{f"p{p}": _percentile(values, p) * 1000 for p in (50, 95, 99)},
        "max": (values[-1] * 1000) if values else math.nan,
    }


class _Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: the load client's own, since
    httpx costs about 1 ms of CPU a request, which on 2 cores the server's workers want."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, token: str, body: bytes | None = None
    ) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += f"Authorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self._writer.write((head + "\r\n").encode("ascii") + (body or b""))
        reader = self._reader
        assert reader is not None
        try:
            status_line = await reader.readuntil(b"\r\n")
            raw_headers = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, closing = 0, False, False
        for line in raw_headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                closing = True
        if chunked:
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                parts.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            data = b"".join(p[:-2] for p in parts)
        else:
            data = await reader.readexactly(length)
        if closing:
            self.close()
        return status, data

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _drive(spec: dict[str, Any]) -> dict[str, Any]:
    from urllib.parse import urlsplit

    base, mode = urlsplit(spec["base"]), spec["mode"]
    warmup, duration = float(spec["warmup"]), float(spec["duration"])
    results_path = f"/api/assessments/{spec['assessment']}/results"
    estimate_path = f"/api/assessments/{spec['assessment']}/scenarios/{{}}/estimates/{{}}/{{}}"
    latencies: dict[str, list[float]] = {"read": [], "get": [], "put": [], "pair": []}
    counts = {"errors": 0, "conflicts": 0}
    samples: list[str] = []
    t_start = time.perf_counter() + warmup
    t_end = t_start + duration

    def keep(kind: str, t0: float, t1: float) -> None:
        if t_start <= t1 <= t_end:
            latencies[kind].append(t1 - t0)

    def error(t1: float, what: str) -> None:
        if t_start <= t1 <= t_end:
            counts["errors"] += 1
            if len(samples) < 5:
                samples.append(what[:300])

    async def user(u: dict[str, Any]) -> None:
        connection = _Connection(base.hostname or "127.0.0.1", base.port or 80)
        token = u["token"]
        i = 0
        while time.perf_counter() < t_end:
            t0 = time.perf_counter()
            try:
                if mode == "read":
                    status, data = await connection.request("GET", results_path, token)
                    t1 = time.perf_counter()
                    if status == 200:
                        keep("read", t0, t1)
                    else:
                        error(t1, f"{status} {data[:300]!r}")
                    continue
                scenario, slot = u["slots"][i % len(u["slots"])]
                estimate = "CD"[(i // len(u["slots"])) % 2]
                i += 1
                path = estimate_path.format(scenario, u["analyst"], slot)
                status, data = await connection.request("GET", path, token)
                t1 = time.perf_counter()
                if status != 200:
                    error(t1, f"GET {status} {data[:300]!r}")
                    continue
                keep("get", t0, t1)
                body = {"estimate": estimate, "version": json.loads(data)["version"]}
                body["rationale"] = "load"
                status, data = await connection.request(
                    "PUT", path, token, json.dumps(body).encode()
                )
                t2 = time.perf_counter()
                if status == 200:
                    keep("put", t1, t2)
                    keep("pair", t0, t2)
                elif status == 409:
                    if t_start <= t2 <= t_end:
                        counts["conflicts"] += 1
                        if len(samples) < 5:
                            samples.append(f"409 {data[:300]!r}")
                else:
                    error(t2, f"PUT {status} {data[:300]!r}")
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                error(time.perf_counter(), f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(0.01)

    cpu0: float | None = None

    async def cpu_mark() -> None:
        nonlocal cpu0
        await asyncio.sleep(max(0.0, t_start - time.perf_counter()))
        ru = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = ru.ru_utime + ru.ru_stime

    await asyncio.gather(cpu_mark(), *(user(u) for u in spec["users"]))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu = ru.ru_utime + ru.ru_stime - (cpu0 or 0.0)
    out = {k: _stats(v, duration) for k, v in latencies.items() if v}
    return {**out, **counts, "samples": samples, "client_cpu": cpu / duration * 100}


def client_main(plan_file: str) -> None:
    spec = json.loads(Path(plan_file).read_text(encoding="utf-8"))
    print(json.dumps(asyncio.run(_drive(spec))))


def run_client(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The Python client in a second process; its JSON answer."""
    plan = folder / "plan.json"
    plan.write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "client", str(plan)],
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


# -- wrk ----------------------------------------------------------------------------------------


def run_wrk(
    wrk: str, url: str, token: str, users: int, seconds: float, folder: Path
) -> dict[str, Any]:
    """One ``wrk`` run (1 thread, ``users`` connections); its figures and CPU use."""
    script = folder / "report.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [wrk, "-t1", f"-c{users}", f"-d{max(1, round(seconds))}s", "--timeout", "60s"]
    command += ["-H", f"Authorization: Bearer {token}", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    duration = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "read": {
            "requests": raw["requests"],
            "rps": raw["requests"] / duration,
            **{p: raw[p] / 1000 for p in ("p50", "p95", "p99", "max")},
        },
        "errors": errors,
        "conflicts": 0,
        "client_cpu": cpu / duration * 100,
        "samples": [] if not errors else [done.stdout[-600:]],
    }


# -- the floors ---------------------------------------------------------------------------------

BODY_ENV = "NSRA_BENCH_BODY"
SMALL_ENV = "NSRA_BENCH_SMALL"


def bare_app() -> Any:
    """A bare ASGI app: the floor of a request (uvicorn's own cost). It answers a request for
    an estimate (a path with ``/estimates/``; a ``PUT``'s body is read first) with the bytes of
    the file named by ``NSRA_BENCH_SMALL``, and every other request with those of the file named
    by ``NSRA_BENCH_BODY`` (both as JSON): answers nsra gave, so the same bytes go out."""

    def answer(env: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        body = Path(os.environ[env]).read_bytes() if os.environ.get(env) else b"{}"
        length = str(len(body)).encode()
        return body, [(b"content-type", b"application/json"), (b"content-length", length)]

    big, small = answer(BODY_ENV), answer(SMALL_ENV)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, headers = small if "/estimates/" in scope["path"] else big
        more = scope["method"] in ("PUT", "POST")
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


class BareServer(Server):
    """:func:`bare_app` under uvicorn as ``nsra serve`` runs it: its options, and its workers
    (:mod:`nsra.server.workers`: on Linux a listening socket each)."""

    def __init__(self, body: Path, small: Path, workers: int, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        start = (
            "from nsra.cli.server import uvicorn_options\n"
            "from nsra.server.workers import run\n"
            f"run('bench_server_load:bare_app', {workers}, "
            f"uvicorn_options('127.0.0.1', {self.port}, None))"
        )
        command = [sys.executable, "-c", start]
        python_path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, BODY_ENV: str(body), SMALL_ENV: str(small), "PYTHONPATH": python_path}
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )


def commit_rate(url: str, seconds: float) -> float:
    """Durable one-row transactions per second on an engine as nsra makes it."""
    from sqlalchemy import text

    from nsra.server.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS bench_commits"))
            conn.execute(text("CREATE TABLE bench_commits (n INTEGER, note TEXT)"))
        count, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO bench_commits VALUES (:n, 'x')"), {"n": count})
            count += 1
        rate = count / (time.perf_counter() - t0)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE bench_commits"))
        return rate
    finally:
        engine.dispose()


def _get(url: str, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        data: bytes = response.read()
        return data


# -- the run ------------------------------------------------------------------------------------


def _row(engine: str, what: str, tool: str, r: dict[str, Any], key: str) -> str:
    s = r.get(key) or {"rps": 0.0, "requests": 0, **dict.fromkeys(("p50", "p95", "p99"), math.nan)}
    return (
        f"| {engine} | {what} | {tool} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} "
        f"| {s['p99']:.0f} | {s['requests']} | {r['errors']} | {r['conflicts']} "
        f"| {r['client_cpu']:.0f}% |"
    )


def bench_engine(name: str, url: str, args: argparse.Namespace, folder: Path) -> list[str]:
    from nsra.server.db import audit, make_engine

    t0 = time.perf_counter()
    prepared = prepare(url, args.scenarios, args.seed, folder)
    print(f"{name}: prepared in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    plan = write_plan(prepared, args.users)
    server = Server(url, args.workers, folder / f"server-{name}.log")
    rows: list[str] = []
    reads: dict[str, float] = {}
    try:
        server.wait_ready(plan[0]["token"])
        results = f"{server.base}/api/assessments/{prepared.assessment_id}/results"
        spec = {
            "base": server.base,
            "assessment": prepared.assessment_id,
            "users": plan,
            "warmup": args.warmup,
            "duration": args.duration,
        }
        wrk = shutil.which("wrk")
        if wrk:
            run_wrk(wrk, results, plan[0]["token"], args.users, args.warmup, folder)  # warm-up
            r = run_wrk(wrk, results, plan[0]["token"], args.users, args.duration, folder)
            rows.append(_row(name, "read results", "wrk", r, "read"))
            reads["wrk"] = r["read"]["rps"]
            _samples(r)
        else:
            print("wrk not found (apt-get install -y wrk): reads by the Python client only")
        server.drain(plan[0]["token"])
        r = run_client({**spec, "mode": "read"}, folder)
        rows.append(_row(name, "read results", "python", r, "read"))
        reads["nsra"] = r["read"]["rps"]
        _samples(r)
        server.drain(plan[0]["token"])
        r = run_client({**spec, "mode": "write"}, folder)
        rows.append(_row(name, "PUT estimate", "python", r, "put"))
        rows.append(_row(name, "GET estimate", "python", r, "get"))
        rows.append(_row(name, "GET+PUT pair", "python", r, "pair"))
        writes = r["put"]["rps"] if r.get("put") else 0.0
        _samples(r)
        body = folder / "results.json"
        body.write_bytes(_get(results, plan[0]["token"]))
        scenario, slot = plan[0]["slots"][0]
        estimate = f"{server.base}/api/assessments/{prepared.assessment_id}/scenarios/"
        small = folder / "estimate.json"
        small.write_bytes(
            _get(f"{estimate}{scenario}/estimates/{plan[0]['analyst']}/{slot}", plan[0]["token"])
        )
    finally:
        server.stop()
    bare = BareServer(body, small, args.workers, folder / f"bare-{name}.log")
    try:
        bare.wait_ready(plan[0]["token"])
        floors: dict[str, float] = {}
        bare_results = bare.base + results.removeprefix(server.base)
        if wrk:
            run_wrk(wrk, bare_results, "-", args.users, args.warmup, folder)
            r = run_wrk(wrk, bare_results, "-", args.users, args.duration, folder)
            rows.append(_row(name, "bare ASGI floor", "wrk", r, "read"))
            floors["wrk"] = r["read"]["rps"]
        r = run_client({**spec, "base": bare.base, "mode": "read"}, folder)
        rows.append(_row(name, "bare ASGI floor", "python", r, "read"))
        floors["python"] = r["read"]["rps"]
        reads["python"] = reads.pop("nsra")
        r = run_client({**spec, "base": bare.base, "mode": "write"}, folder)
        rows.append(_row(name, "bare ASGI floor: PUT", "python", r, "put"))
        rows.append(_row(name, "bare ASGI floor: GET+PUT pair", "python", r, "pair"))
        bare_writes = r["put"]["rps"] if r.get("put") else math.nan
    finally:
        bare.stop()
    commits = commit_rate(url, args.floor_seconds)
    for tool, floor in floors.items():
        print(
            f"{name}: reads ({tool}) {reads[tool]:.0f}/s = {reads[tool] / floor:.2f}x the bare "
            f"ASGI floor ({floor:.0f}/s)",
            file=sys.stderr,
        )
    print(
        f"{name}: writes {writes:.0f}/s = {writes / commits:.2f}x the commit-rate floor "
        f"({commits:.0f} commits/s); the same GET+PUT pairs answered by the bare ASGI app: "
        f"{bare_writes:.0f}/s ({writes / bare_writes:.2f}x; the commit floor is "
        f"{commits / bare_writes:.2f}x of it)",
        file=sys.stderr,
    )
    engine = make_engine(url)
    try:
        problems = audit.verify(engine)
        total = audit.count(engine)
    finally:
        engine.dispose()
    print(
        f"{name}: audit trail {'intact' if not problems else problems[:3]}, {total} entries",
        file=sys.stderr,
    )
    return rows


def _samples(r: dict[str, Any]) -> None:
    for sample in r.get("samples", []):
        print(f"  sample: {sample}", file=sys.stderr)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "client":
        client_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=os.environ.get("NSRA_BENCH_POSTGRES_URL"))
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--floor-seconds", type=float, default=5.0)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    if "postgresql" in args.engines and args.postgres_url:
        from sqlalchemy.engine import make_url

        if "bench" not in (make_url(args.postgres_url).database or ""):
            parser.error("the PostgreSQL database is emptied: its name must contain 'bench'")
    print(
        f"python {platform.python_version()}, {platform.machine()}, cpus {os.cpu_count()}; "
        f"{args.workers} server workers, {args.users} users, {args.scenarios} scenarios, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="nsra-load-") as tmp:
        folder = Path(tmp)
        for name in args.engines:
            if name == "sqlite":
                url = f"sqlite:///{folder / 'load.db'}"
            elif args.postgres_url:
                url = args.postgres_url
            else:
                print("PostgreSQL skipped: give --postgres-url or NSRA_BENCH_POSTGRES_URL")
                continue
            rows += bench_engine(name, url, args, folder)
    print(
        "| engine | request | client | req/s | p50 ms | p95 ms | p99 ms | n | errors "
        "| 409 | client CPU |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
