"""The web pages under load: ``nsra serve --workers 2`` on loopback, 20 people at once.

Usage::

    .venv/bin/python benchmarks/bench_web.py [--users 20] [--duration 15] [--scenarios 200]

1. the 200-scenario assessment of ``bench_core.generate`` (method ``nl-snv``, 14 analysts, 5
   per scenario, likelihood and 12 criteria each) is imported into a new SQLite file; each
   analyst gets a user of the same name with a password (analyst member), plus a coordinator;
2. ``nsra serve --workers 2`` starts as a subprocess; every virtual user signs in with the
   form (a session cookie, as a browser);
3. three loads, each for ``--duration`` seconds after a warm-up, with ``--users`` concurrent
   virtual users who each wait ``--think`` seconds on average between actions (a person
   reading the page; ``--think 0`` is a stress test with no pause at all). User *u* is
   analyst ``u mod 14``; the coordinator is user 0 on the dashboard:

   * the dashboard ``GET /a/{id}`` (the risk diagram, highest risks, gaps, round progress);
   * the estimate page ``GET /a/{id}/estimates/{scenario}`` of one of the user's scenarios;
   * saving one estimate: the form is read once, then ``POST`` with one slot changed (C and D
     alternately, the version sent back read from the redirect's page), as a person saves;

4. the bytes of a first visit to the dashboard: the page and everything it loads (stylesheet,
   script, icon), as sent (the server does not compress).

Latency is measured by the client on loopback (request sent to last byte received): it is the
server's time plus the queueing of 20 users on 2 workers, an upper bound of the server time.
Percentiles are nearest-rank. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
PASSWORD = "bench password 2026"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    return ordered[k]


def prepare(
    folder: Path, n: int, seed: int, url: str | None = None
) -> tuple[str, int, dict[str, list[str]]]:
    """The database URL, the assessment id and each analyst's scenarios (a new SQLite file,
    or the PostgreSQL database at ``url``, EMPTIED first: its name must contain "bench")."""
    sys.path.insert(0, str(HERE))
    from bench_server_load import prepare as prepare_api
    from sqlalchemy.orm import Session

    from nsra.server.db import make_engine
    from nsra.server.db.access import MembershipRow, UserRow, add_user, hash_password

    if url is not None and "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit("the PostgreSQL database is emptied: its name must contain 'bench'")
    url = url or f"sqlite:///{folder / 'web.db'}"
    prepared = prepare_api(url, n, seed, folder)
    engine = make_engine(url)
    digest = hash_password(PASSWORD)
    with Session(engine) as s, s.begin():
        for user in s.query(UserRow).all():
            user.password_hash = digest
        coordinator = add_user(s, "bench-coordinator", "coordinator", None)
        coordinator.password_hash = digest
        s.add(
            MembershipRow(
                user_id=coordinator.id, assessment_id=prepared.assessment_id, role="coordinator"
            )
        )
    engine.dispose()
    scenarios = {
        name: sorted({sc for sc, _slot in slots}) for name, slots in prepared.slots.items()
    }
    return url, prepared.assessment_id, scenarios


async def sign_in(base: str, name: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    r = await client.post("/sign-in", data={"user": name, "password": PASSWORD})
    if r.status_code != 303:
        raise SystemExit(f"sign-in of {name} failed: {r.status_code}")
    return client


SERVER = re.compile(r"app;dur=([0-9.]+)")


def server_ms(r: httpx.Response) -> float:
    """The server's own time (its Server-Timing header), in seconds."""
    found = SERVER.search(r.headers.get("server-timing", ""))
    return float(found.group(1)) / 1000 if found else math.nan


async def timed_gets(
    clients: list[httpx.AsyncClient], paths: list[str], seconds: float, server: list[float]
) -> list[float]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def user(i: int) -> None:
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            r = await clients[i].get(paths[i])
            if r.status_code != 200:
                raise SystemExit(f"GET {paths[i]}: {r.status_code}")
            latencies.append(time.perf_counter() - t0)
            server.append(server_ms(r))
            await think(rng)

    rng = random.Random(len(server))
    await asyncio.gather(*(user(i) for i in range(len(clients))))
    return latencies


THINK = [1.0]  # mean seconds a person spends on a page before the next action (0: none)


async def think(rng: random.Random) -> None:
    """A person reads the page before acting: uniform over 0.5 to 1.5 times the mean."""
    if THINK[0] > 0:
        await asyncio.sleep(THINK[0] * rng.uniform(0.5, 1.5))


FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CHECKED = re.compile(r'name="(s\d+-class)" value="([^"]*)" checked')


def form_of(html: str) -> dict[str, str]:
    values = dict(FIELD.findall(html))
    values.update(dict(CHECKED.findall(html)))
    return values


async def timed_saves(
    clients: list[httpx.AsyncClient], paths: list[str], seconds: float, server: list[float]
) -> list[float]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def user(i: int) -> None:
        page = await clients[i].get(paths[i])
        flip = 0
        while time.perf_counter() < stop:
            data = form_of(page.text)
            data["s0-class"] = "CD"[flip % 2]
            data["s0-rationale"] = f"bench {flip}"
            flip += 1
            t0 = time.perf_counter()
            r = await clients[i].post(paths[i], data=data)
            latencies.append(time.perf_counter() - t0)
            server.append(server_ms(r))
            if r.status_code != 303:
                raise SystemExit(f"POST {paths[i]}: {r.status_code} {r.text[:300]}")
            page = await clients[i].get(r.headers["location"])
            await think(rng)

    rng = random.Random(len(server) + 1)
    await asyncio.gather(*(user(i) for i in range(len(clients))))
    return latencies


async def first_load(client: httpx.AsyncClient, path: str) -> tuple[int, list[tuple[str, int]]]:
    page = await client.get(path)
    parts = [(path, len(page.content))]
    for ref in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        r = await client.get(ref)
        parts.append((ref, len(r.content)))
    return sum(size for _, size in parts), parts


def line(what: str, values: list[float], server: list[float], seconds: float) -> str:
    ms = [v * 1000 for v in values]
    sms = [v * 1000 for v in server]
    return (
        f"| {what} | {len(values) / seconds:.0f} | {_percentile(sms, 50):.0f} | "
        f"{_percentile(sms, 95):.0f} | {_percentile(ms, 50):.0f} | {_percentile(ms, 95):.0f} |"
    )


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="nsra-bench-web-"))
    url, aid, scenarios = prepare(folder, args.scenarios, args.seed, args.postgres_url)
    port = _free_port()
    env = {**os.environ, "NSRA_DATABASE_URL": url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nsra.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/sign-in", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        names = sorted(scenarios)
        analysts = [names[u % len(names)] for u in range(args.users)]
        clients = [await sign_in(base, "bench-coordinator")] + [
            await sign_in(base, a) for a in analysts[1:]
        ]
        dash = [f"/a/{aid}"] * args.users
        estimate_paths = [
            f"/a/{aid}/estimates/{scenarios[a][u // len(names) % len(scenarios[a])]}"
            for u, a in enumerate(analysts)
        ]
        estimate_paths[0] = f"/a/{aid}/estimates/{scenarios[analysts[0]][0]}?analyst={analysts[0]}"
        save_paths = [p.split("?")[0] for p in estimate_paths]
        save_clients = [await sign_in(base, a) for a in analysts]
        # one slot per user: users on the same analyst take different scenarios
        rows = []
        loads = [
            ("dashboard GET /a/{id}", timed_gets, clients, dash),
            ("estimate page GET /a/{id}/estimates/{s}", timed_gets, clients, estimate_paths),
            ("save one estimate POST /a/{id}/estimates/{s}", timed_saves, save_clients, save_paths),
        ]
        for what, load, who, paths in loads:
            await load(who, paths, args.warmup, [])
            timings: list[float] = []
            lat = await load(who, paths, args.duration, timings)
            rows.append(line(what, lat, timings, args.duration))
        total, parts = await first_load(clients[0], f"/a/{aid}")
        print(
            f"machine: {os.cpu_count()} cores, {args.workers} workers, {args.users} users, "
            f"{args.scenarios} scenarios, {args.duration:g} s per load "
            f"({'PostgreSQL' if args.postgres_url else 'SQLite'})"
        )
        print("| what | per s | server p50 ms | server p95 ms | client p50 ms | client p95 ms |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
        print(
            f"first load of the dashboard: {total / 1024:.0f} KB ("
            + ", ".join(f"{p} {s / 1024:.0f} KB" for p, s in parts)
            + ")"
        )
        for c in clients + save_clients:
            await c.aclose()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8, help="nsra serve --threads")
    parser.add_argument("--postgres-url", default=None, help="a PostgreSQL database (emptied!)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds between a person's actions (0: none)"
    )
    args = parser.parse_args()
    THINK[0] = args.think
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
