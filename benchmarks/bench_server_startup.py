"""Startup time of the demonstration server (``nsra serve --demo``).

Usage::

    .venv/bin/python benchmarks/bench_server_startup.py [--runs N] [--timeout SECONDS]

Two figures per run, each with a fresh temporary folder (removed afterwards):

* setup: :func:`nsra.server.demo.demo_database` (create and migrate the SQLite database, import
  the integrated example, make the users and tokens);
* first response: from the start of the setup to the first ``200`` of
  ``GET /api/assessments`` (with the admin's token) from uvicorn running in a thread on a free
  loopback port; bounded by ``--timeout``.

and, as a user meets it, the whole command: ``nsra serve --demo --port P`` started as a new
process (Python start-up and imports included) until its first ``200`` of ``GET /api/docs``.

Results are printed only; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def one_run(timeout: float) -> tuple[float, float]:
    """(setup seconds, seconds to the first successful response)."""
    import uvicorn

    from nsra.server.api import create_app
    from nsra.server.db import make_engine
    from nsra.server.demo import demo_database

    with tempfile.TemporaryDirectory(prefix="nsra-bench-") as folder:
        t0 = time.perf_counter()
        info = demo_database(Path(folder))
        setup = time.perf_counter() - t0
        engine = make_engine(info.url)
        port = _free_port()
        config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="error")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/assessments",
            headers={"Authorization": f"Bearer {info.users[0].token}"},
        )
        try:
            while True:
                if time.perf_counter() - t0 > timeout:
                    raise TimeoutError(f"no response within {timeout} s")
                try:
                    with urllib.request.urlopen(request, timeout=1) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.005)
            first = time.perf_counter() - t0
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()
        return setup, first


def command_run(timeout: float) -> float:
    """Seconds from starting ``nsra serve --demo`` to its first 200 (the process is stopped)."""
    port = _free_port()
    nsra = Path(sys.executable).with_name("nsra")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(nsra), "serve", "--demo", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"no response within {timeout} s")
            try:
                url = f"http://127.0.0.1:{port}/api/docs"
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - t0
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, cpus {os.cpu_count()}")
    t0 = time.perf_counter()
    cold = one_run(args.timeout)  # the first run also pays for the imports and first-time caches
    print(
        f"first run (imports included): {time.perf_counter() - t0:.2f} s in all, "
        f"setup {cold[0] * 1000:.0f} ms, first 200 {cold[1] * 1000:.0f} ms after the imports"
    )
    runs = [one_run(args.timeout) for _ in range(args.runs)]
    for name, values in (("setup", [r[0] for r in runs]), ("first 200", [r[1] for r in runs])):
        print(
            f"{name:<10} median {statistics.median(values) * 1000:7.0f} ms"
            f"  min {min(values) * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms"
            f"  ({len(values)} runs)"
        )
    commands = [command_run(args.timeout) for _ in range(args.runs)]
    print(
        f"{'command':<10} median {statistics.median(commands) * 1000:7.0f} ms"
        f"  min {min(commands) * 1000:7.0f} ms  max {max(commands) * 1000:7.0f} ms"
        f"  ({len(commands)} runs of nsra serve --demo, process start to first 200)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
