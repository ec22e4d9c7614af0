"""Heavy requests as jobs (nsra.server.api.jobs, issue 12): a report with its analyses is
answered 202 with a job to poll, made outside the server's threads, limited per user; ordinary
requests are answered while it runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from nsra.server.api import downloads
from nsra.server.api.jobs import PER_USER, JobPool
from tests.server.common import UK_LABEL, Callers, is_error, poll_job

REPORT = "/api/assessments/{id}/report?analysis=true&samples=100"


def _poll(w: Callers, who: str, location: str) -> Any:
    return poll_job(w.client, location, w.auth(who))


def test_a_heavy_report_is_a_job_and_ordinary_requests_go_on(
    callers: Callers, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = callers
    release = threading.Event()
    started = threading.Event()

    def slow(*_args: Any) -> bytes:
        started.set()
        assert release.wait(60)
        return b"<html>the report</html>"

    monkeypatch.setattr(downloads, "report_bytes", slow)
    w.app.state.jobs = JobPool(w.engine, ThreadPoolExecutor(max_workers=2))
    r = w.call("viewer", "GET", REPORT.format(id=w.mine))
    assert r.status_code == 202, r.text
    assert r.headers["x-classification"] == UK_LABEL
    location = r.headers["location"]
    assert r.json() == {
        "job": int(location.rsplit("/", 1)[1]),
        "status": "queued",
        "poll": location,
    }
    assert started.wait(30)
    # the report is being made: ordinary requests are answered meanwhile
    assert w.call("viewer", "GET", f"/api/assessments/{w.mine}").status_code == 200
    assert w.call("viewer", "GET", f"/api/assessments/{w.mine}/results").status_code == 200
    running = w.call("viewer", "GET", location)
    assert running.status_code == 202 and running.json()["status"] == "running"
    # nobody else sees the job
    is_error(w.call("coordinator", "GET", location), 404)
    # per-user limit: PER_USER unfinished jobs, then 429
    for _ in range(PER_USER - 1):
        assert w.call("viewer", "GET", REPORT.format(id=w.mine)).status_code == 202
    refused = w.call("viewer", "GET", REPORT.format(id=w.mine))
    assert is_error(refused, 429) and refused.headers["retry-after"]
    assert w.call("coordinator", "GET", REPORT.format(id=w.mine)).status_code == 202
    release.set()
    done = _poll(w, "viewer", location)
    assert done.status_code == 200, done.text
    assert done.content == b"<html>the report</html>"
    assert done.headers["content-type"].startswith("text/html")
    assert done.headers["x-classification"] == UK_LABEL
    assert "attachment" in done.headers["content-disposition"]


def test_a_failed_job_says_why(callers: Callers, monkeypatch: pytest.MonkeyPatch) -> None:
    w = callers

    def broken(*_args: Any) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(downloads, "report_bytes", broken)
    w.app.state.jobs = JobPool(w.engine, ThreadPoolExecutor(max_workers=1))
    r = w.call("viewer", "GET", REPORT.format(id=w.mine))
    failed = _poll(w, "viewer", r.headers["location"])
    assert "could not" in is_error(failed, 422)["error"]
    assert "boom" not in failed.text


def test_the_report_job_runs_in_a_process_and_gives_the_report(callers: Callers) -> None:
    """The real pool (spawned processes): the job's report is the one made in the request
    without analyses, plus its analyses."""
    w = callers
    r = w.call("viewer", "GET", REPORT.format(id=w.mine))
    assert r.status_code == 202, r.text
    done = _poll(w, "viewer", r.headers["location"])
    assert done.status_code == 200, done.text
    assert done.text.startswith("<!doctype html>") or "<html" in done.text[:200]
    assert "Monte Carlo" in done.text
    plain = w.call("viewer", "GET", f"/api/assessments/{w.mine}/report")
    assert plain.status_code == 200 and "Monte Carlo" not in plain.text


@pytest.mark.parametrize("job", ["0", "-1", "2147483648", "17464782886517540112039936"])
def test_a_job_id_out_of_range_is_422_not_500(callers: Callers, job: str) -> None:
    """Found by the fuzz run: an id too large for the database crashed the lookup."""
    r = callers.call("viewer", "GET", f"/api/jobs/{job}")
    assert is_error(r, 422)["field"] == "path.job_id"
    is_error(callers.call("viewer", "GET", "/api/jobs/2147483647"), 404)
