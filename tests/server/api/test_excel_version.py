"""A workbook imported as a new version of an existing assessment (nsra.server.api.reimport):
the round trip changes exactly what was edited, in place, and publishes a version; a workbook
of another method, an open round, a removal that would erase round records, a broken workbook
and callers without the right change nothing; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from nsra.server.api.excel import XLSX
from nsra.server.api.reimport import positions
from nsra.server.db import audit
from nsra.server.db.models import AnalystRow, EstimateEntryRow, EstimateRow, ScenarioRow
from tests.server.common import UK_LABEL, Callers, is_error, snapshot

SCENARIO = "terrorist-attack-crowded-places"
LONE = "high-temperatures-heatwaves"  # no measure, cascade or other scenario refers to it
URL = "/api/assessments/{}/import.xlsx"


def _download(w: Callers, assessment: int | None = None) -> bytes:
    r = w.client.get(
        f"/api/assessments/{assessment or w.mine}/export.xlsx", headers=w.auth("admin")
    )
    assert r.status_code == 200, r.text
    return bytes(r.content)


def _edited(book: bytes, edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(book))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(ws: Worksheet, **match: str) -> int:
    """The row whose cells under the headers ``match`` names have those values."""
    head = [c.value for c in ws[1]]
    for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(row[head.index(k.replace("_", " "))] == v for k, v in match.items()):
            return n
    raise AssertionError(f"no row {match}")


def _cell(ws: Worksheet, header: str, row: int) -> Any:
    return ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1)


def _one_estimate(wb: openpyxl.Workbook) -> None:
    """co-analyst's likelihood of the crowded-places attack: 4 -> 3."""
    ws = wb["Estimates"]
    n = _row_of(ws, scenario=SCENARIO, analyst="co-analyst", estimate_of="likelihood")
    assert _cell(ws, "class", n).value == "4"
    _cell(ws, "class", n).value = "3"


def _without(wb: openpyxl.Workbook, scenario: str) -> None:
    """The scenario's rows removed from every sheet that has them."""
    for sheet in ("Scenarios", "Estimates", "Consensus", "Sources"):
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        col = head.index("id" if sheet in ("Scenarios", "Sources") else "scenario") + 1
        for n in range(ws.max_row, 1, -1):
            if ws.cell(row=n, column=col).value == scenario:
                ws.delete_rows(n)


def _upload(w: Callers, who: str, book: bytes, name: str = "edited.xlsx", to: int = 0) -> Any:
    headers = {**w.auth(who), "Content-Type": XLSX}
    return w.client.post(
        URL.format(to or w.mine), headers=headers, content=book, params={"name": name}
    )


def _estimates(w: Callers) -> dict[tuple[str, str, str | None], tuple[int, int, str | None]]:
    """(scenario, analyst, slot) -> (row id, version, class) of every estimate of ``mine``."""
    with Session(w.engine) as s:
        rows = s.execute(
            select(ScenarioRow.key, EstimateRow, EstimateEntryRow)
            .join(EstimateRow, EstimateRow.scenario_id == ScenarioRow.id)
            .join(EstimateEntryRow, EstimateEntryRow.estimate_id == EstimateRow.id)
            .where(ScenarioRow.assessment_id == w.mine)
        ).all()
        return {
            (key, e.analyst.key, x.criterion): (x.id, x.version, x.class_code) for key, e, x in rows
        }


def _ids(w: Callers) -> dict[str, int]:
    with Session(w.engine) as s:
        rows = s.scalars(select(ScenarioRow).where(ScenarioRow.assessment_id == w.mine))
        return {r.key: r.id for r in rows}


def _round(w: Callers, submit: bool, close: bool, scenario: str = SCENARIO) -> None:
    """Open a round; the co-analyst's estimates of ``scenario`` submitted (by the coordinator
    on their behalf); closed."""
    call = w.call
    r = call("coordinator", "POST", f"/api/assessments/{w.mine}/rounds", json={"note": "r"})
    assert r.status_code == 201, r.text
    if submit:
        r = call(
            "coordinator",
            "POST",
            f"/api/assessments/{w.mine}/scenarios/{scenario}/submit",
            json={"analyst": "co-analyst"},
        )
        assert r.status_code == 201, r.text
    if close:
        r = call("coordinator", "POST", f"/api/assessments/{w.mine}/rounds/1/close")
        assert r.status_code == 200, r.text


def test_an_edited_workbook_becomes_a_new_version_changing_only_the_estimate(
    callers: Callers,
) -> None:
    w = callers
    _round(w, submit=True, close=True)
    assert (
        w.call("coordinator", "POST", f"/api/assessments/{w.mine}/versions", json={}).status_code
        == 201
    )
    before, ids = _estimates(w), _ids(w)
    slot = (SCENARIO, "co-analyst", None)
    assert before[slot][2] == "4"

    r = _upload(w, "coordinator", _edited(_download(w), _one_estimate), "risks 2026.xlsx")

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"] == 2 and body["note"] == "Imported from workbook risks 2026.xlsx"
    assert body["classification"] == UK_LABEL and r.headers["X-Classification"] == UK_LABEL
    changed = {k: v for k, v in body["changes"].items() if any(v.values())}
    assert changed == {"estimates": {"added": 0, "changed": 1, "removed": 0}}
    after = _estimates(w)
    # the one estimate changed in place (same row, version one up); nothing else moved
    assert after[slot] == (before[slot][0], before[slot][1] + 1, "3")
    assert {k: v for k, v in after.items() if k != slot} == {
        k: v for k, v in before.items() if k != slot
    }
    assert _ids(w) == ids
    # the round history is kept: its submission and the estimate it closed with
    rnd = w.call("coordinator", "GET", f"/api/assessments/{w.mine}/rounds").json()["rounds"]
    assert [(x["number"], x["status"], x["submissions"]) for x in rnd] == [(1, "closed", 1)]
    # the new version holds the change, and comparing it with the one before shows just that
    v2 = w.call("coordinator", "GET", f"/api/assessments/{w.mine}/versions/2").json()
    sc = next(x for x in v2["data"]["scenarios"] if x["id"] == SCENARIO)
    co = next(e for e in sc["estimates"] if e["analyst"] == "co-analyst")
    lik = co["likelihood"]
    assert (lik["class"] if isinstance(lik, dict) else lik) == "3"
    cmp = w.call(
        "coordinator",
        "GET",
        f"/api/assessments/{w.mine}/versions/compare",
        params={"from": 1, "to": 2},
    ).json()
    moved = [
        (s["id"], e["analyst"], e["slot"])
        for s in cmp["scenarios"]["changed"]
        for e in s["estimates"]
    ]
    assert moved == [(SCENARIO, "co-analyst", "likelihood")]
    # the trail: the estimate's own entry, and the import summed up, by whom, from which file
    with Session(w.engine) as s:
        entries = [
            e
            for e in s.scalars(
                select(audit.AuditEntryRow).where(audit.AuditEntryRow.assessment_id == w.mine)
            )
            if e.rationale == "Imported from workbook risks 2026.xlsx"
        ]
    assert sorted(e.action for e in entries) == ["estimate.update", "import"]
    summary = next(e for e in entries if e.action == "import")
    assert summary.user_name == "coordinator"
    new = json.loads(summary.new_value or "{}")
    assert new["source"] == "risks 2026.xlsx"
    assert new["changes"]["estimates"]["changed"] == 1


def test_the_same_workbook_again_changes_nothing_but_is_a_version(callers: Callers) -> None:
    w = callers
    before = _estimates(w)
    r = _upload(w, "admin", _download(w), "same.xlsx")
    assert r.status_code == 201, r.text
    assert not any(any(v.values()) for v in r.json()["changes"].values())
    assert r.json()["version"] == 1
    assert _estimates(w) == before


def test_added_and_removed_items_and_a_renamed_title(callers: Callers) -> None:
    """A scenario and its estimates removed (no round ever named it), a cascade gone with it,
    the title changed: the counts say so, the rest keeps its rows."""
    w = callers
    ids = _ids(w)
    gone = LONE

    def edit(wb: openpyxl.Workbook) -> None:
        _without(wb, gone)
        about = wb["About"]
        for row in about.iter_rows(min_row=1):
            if row[0].value == "title (en)":
                row[1].value = "The UK risks, as imported"

    book = _edited(_download(w), edit)
    r = _upload(w, "coordinator", book)
    assert r.status_code == 201, r.text
    ch = r.json()["changes"]
    assert ch["scenarios"] == {"added": 0, "changed": 0, "removed": 1}
    assert ch["assessment"]["changed"] == 1
    assert ch["estimates"]["removed"] > 0 and ch["estimates"]["changed"] == 0
    assert _ids(w) == {k: v for k, v in ids.items() if k != gone}
    got = w.call("coordinator", "GET", f"/api/assessments/{w.mine}").json()
    assert got["title"]["en"] == "The UK risks, as imported"
    assert got["assessment"]["title"]["nl"].startswith("Nationale")  # the other language kept


def test_a_workbook_of_another_method_is_422_naming_both(callers: Callers) -> None:
    w = callers
    before = snapshot(w.engine)
    book = _download(w, w.other)  # the Belgian assessment's workbook: method bnra
    body = is_error(_upload(w, "admin", book), 422)
    assert "for method 'be-bnra-2023'" in body["error"]
    assert "uses method 'uk-nsra-2023'" in body["error"]
    assert body["problems"][0]["file"] == "About!B3"
    assert snapshot(w.engine) == before


def test_an_open_round_is_409_and_nothing_changes(callers: Callers) -> None:
    w = callers
    _round(w, submit=False, close=False)
    book = _edited(_download(w), _one_estimate)
    before = snapshot(w.engine)
    body = is_error(_upload(w, "coordinator", book), 409)
    assert "round 1 is open" in body["error"]
    assert snapshot(w.engine) == before


def test_removing_a_scenario_past_rounds_submitted_is_409_naming_it(callers: Callers) -> None:
    w = callers
    _round(w, submit=True, close=True, scenario=LONE)
    book = _edited(_download(w), lambda wb: _without(wb, LONE))
    before = snapshot(w.engine)
    body = is_error(_upload(w, "coordinator", book), 409)
    assert f"scenarios {LONE}, which have" in body["error"]
    assert "past Delphi rounds" in body["error"]
    assert snapshot(w.engine) == before


def test_who_may_import(callers: Callers) -> None:
    w = callers
    book = _download(w)
    before = snapshot(w.engine)
    for who in ("viewer", "analyst"):
        is_error(_upload(w, who, book), 403)
    is_error(_upload(w, "outsider", book), 404)
    is_error(_upload(w, "coordinator", book, to=w.other), 404)
    is_error(_upload(w, "nobody", book), 401)
    assert snapshot(w.engine) == before


def test_a_broken_workbook_is_422_with_its_cells_and_changes_nothing(callers: Callers) -> None:
    w = callers

    def edit(wb: openpyxl.Workbook) -> None:
        _one_estimate(wb)  # a good change beside the bad ones: not written either
        ws = wb["Estimates"]
        ws["E3"] = "Z"
        ws["G4"] = "a lot"

    book = _edited(_download(w), edit)
    before = snapshot(w.engine)
    body = is_error(_upload(w, "coordinator", book), 422)
    files = sorted(p["file"] for p in body["problems"] if p["severity"] == "error")
    assert files == ["Estimates!E3", "Estimates!G4"]
    is_error(_upload(w, "coordinator", b"not a workbook"), 422)
    assert snapshot(w.engine) == before


def _append_copy(ws: Worksheet, row: int, **values: Any) -> None:
    """A copy of a row at the end of the sheet, with some cells changed (by header)."""
    head = [c.value for c in ws[1]]
    copy = [c.value for c in ws[row]]
    for k, v in values.items():
        copy[head.index(k.replace("_", " "))] = v
    ws.append(copy)


def test_new_items_that_refer_to_each_other_are_added_and_linked(callers: Callers) -> None:
    """Two new scenarios, one reinforcing the other, a measure addressing the new one and a new
    analyst (named as a user: linked, and assigned the scenario they estimate)."""
    w = callers

    def edit(wb: openpyxl.Workbook) -> None:
        sc = wb["Scenarios"]
        _append_copy(sc, 2, id="new-a", reinforces="new-b")
        _append_copy(sc, 2, id="new-b", reinforces=None)
        _append_copy(wb["Analysts"], 2, id="newcomer", name="A newcomer")
        est = wb["Estimates"]
        first = _row_of(est, scenario=SCENARIO, analyst="co-analyst", estimate_of="likelihood")
        n = first
        while (
            est.cell(row=n, column=1).value == SCENARIO
            and est.cell(row=n, column=3).value == "co-analyst"
        ):
            _append_copy(est, n, scenario="new-a", analyst="newcomer")
            n += 1
        ms = wb["Measures"]
        _cell(ms, "scenarios", 2).value = f"{SCENARIO}, new-a"

    r = _upload(w, "coordinator", _edited(_download(w), edit))
    assert r.status_code == 201, r.text
    ch = r.json()["changes"]
    assert ch["scenarios"] == {"added": 2, "changed": 0, "removed": 0}
    assert ch["analysts"] == {"added": 1, "changed": 0, "removed": 0}
    assert ch["measures"] == {"added": 0, "changed": 1, "removed": 0}
    assert ch["estimates"]["added"] > 0
    data = w.call("coordinator", "GET", f"/api/assessments/{w.mine}").json()
    new_a = next(s for s in data["assessment"]["scenarios"] if s["id"] == "new-a")
    assert new_a["reinforces"] == ["new-b"]
    analysts = w.call("coordinator", "GET", f"/api/assessments/{w.mine}/analysts").json()
    assert {"id": "newcomer", "user": "newcomer"}.items() <= next(
        a for a in analysts["analysts"] if a["id"] == "newcomer"
    ).items()
    assigned = w.call("coordinator", "GET", f"/api/assessments/{w.mine}/assignments").json()
    assert {"scenario": "new-a", "analyst": "newcomer"} in assigned["assignments"]


def test_removing_an_analyst_past_rounds_submitted_is_409_naming_them(callers: Callers) -> None:
    w = callers
    _round(w, submit=True, close=True)

    def edit(wb: openpyxl.Workbook) -> None:
        for sheet, col in (("Analysts", "id"), ("Estimates", "analyst")):
            ws = wb[sheet]
            c = [x.value for x in ws[1]].index(col) + 1
            for n in range(ws.max_row, 1, -1):
                if ws.cell(row=n, column=c).value == "co-analyst":
                    ws.delete_rows(n)

    book = _edited(_download(w), edit)
    before = snapshot(w.engine)
    body = is_error(_upload(w, "coordinator", book), 409)
    assert "analysts co-analyst, which have submissions" in body["error"]
    assert snapshot(w.engine) == before


def test_positions_keep_what_the_order_allows() -> None:
    assert positions([0, 1, 2, 3]) == [0, 1, 2, 3]
    assert positions([0, 2, 3]) == [0, 2, 3]  # one removed: the others keep theirs
    assert positions([0, 1, 2, None]) == [0, 1, 2, 3]  # one added at the end
    assert positions([0, None, 1, 2]) == [0, 1, 2, 3]  # one inserted: those after it move
    assert positions([0, None, 5, 6]) == [0, 1, 5, 6]  # ... unless there is room
    assert positions([2, 0, 1]) == [0, 1, 2]  # a new order
    assert positions([]) == []


def test_a_value_spelled_otherwise_in_the_workbook_is_no_change(callers: Callers) -> None:
    """The Belgian file writes ``Fb: {value: 1.2e+9}`` (a float); the workbook gives back the
    whole number. Editing the likelihood beside it changes that one slot only: the value's row
    keeps its version and its spelling."""
    w = callers
    cyber = "cyber-attack-critical-infrastructure"

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Estimates"]
        n = _row_of(
            ws, scenario=cyber, level="major", analyst="ccb-analyst", estimate_of="likelihood"
        )
        assert _cell(ws, "class", n).value == "2"
        _cell(ws, "class", n).value = "3"

    def fb() -> tuple[int, float | None]:
        with Session(w.engine) as s:
            row = s.execute(
                select(EstimateEntryRow)
                .join(EstimateRow, EstimateEntryRow.estimate_id == EstimateRow.id)
                .join(ScenarioRow, EstimateRow.scenario_id == ScenarioRow.id)
                .join(AnalystRow, EstimateRow.analyst_id == AnalystRow.id)
                .where(
                    AnalystRow.key == "ccb-analyst",
                    ScenarioRow.assessment_id == w.other,
                    ScenarioRow.key == cyber,
                    EstimateRow.level == "major",
                    EstimateEntryRow.criterion == "Fb",
                )
            ).scalar_one()
            return row.version, row.number

    before = fb()
    r = _upload(w, "admin", _edited(_download(w, w.other), edit), to=w.other)
    assert r.status_code == 201, r.text
    assert r.json()["changes"]["estimates"] == {"added": 0, "changed": 1, "removed": 0}
    assert fb() == before == (before[0], 1.2e9)


def test_an_estimates_own_rationale_changed_is_recorded(callers: Callers) -> None:
    w = callers

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Estimates"]
        n = _row_of(ws, scenario=SCENARIO, analyst="co-analyst", estimate_of="likelihood")
        _cell(ws, "estimate rationale", n).value = "Revised after the workshop."

    r = _upload(w, "coordinator", _edited(_download(w), edit))
    assert r.status_code == 201, r.text
    assert r.json()["changes"]["estimates"] == {"added": 0, "changed": 1, "removed": 0}
    data = w.call("coordinator", "GET", f"/api/assessments/{w.mine}").json()["assessment"]
    sc = next(x for x in data["scenarios"] if x["id"] == SCENARIO)
    co = next(e for e in sc["estimates"] if e["analyst"] == "co-analyst")
    assert co["rationale"] == "Revised after the workshop."
    with Session(w.engine) as s:
        keys = [
            e.entity_key
            for e in s.scalars(
                select(audit.AuditEntryRow).where(audit.AuditEntryRow.action == "estimate.update")
            )
        ]
    assert keys == [f"{SCENARIO}/co-analyst//rationale"]
