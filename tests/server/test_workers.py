"""``nsra serve --workers N`` (nsra.server.workers): each worker on a listening socket of its own,
so a burst of connections is spread over the workers instead of landing on the first awake; a
second ``nsra serve`` on the port is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nsra.io.problems import InputError
from nsra.server import workers
from tests.server.common import free_port, stop_process

pytestmark = pytest.mark.skipif(not workers.spreads(), reason="SO_REUSEPORT spreads on Linux only")


def _accepted(listeners: list[socket.socket], n: int) -> list[int]:
    """Open ``n`` connections to the listeners' port; how many each listener accepted."""
    port = listeners[0].getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    counts = [0] * len(listeners)
    try:
        deadline = time.monotonic() + 10
        while sum(counts) < n and time.monotonic() < deadline:
            for i, listener in enumerate(listeners):
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.close()
                counts[i] += 1
    finally:
        for c in clients:
            c.close()
    return counts


def test_the_sockets_share_the_port_and_the_kernel_spreads_connections_over_them() -> None:
    listeners = workers.bind("127.0.0.1", free_port(), 3)
    try:
        assert len({s.getsockname() for s in listeners}) == 1
        for s in listeners:
            assert s.get_inheritable()
            s.listen(128)
            s.setblocking(False)
        counts = _accepted(listeners, 90)
    finally:
        for s in listeners:
            s.close()
    assert sum(counts) == 90
    # by a hash of the client's port: each gets about a third (one with fewer than 10: p < 1e-6)
    assert min(counts) >= 10, counts


def test_a_taken_address_is_a_plain_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as caught:
            workers.bind("127.0.0.1", port, 2)
    assert str(caught.value) == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_a_second_server_on_the_port_is_refused() -> None:
    port = free_port()
    with workers._only_server(port):
        with pytest.raises(InputError) as caught, workers._only_server(port):
            pass
        assert str(caught.value) == (
            f"error: port {port} is in use by another nsra serve: stop it or give --port"
        )
    with workers._only_server(port):  # free again once the first has stopped
        pass


def test_each_worker_takes_a_free_socket_and_serves_all_when_none_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(workers.LOCKS_ENV, str(tmp_path))
    a, b = socket.socket(), socket.socket()
    try:
        # each call opens the lock files anew, as another process would
        assert workers._own_socket([a, b]) == [a]
        assert workers._own_socket([a, b]) == [b]
        assert workers._own_socket([a, b]) == [a, b]  # a restart: the old workers still run
    finally:
        a.close()
        b.close()


# -- nsra serve --workers 2, for real -------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _tcp(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local port ``port`` in ``state`` (0A listen, 01 established)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_COLOR": "1"}
    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    port = free_port()
    args = ["serve", "--url", url, "--port", str(port), "--workers", "2"]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nsra.cli", *args], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            try:  # one worker answers, and both listen (a worker listens once it has started)
                answered = httpx.get(f"http://127.0.0.1:{port}/api/methods").status_code == 401
            except httpx.TransportError:
                answered = False
            if answered and len(_tcp(port, "0A")) == 2:
                break
            time.sleep(0.2)
        yield proc, port, log
    finally:
        stop_process(proc, timeout=20)


def test_nsra_serve_gives_each_worker_its_socket_and_spreads_a_burst_of_connections(
    serving: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, log = serving
    listening = _tcp(port, "0A")
    assert len(listening) == 2, log.read_text(errors="replace")
    served = {pid: _socket_inodes(pid) & listening for pid in _children(proc.pid)}
    served = {pid: inodes for pid, inodes in served.items() if inodes}
    assert len(served) == 2 and all(len(i) == 1 for i in served.values()), served
    assert len(set().union(*served.values())) == 2  # a socket each, not the same one

    # a burst of keep-alive connections, as a load generator or a proxy opens them
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(40)]
    try:
        for c in clients:
            assert c.get("/api/methods").status_code == 401
        established = _tcp(port, "01")
        held = {pid: len(_socket_inodes(pid) & established) for pid in served}
    finally:
        for c in clients:
            c.close()
    assert sum(held.values()) == 40
    assert min(held.values()) >= 8, held  # binomial(40, 1/2): either under 8 has p < 1e-4

    # a second nsra serve on the port is refused, not joined to the first
    args = ["serve", "--port", str(port), "--workers", "2"]
    args += ["--url", f"sqlite:///{log.parent / 'other.db'}"]
    again = subprocess.run(
        [sys.executable, "-m", "nsra.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert again.returncode == 1
    assert f"port {port} is in use by another nsra serve" in again.stderr + again.stdout
