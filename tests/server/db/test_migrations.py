"""A database made by an older version upgrades without loss (SQLite and PostgreSQL), and the
audit trail's head can be kept outside the database.

The old database is made at revision 0003 (before the workflow tables) and filled with the rows
the current code writes for every example, limited to the columns 0003 had; then ``upgrade``
brings it to the newest revision. Every old row must be there unchanged, the audit chain must
verify, and the new tables must be filled from the old data as migration 0004 says.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from nsra.cli import app
from nsra.server.db import assessment_data, audit, import_file, make_engine, upgrade
from nsra.server.db import workflow as wf
from nsra.server.db.access import add_user
from nsra.server.db.backup import reset_sequences
from nsra.server.db.engine import alembic_config
from nsra.server.db.models import AnalystRow, EstimateRow
from tests.helpers import EXAMPLES

Rows = dict[str, list[tuple[object, ...]]]
ADDED_BY_0010 = {("audit_entries", "hash_version")}
ADDED_BY_0007 = {
    ("assessments", "measures_basis"),
    *(("measures", c) for c in ("lead_id", "status", "cost", "effects", "side_effects")),
}
ADDED_BY_0009 = {("scenarios", "cascade_rule")}


TRANSLATED: tuple[tuple[str, str], ...] = importlib.import_module(
    "nsra.server.migrations.versions.0008_report_content"
).TRANSLATED
ADDED_BY_0008 = {
    *((t, f"{c}_tr") for t, c in TRANSLATED),
    *(("scenarios", c) for c in ("kind", "trend", "horizon")),
    ("assessments", "themes"),
}


def without_translated_texts(value: Any, parent: str = "") -> Any:
    """An exported assessment without what a database before 0008 cannot hold: the themes
    catalogue, the kind, trend and horizon of scenarios, and the rationales, analyst names and
    source titles given per language (plain ones are kept)."""
    if parent in ("measures", "developments", "capabilities"):
        return value  # their texts are JSON since 0007, per language or not
    if isinstance(value, list):
        return [without_translated_texts(x, parent) for x in value]
    if not isinstance(value, dict):
        return value
    translated = {"rationale"} | ({"title"} if "ref" in value else set())
    translated |= {"name"} if parent == "analysts" else set()
    return {
        k: without_translated_texts(v, k)
        for k, v in value.items()
        if k not in {"themes", "kind", "trend"}
        and not (k == "horizon" and parent == "scenarios")  # an estimate's horizon is in its JSON
        and not (k in translated and isinstance(v, dict))
    }


def without_strategy_data(data: dict[str, Any]) -> dict[str, Any]:
    """An exported assessment without what a database before 0007 cannot hold: developments,
    capabilities, the measures basis and the lead, status, cost and effects of measures; and
    before 0009, the cascade rule of a scenario."""
    out = {
        k: v for k, v in data.items() if k not in ("developments", "capabilities", "measures_basis")
    }
    if isinstance(data.get("measures"), list):
        new = ("lead", "status", "cost", "effects", "side_effects")
        out["measures"] = [{k: v for k, v in m.items() if k not in new} for m in data["measures"]]
    if isinstance(data.get("scenarios"), list):
        out["scenarios"] = [
            {k: v for k, v in sc.items() if k != "cascade_rule"} for sc in data["scenarios"]
        ]
    return out


def _old_database(engine: Engine, tmp_path: Path) -> tuple[Rows, list[dict[str, object]]]:
    """Fill ``engine`` at revision 0003 with the examples, a user named like an analyst, and
    audit entries; returns the old rows per table and the exported assessments."""
    source = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    upgrade(source)
    with Session(source) as s, s.begin():
        add_user(s, "nctv-analyst", "analyst", None)  # before the import: linked by name
    for path in EXAMPLES:
        import_file(source, str(path))
    with Session(source) as s:
        exports = [assessment_data(s, i) for i in range(1, len(EXAMPLES) + 1)]
    command.downgrade(alembic_config(engine), "base")  # the fixture's database is migrated
    upgrade(engine, "0003")
    old = MetaData()
    old.reflect(engine)
    with source.connect() as src, engine.begin() as dst:
        for table in old.sorted_tables:
            if table.name == "alembic_version":
                continue
            names = [c.name for c in table.columns]
            data = [dict(r._mapping) for r in src.execute(select(*(table.c[n] for n in names)))]
            if table.name == "methods":  # 0003's upgrade registered the shipped methods already
                dst.execute(table.delete())
            if table.name == "audit_entries":
                _hashed_as_before_0010(data)
            if data:
                dst.execute(table.insert(), data)
    source.dispose()
    with engine.connect() as conn:
        rows = {
            t.name: [tuple(r) for r in conn.execute(t.select().order_by(t.c.id))]
            for t in old.sorted_tables
            if t.name != "alembic_version"
        }
    return rows, exports


def _hashed_as_before_0010(entries: list[dict[str, object]]) -> None:
    """The entries' chain as nsra wrote it before 0010: hashed by rule 1 (content columns)."""
    prev = audit.GENESIS
    for entry in sorted(entries, key=lambda e: int(str(e["seq"]))):
        entry["prev_hash"] = prev
        entry["hash"] = prev = audit.entry_hash(entry, 1)


def test_a_0003_database_upgrades_without_loss(engine: Engine, tmp_path: Path) -> None:
    before, exports = _old_database(engine, tmp_path)
    upgrade(engine)
    with engine.begin() as conn:
        reset_sequences(conn)  # the rows were copied with their ids
    after = MetaData()
    after.reflect(engine)
    with engine.connect() as conn:
        for name, rows in before.items():
            table = after.tables[name]
            added = {("analysts", "user_id"), ("users", "language"), *ADDED_BY_0007, *ADDED_BY_0010}
            added |= ADDED_BY_0008
            added |= ADDED_BY_0009
            old_columns = [c for c in table.columns if (name, c.name) not in added]
            now = [tuple(r) for r in conn.execute(select(*old_columns).order_by(table.c.id))]
            assert now == rows, name
    with Session(engine) as s:
        again = [assessment_data(s, i) for i in range(1, len(EXAMPLES) + 1)]
        assert again == [without_translated_texts(without_strategy_data(x)) for x in exports]
        # the new tables, filled from the old data
        linked = s.scalars(select(AnalystRow).where(AnalystRow.user_id.is_not(None))).all()
        assert {a.key for a in linked} == {"nctv-analyst"}
        pairs = set(s.execute(select(EstimateRow.scenario_id, EstimateRow.analyst_id)).all())
        assigned = {(a.scenario_id, a.analyst_id) for a in s.scalars(select(wf.AssignmentRow))}
        assert assigned == pairs and pairs
        last = s.scalar(select(func.max(audit.AuditEntryRow.seq)))
    assert audit.head(engine)[0] == last == len(EXAMPLES)
    assert audit.verify(engine) == []
    # and the trail goes on from there
    with Session(engine) as s, s.begin():
        audit.record(s, assessment_id=1, action="test", entity_table="t", entity_key="k")
    assert audit.verify(engine) == [] and audit.head(engine)[0] == len(EXAMPLES) + 1
    with Session(engine) as s:  # the old entries by rule 1, the new one by every column
        rules = s.scalars(select(audit.AuditEntryRow.hash_version).order_by("seq")).all()
    assert rules == [1] * len(EXAMPLES) + [audit.HASH_VERSION]


def test_the_head_kept_outside_reveals_a_rewritten_or_shortened_trail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(url)
    upgrade(engine)
    for path in EXAMPLES:
        import_file(engine, str(path))
    runner = CliRunner()
    kept = runner.invoke(app, ["audit", "head", "--url", url])
    assert kept.exit_code == 0
    seq, digest = kept.stdout.strip().split(":")
    assert (int(seq), digest) == audit.head(engine)
    ok = runner.invoke(app, ["audit", "verify", "--url", url, "--expect", kept.stdout.strip()])
    assert ok.exit_code == 0, ok.output
    # someone deletes the last entry and moves the head back: the chain alone looks intact
    with Session(engine) as s, s.begin():
        last = s.scalars(
            select(audit.AuditEntryRow).order_by(audit.AuditEntryRow.seq.desc())
        ).first()
        assert last is not None
        prev_hash = last.prev_hash
        s.delete(last)
        head = s.get(audit.AuditHeadRow, 1)
        assert head is not None
        head.seq, head.hash = last.seq - 1, prev_hash
    assert audit.verify(engine) == []
    problems = audit.verify(engine, expect=(int(seq), digest))
    assert [p.seq for p in problems] == [int(seq)] and "missing" in problems[0].reason
    bad = runner.invoke(app, ["audit", "verify", "--url", url, "--expect", kept.stdout.strip()])
    assert bad.exit_code == 1 and "kept outside" in bad.output
    # without moving the head, the deletion of the last entries shows by itself
    with Session(engine) as s, s.begin():
        head = s.get(audit.AuditHeadRow, 1)
        assert head is not None
        head.seq, head.hash = int(seq), digest
    assert [p.seq for p in audit.verify(engine)] == [int(seq)]
    wrong = runner.invoke(app, ["audit", "verify", "--url", url, "--expect", "12:abc"])
    assert wrong.exit_code == 1 and "SEQ:HASH" in str(wrong.exception)  # main() prints it
    engine.dispose()


def test_0006_adds_and_removes_the_analysis_jobs(engine: Engine) -> None:
    from sqlalchemy import inspect

    from nsra.server.db.analysis_jobs import AnalysisJobRow, claim, set_done, view_text

    aid = import_file(engine, str(EXAMPLES[0]))
    with Session(engine) as s, s.begin():
        job, fresh = claim(s, aid, view_text([aid, [], []]), 7, 1, 100, "cora")
        job_id = job.id
    assert fresh
    with engine.begin() as conn:
        assert set_done(conn, job_id, {"format": "nsra-analysis/1", "x": [0.5, None]})
    with Session(engine) as s:
        exported = assessment_data(s, aid)  # no strategy data (which 0007 holds)
    command.downgrade(alembic_config(engine), "0005")
    assert "analysis_jobs" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "analysis_jobs" in inspect(engine).get_table_names()
    with Session(engine) as s, s.begin():
        # 0007, 0008 (texts per language) and 0009 went too
        assert assessment_data(s, aid) == without_translated_texts(without_strategy_data(exported))
        assert s.scalars(select(AnalysisJobRow)).all() == []
        job, fresh = claim(s, aid, view_text([aid, [], []]), 7, 1, 100, "cora")
        assert fresh and job.status == "queued" and job.progress == 0.0
        job_id = job.id
    with engine.begin() as conn:
        assert set_done(conn, job_id, {"a": 1})
    with Session(engine) as s:
        stored = s.get(AnalysisJobRow, job_id)
        assert stored is not None and stored.status == "done" and stored.result == {"a": 1}
        assert stored.version == 2  # every change bumps the row version


def test_0007_adds_the_strategy_data_and_removes_it_again(engine: Engine) -> None:
    from sqlalchemy import inspect

    nl = next(p for p in EXAMPLES if p.stem == "nl-integrated")
    aid = import_file(engine, str(nl))
    with Session(engine) as s:
        data = assessment_data(s, aid)
    assert data["developments"] and data["capabilities"]
    assert any({"effects", "cost", "lead"} <= set(m) for m in data["measures"])
    assert any(m.get("status") == "proposed" for m in data["measures"])
    command.downgrade(alembic_config(engine), "0006")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"developments", "development_sources", "capabilities", "capability_owners"}
    assert "status" not in {c["name"] for c in inspect(engine).get_columns("measures")}
    upgrade(engine)
    # the rows kept from 0006 get the file's defaults; the strategy data went with 0007
    with engine.connect() as conn:
        assert set(conn.exec_driver_sql("SELECT status FROM measures")) == {("in_place",)}
        assert set(conn.exec_driver_sql("SELECT measures_basis FROM assessments")) == {("current",)}
    with Session(engine) as s:
        assert assessment_data(s, aid) == without_translated_texts(without_strategy_data(data))


def test_0008_adds_the_texts_per_language_and_removes_them_again(engine: Engine) -> None:
    from sqlalchemy import inspect

    from nsra.io.validate import read_assessment

    nl = next(p for p in EXAMPLES if p.stem == "nl-integrated")
    aid = import_file(engine, str(nl))
    with Session(engine) as s:
        data = assessment_data(s, aid)
    # stored and given back exactly as the file says
    a = read_assessment(str(nl)).assessment
    assert data["themes"] == [t.model_dump(exclude_none=True) for t in a.themes]
    chronic = [x for x in data["scenarios"] if x.get("kind") == "chronic"]
    assert [(x["id"], x["trend"], x["horizon"]) for x in chronic] == [
        (sc.id, sc.trend, sc.horizon) for sc in a.scenarios if sc.kind == "chronic"
    ]
    first = data["scenarios"][0]["estimates"][0]
    spec = a.scenarios[0].estimates[0].likelihood
    assert isinstance(spec, dict)
    assert first["likelihood"]["rationale"] == spec["rationale"]
    assert set(first["likelihood"]["rationale"]) == {"en", "nl"}
    assert data["analysts"][0]["name"] == a.analysts[0].name
    command.downgrade(alembic_config(engine), "0007")
    columns = {c["name"] for c in inspect(engine).get_columns("scenarios")}
    assert not columns & {"kind", "trend", "horizon"}
    assert "rationale_tr" not in {c["name"] for c in inspect(engine).get_columns("estimates")}
    upgrade(engine)
    with engine.connect() as conn:
        assert set(conn.exec_driver_sql("SELECT kind FROM scenarios")) == {("acute",)}
    with Session(engine) as s:
        assert assessment_data(s, aid) == without_translated_texts(data)
