"""The Analyses page: an analysis starts as a background job (the request does not wait), its
progress is polled as JSON, and its results are the report's sections with the numbers of
``nsra.analyse``; members see only the analyses of their own view of the assessment."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

import nsra
from nsra.io.validate import parse_assessment
from nsra.server.analysis_runner import options
from nsra.server.api.views import View
from nsra.server.db import analysis_jobs as jobs
from nsra.server.db import import_file
from nsra.server.db import workflow as wf
from nsra.server.db.access import MembershipRow, UserRow, add_user
from nsra.server.db.analysis_jobs import AnalysisJobRow
from nsra.server.db.exporting import assessment_data
from nsra.server.db.methods import method_of
from nsra.server.db.models import AnalystRow, AssessmentRow
from nsra.server.web.pages import LANG_COOKIE
from tests.server.common import BE, UK
from tests.server.web import analysis_fakes
from tests.server.web.test_signin import PASSWORD, _Page, sign_in

ROLES = {"cora": "coordinator", "ana": "analyst", "vic": "viewer"}


def _world(client: TestClient, example: Path) -> int:
    """The example, a coordinator, an analyst and a viewer of it, and sam (member of nothing)."""
    engine = _engine(client)
    aid = import_file(engine, str(example))
    with Session(engine) as s, s.begin():
        for name, role in ROLES.items():
            user = add_user(s, name, role, PASSWORD)
            s.add(MembershipRow(user_id=user.id, assessment_id=aid, role=role))
        add_user(s, "sam", "analyst", PASSWORD)
    return aid


def _engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


def _set_work(client: TestClient, work: Any) -> None:
    client.app.state.analysis_work = work  # type: ignore[attr-defined]


@pytest.fixture
def uk(client: TestClient) -> tuple[TestClient, int]:
    return client, _world(client, UK)


@pytest.fixture
def be(client: TestClient) -> tuple[TestClient, int]:
    return client, _world(client, BE)


def _csrf(client: TestClient, aid: int) -> str:
    return _Page(client.get(f"/a/{aid}/analyses").text).hidden["csrf_token"]


def _start(client: TestClient, aid: int, samples: Any = 100, seed: Any = 3) -> Any:
    return client.post(
        f"/a/{aid}/analyses",
        data={"csrf_token": _csrf(client, aid), "samples": str(samples), "seed": str(seed)},
        follow_redirects=False,
    )


def _job_id(response: Any) -> int:
    found = re.search(r"job=(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _wait(client: TestClient, aid: int, job: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, Any] = client.get(f"/a/{aid}/analyses/jobs/{job}").json()
        if state["status"] in ("done", "failed"):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.2)


def _jobs(client: TestClient) -> list[AnalysisJobRow]:
    with Session(_engine(client)) as s:
        return list(s.scalars(select(AnalysisJobRow).order_by(AnalysisJobRow.id)))


def _expected(client: TestClient, aid: int, samples: int, seed: int) -> dict[str, Any]:
    """``nsra.analyse`` of the assessment as stored (what every member of a closed round
    sees), with the options of the page, as JSON."""
    with Session(_engine(client)) as s:
        data = assessment_data(s, aid)
        row = s.get(AssessmentRow, aid)
        assert row is not None
        method = method_of(row.method)
    loaded = parse_assessment(json.dumps(data), f"assessment {aid}", method=method)
    results = nsra.compute(loaded)
    analyses = nsra.analyse(loaded, results, options(samples, seed))
    doc: dict[str, Any] = json.loads(json.dumps(nsra.analysis_document(loaded, results, analyses)))
    return doc


def _heat(html: str) -> dict[str, list[str]]:
    """The SMAA heat map as the page shows it: per scenario the numbers of its cells."""
    table = html.split('<table class="heat">', 1)[1].split("</table>", 1)[0]
    return {
        sid: re.findall(r'data-share="([^"]*)"', cells)
        for sid, cells in re.findall(r'<tr data-id="([^"]+)">(.*?)</tr>', table, re.S)
    }


def _intervals(html: str) -> dict[str, str]:
    table = html.split('<table class="intervals">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-id="([^"]+)">(.*?)</tr>', table, re.S)
    return {sid: re.findall(r'<td class="nowrap">([^<]*)</td>', cells)[0] for sid, cells in rows}


# -- starting, progress, results ---------------------------------------------------------------
def test_a_job_starts_at_once_and_shows_the_results_of_nsra_analyse(
    be: tuple[TestClient, int],
) -> None:
    client, aid = be
    sign_in(client, "cora")
    page = _Page(client.get(f"/a/{aid}/analyses").text)
    assert "Run the analyses" in page.words and "Start the analysis" in page.words
    assert "No analysis of the current version of this assessment yet" in page.words
    _set_work(client, analysis_fakes.slow)
    began = time.monotonic()
    r = _start(client, aid, samples=100, seed=3)
    assert r.status_code == 303 and time.monotonic() - began < 1.4  # the fake takes 1.5 s
    job = _job_id(r)
    state = client.get(f"/a/{aid}/analyses/jobs/{job}")
    assert state.status_code == 200 and state.headers["cache-control"] == "no-store"
    assert state.json()["status"] in ("queued", "running")
    running = client.get(r.headers["location"])
    shown = _Page(running.text)
    assert "The analysis has started. It runs in the background." in shown.words
    assert "<progress" in running.text and 'data-poll="/a/' in running.text
    assert "Refresh to see how far it is" in shown.words  # works without the script
    assert shown.inline_scripts == 0 and "/static/js/analyses.js" in shown.sources

    assert _wait(client, aid, job)["status"] == "done"
    html = client.get(f"/a/{aid}/analyses").text
    page = _Page(html)
    for section in ("uncertainty", "profiles", "smaa", "drivers", "network", "cascades"):
        assert f'id="{section}"' in html, section
    assert "<progress" not in html  # nothing runs any more
    assert "100 samples, seed 3" in page.words and "started by cora" in page.words
    # the numbers are those of nsra.analyse with the same seed on the same assessment
    expected = _expected(client, aid, 100, 3)
    (stored,) = _jobs(client)
    assert stored.result == expected
    shares = {e["id"]: e["rank_acceptability"] for e in expected["smaa"]["scenarios"]}
    heat = _heat(html)
    assert heat and set(heat) == set(shares)
    for sid, cells in heat.items():
        want = [str(round(x * 100)) if x >= 0.05 else "" for x in shares[sid]]
        assert cells == want, sid
    intervals = _intervals(html)
    for e in expected["uncertainty"]["scenarios"]:
        q = expected["uncertainty"]["quantiles"]
        low, high = round(e["rank"][q.index(0.05)]), round(e["rank"][q.index(0.95)])
        assert intervals[e["id"]] == (f"{low}" if low == high else f"{low}–{high}")
    # the threat network is the report's figure, ready for the script
    assert 'id="network-figure"' in html and 'class="node' in html and "data-source=" in html


def test_the_same_start_reuses_the_job_and_the_same_seed_gives_the_same_result(
    uk: tuple[TestClient, int],
) -> None:
    client, aid = uk
    sign_in(client, "cora")
    first = _job_id(_start(client, aid, samples=100, seed=5))
    again = _start(client, aid, samples=100, seed=5)  # while it runs, or after: the same job
    assert _job_id(again) == first and "started=0" in again.headers["location"]
    assert _wait(client, aid, first)["status"] == "done"
    reused = client.get(_start(client, aid, samples=100, seed=5).headers["location"])
    assert "was already started: it is shown here" in _Page(reused.text).words
    (job,) = _jobs(client)
    result = job.result
    # the same analysis made again from scratch gives the same numbers
    with Session(_engine(client)) as s, s.begin():
        s.delete(s.get(AnalysisJobRow, first))
    restarted = _start(client, aid, samples=100, seed=5)
    assert "started=1" in restarted.headers["location"]  # made anew, not reused
    second = _job_id(restarted)
    assert _wait(client, aid, second)["status"] == "done"
    (made_again,) = _jobs(client)
    assert made_again.result == result
    # another seed is another job, with other draws
    other = _job_id(_start(client, aid, samples=100, seed=6))
    assert other != second and _wait(client, aid, other)["status"] == "done"
    jobs = _jobs(client)
    assert len(jobs) == 2 and jobs[1].result != result


def test_a_failing_analysis_shows_a_plain_message(uk: tuple[TestClient, int]) -> None:
    client, aid = uk
    sign_in(client, "cora")
    _set_work(client, analysis_fakes.failing)
    job = _job_id(_start(client, aid))
    state = _wait(client, aid, job)
    assert state["status"] == "failed" and analysis_fakes.SECRET not in json.dumps(state)
    html = client.get(f"/a/{aid}/analyses").text
    page = _Page(html)
    assert "The analysis failed. Try again; if it fails again, tell the administrator." in (
        page.words
    )
    assert analysis_fakes.SECRET not in html and "Traceback" not in html
    assert "RuntimeError" not in html
    # starting it again tries again, in the same row
    _set_work(client, analysis_fakes.slow)
    assert _job_id(_start(client, aid)) == job
    assert _wait(client, aid, job)["status"] == "done"
    assert "The analysis failed" not in _Page(client.get(f"/a/{aid}/analyses").text).words


def test_a_job_whose_process_ended_counts_as_stopped(uk: tuple[TestClient, int]) -> None:
    client, aid = uk
    sign_in(client, "cora")
    engine = _engine(client)
    with Session(engine) as s, s.begin():  # a job that was running when its server stopped
        row = s.get(AssessmentRow, aid)
        cora = s.scalars(select(UserRow).filter_by(name="cora")).one()
        assert row is not None
        view = View(s, cora, row, "coordinator")
        job, fresh = jobs.claim(s, aid, jobs.view_text(view.view_key), view.revision, 1, 100, "x")
        job_id = job.id
    assert fresh
    with engine.begin() as conn:
        conn.execute(
            update(AnalysisJobRow).values(
                status="running",
                progress=0.4,
                updated_at=dt.datetime.now(dt.UTC) - jobs.STALE - dt.timedelta(seconds=5),
            )
        )
    page = _Page(client.get(f"/a/{aid}/analyses").text)
    assert "The analysis stopped before it finished (the server was restarted)." in page.words
    assert client.get(f"/a/{aid}/analyses/jobs/{job_id}").json()["status"] == "failed"
    assert _job_id(_start(client, aid, samples=100, seed=1)) == job_id  # started afresh
    assert _wait(client, aid, job_id)["status"] == "done"


# -- who sees what -------------------------------------------------------------------------------
def test_an_analyst_in_an_open_round_never_sees_an_analysis_of_hidden_estimates(
    uk: tuple[TestClient, int],
) -> None:
    client, aid = uk
    sign_in(client, "cora")
    full = _job_id(_start(client, aid, samples=100, seed=3))
    assert _wait(client, aid, full)["status"] == "done"
    # ana becomes one of the example's analysts, and a round opens: the others' estimates of
    # the scenarios she has not submitted are hidden from her
    engine = _engine(client)
    with Session(engine) as s, s.begin():
        ana = s.scalars(select(UserRow).filter_by(name="ana")).one()
        analyst = s.scalars(select(AnalystRow).where(AnalystRow.assessment_id == aid)).first()
        assert analyst is not None
        analyst.user_id = ana.id
        row = s.get(AssessmentRow, aid)
        assert row is not None
        wf.open_round(s, row, "cora", None)
    client.cookies.clear()
    sign_in(client, "ana")
    html = client.get(f"/a/{aid}/analyses").text
    page = _Page(html)
    assert 'id="smaa"' not in html and 'id="uncertainty"' not in html
    assert "The round is open: these analyses use only your own estimates" in page.words
    assert client.get(f"/a/{aid}/analyses/jobs/{full}").status_code == 404
    # her own analysis is of her view, and the coordinator's stays out of her sight
    mine = _job_id(_start(client, aid, samples=100, seed=3))
    assert mine != full and _wait(client, aid, mine)["status"] == "done"
    jobs = {j.id: j for j in _jobs(client)}
    assert jobs[mine].view_digest != jobs[full].view_digest
    assert jobs[mine].result != jobs[full].result
    client.cookies.clear()
    sign_in(client, "cora")
    assert client.get(f"/a/{aid}/analyses/jobs/{mine}").status_code == 404


def test_the_progress_of_a_job_is_refused_to_non_members(uk: tuple[TestClient, int]) -> None:
    client, aid = uk
    sign_in(client, "cora")
    job = _job_id(_start(client, aid))
    _wait(client, aid, job)
    client.cookies.clear()
    assert client.get(f"/a/{aid}/analyses/jobs/{job}").status_code == 401
    sign_in(client, "sam")
    assert client.get(f"/a/{aid}/analyses/jobs/{job}").status_code == 404
    assert client.get(f"/a/{aid}/analyses").status_code == 404
    assert client.get(f"/a/{aid}/analyses/jobs/{job + 1}").status_code == 404


def test_a_viewer_reads_the_analysis_and_cannot_start_one(uk: tuple[TestClient, int]) -> None:
    client, aid = uk
    sign_in(client, "vic")
    empty = _Page(client.get(f"/a/{aid}/analyses").text)
    assert "A coordinator or an analyst can start one." in empty.words
    assert "Start the analysis" not in empty.words and "samples" not in empty.hidden
    token = empty.hidden["csrf_token"]  # the sign-out form's
    forged = client.post(
        f"/a/{aid}/analyses",
        data={"csrf_token": token, "samples": "100", "seed": "1"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and _jobs(client) == []
    client.cookies.clear()
    sign_in(client, "cora")
    job = _job_id(_start(client, aid))
    _wait(client, aid, job)
    client.cookies.clear()
    sign_in(client, "vic")  # the same view as the coordinator's: the viewer reads it
    html = client.get(f"/a/{aid}/analyses").text
    assert 'id="smaa"' in html and "Start the analysis" not in html
    assert client.get(f"/a/{aid}/analyses/jobs/{job}").json()["status"] == "done"


def test_bad_numbers_are_shown_at_their_field_and_start_nothing(
    uk: tuple[TestClient, int],
) -> None:
    client, aid = uk
    sign_in(client, "cora")
    r = _start(client, aid, samples="5", seed="x")
    assert r.status_code == 200 and _jobs(client) == []
    page = _Page(r.text)
    assert "Give a whole number of samples from 100 to 20000." in page.words
    assert "Give a whole number from 0 to 2147483647 as seed." in page.words
    assert re.search(r'name="samples" value="5"[^>]*aria-invalid="true"', r.text)
    assert 'aria-describedby="f-samples-help f-samples-error"' in r.text
    assert re.search(r'name="seed" value="x"[^>]*aria-invalid="true"', r.text)


def test_the_page_speaks_dutch(uk: tuple[TestClient, int]) -> None:
    client, aid = uk
    sign_in(client, "cora")
    client.cookies.set(LANG_COOKIE, "nl")
    page = _Page(client.get(f"/a/{aid}/analyses").text)
    assert page.lang == "nl"
    assert "Analyses uitvoeren" in page.words and "Analyse starten" in page.words
    assert "Trekkingen" in page.words


def test_nobody_signed_in_goes_to_the_sign_in_form(uk: tuple[TestClient, int]) -> None:
    client, aid = uk
    r = client.get(f"/a/{aid}/analyses", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/sign-in?next=/a/{aid}/analyses"
