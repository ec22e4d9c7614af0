"""A database made by an older version upgrades without loss (SQLite and PostgreSQL), and the
audit trail's head can be kept outside the database.

The old database is made at revision 0003 (before the workflow tables) and filled with the rows
the current code writes for every example, limited to the columns 0003 had; then ``upgrade``
brings it to the newest revision. Every old row must be there unchanged, the audit chain must
verify, and the new tables must be filled from the old data as migration 0004 says.
"""

from __future__ import annotations

from pathlib import Path

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
            added = {("analysts", "user_id"), ("users", "language")}  # by 0004 and 0005
            old_columns = [c for c in table.columns if (name, c.name) not in added]
            now = [tuple(r) for r in conn.execute(select(*old_columns).order_by(table.c.id))]
            assert now == rows, name
    with Session(engine) as s:
        assert [assessment_data(s, i) for i in range(1, len(EXAMPLES) + 1)] == exports
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
    command.downgrade(alembic_config(engine), "0005")
    assert "analysis_jobs" not in inspect(engine).get_table_names()
    with Session(engine) as s:
        exported = assessment_data(s, aid)  # nothing else went
    upgrade(engine)
    assert "analysis_jobs" in inspect(engine).get_table_names()
    with Session(engine) as s, s.begin():
        assert assessment_data(s, aid) == exported
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
