"""The database (nsra.server.db): migrations, import in one transaction, export round trip.

The ``engine`` fixture (tests/conftest.py) runs each test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from typer.testing import CliRunner

from nsra.cli import app
from nsra.engine.compute import compute
from nsra.io.problems import InputError
from nsra.io.results import results_document
from nsra.io.validate import Loaded, read_assessment
from nsra.server.db import (
    DEFAULT_URL,
    ENV_VAR,
    assessment_data,
    database_url,
    export_file,
    import_file,
    importing,
    store_assessment,
    upgrade,
)
from nsra.server.db.engine import alembic_config, schema_is_current
from nsra.server.db.methods import method_of, register_shipped
from nsra.server.db.models import Base, MethodRow, OrganisationRow, ScenarioRow
from nsra.server.db.specs import from_spec, to_spec
from tests.helpers import EXAMPLES, METHOD_IDS, ROOT, example_id
from tests.server.common import snapshot


@pytest.fixture(scope="module")
def loaded_examples() -> dict[str, Loaded]:
    return {example_id(p): read_assessment(str(p)) for p in EXAMPLES}


def results_of(loaded: Loaded) -> dict[str, Any]:
    """What ``nsra compute --format json`` prints, without the file name."""
    doc = results_document(loaded, compute(loaded.inputs, loaded.method, None), "en")
    plain: dict[str, Any] = json.loads(json.dumps(doc))
    plain["assessment"].pop("source")
    return plain


# -- schema and migrations -------------------------------------------------------------------------
def test_url_default_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert database_url() == DEFAULT_URL == "sqlite:///nsra.db"
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://u@h/nsra")
    assert database_url() == "postgresql+psycopg://u@h/nsra"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_migrations_make_exactly_the_models_schema(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert schema_is_current(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_every_table_has_row_version_and_timestamps() -> None:
    for table in Base.metadata.tables.values():
        assert {"id", "version", "created_at", "updated_at"} <= set(table.c.keys()), table.name


def test_upgrade_is_idempotent_and_downgrade_removes_everything(engine: Engine) -> None:
    from alembic import command

    before = snapshot(engine)
    upgrade(engine)
    assert snapshot(engine) == before
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert not schema_is_current(engine)


def test_upgrade_registers_the_shipped_methods(engine: Engine) -> None:
    with Session(engine) as session:
        rows = session.scalars(select(MethodRow)).all()
        assert sorted(r.method_id for r in rows) == METHOD_IDS
        assert all(r.shipped and r.version == 1 for r in rows)
        for r in rows:  # the stored content is the method file, read again
            m = method_of(r)
            assert (m.id, m.version) == (r.method_id, r.method_version)


# -- estimates as written -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written",
    [
        "C",
        "B..C",
        3,
        {"class": "D"},
        {"class": 2, "rationale": "why"},
        {"value": 120},
        {"value": 1.5e6, "rationale": "costs"},
        {"scale": 2.5},
        {"scale": 3},
    ],
)
def test_estimate_forms_are_stored_as_written(written: Any) -> None:
    back = from_spec(**to_spec(written).columns())
    assert back == written
    assert type(back) is type(written)
    if isinstance(written, dict):
        assert {k: type(v) for k, v in back.items()} == {k: type(v) for k, v in written.items()}


# -- import and export ----------------------------------------------------------------------------
@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_gives_the_same_assessment_and_results(
    engine: Engine,
    tmp_path: Path,
    example: Path,
    suffix: str,
    loaded_examples: dict[str, Loaded],
) -> None:
    original = loaded_examples[example_id(example)]
    assessment_id = import_file(engine, str(example))
    exported = tmp_path / f"exported{suffix}"
    export_file(engine, assessment_id, str(exported))
    again = read_assessment(str(exported))
    assert again.assessment.model_dump() == original.assessment.model_dump()
    assert again.assessment == original.assessment
    assert results_of(again) == results_of(original)


def test_import_twice_gives_two_assessments(engine: Engine) -> None:
    first = import_file(engine, str(EXAMPLES[0]))
    second = import_file(engine, str(EXAMPLES[0]))
    assert first != second
    with Session(engine) as session:
        assert assessment_data(session, first) == assessment_data(session, second)
        assert session.scalar(select(func.count()).select_from(MethodRow)) == len(METHOD_IDS)


def test_a_failure_midway_leaves_the_database_as_it_was(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(engine, str(EXAMPLES[0]))
    before = snapshot(engine)
    flushed: list[int] = []

    def fail(**_: Any) -> None:
        # by now organisations, analysts and scenarios were flushed into the transaction
        flushed.append(1)
        raise RuntimeError("forced failure while importing cascades")

    monkeypatch.setattr(importing, "CascadeRow", fail)
    with_cascades = next(p for p in EXAMPLES if read_assessment(str(p)).assessment.cascades)
    with pytest.raises(RuntimeError, match="forced failure"):
        import_file(engine, str(with_cascades))
    assert flushed
    assert snapshot(engine) == before


def test_a_duplicate_id_is_refused_and_nothing_is_stored(
    engine: Engine, loaded_examples: dict[str, Loaded]
) -> None:
    before = snapshot(engine)
    a = next(iter(loaded_examples.values())).assessment
    twice = a.model_copy(update={"scenarios": [*a.scenarios, a.scenarios[0]]})
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        register_shipped(session)
        method = session.scalars(select(MethodRow).where(MethodRow.method_id == a.method)).one()
        store_assessment(session, twice, method)
    assert snapshot(engine) == before


def test_method_file_registered_by_id_and_version(engine: Engine, tmp_path: Path) -> None:
    example = next(p for p in EXAMPLES if "uk-nsra-2023" in p.read_text(encoding="utf-8"))
    shipped = ROOT / "src/nsra/methods/uk-nsra-2023.yaml"
    text = shipped.read_text(encoding="utf-8")
    (tmp_path / "own.yaml").write_text(text.replace('version: "2023"', 'version: "2023-own"'))
    assessment = tmp_path / "a.yaml"
    assessment.write_text(
        example.read_text(encoding="utf-8").replace("method: uk-nsra-2023", "method: ./own.yaml")
    )
    assessment_id = import_file(engine, str(assessment))
    with Session(engine) as session:
        versions = session.scalars(
            select(MethodRow.method_version).where(MethodRow.method_id == "uk-nsra-2023")
        ).all()
        assert sorted(versions) == ["2023", "2023-own"]
        assert assessment_data(session, assessment_id)["method"] == "./own.yaml"
    # the same id and version with other content is refused, and nothing is stored
    (tmp_path / "own.yaml").write_text(
        text.replace('version: "2023"', 'version: "2023-own"').replace(
            "time_basis_months:", "time_basis_months: 12 #", 1
        )
    )
    before = snapshot(engine)
    with pytest.raises(InputError, match="already registered with different content"):
        import_file(engine, str(assessment))
    assert snapshot(engine) == before


def test_a_stale_update_is_refused(engine: Engine) -> None:
    import_file(engine, str(EXAMPLES[0]))
    with Session(engine) as first, Session(engine) as second:
        a = first.scalars(select(OrganisationRow).limit(1)).one()
        b = second.get(OrganisationRow, a.id)
        assert b is not None and a.version == b.version == 1
        a.name = "renamed"
        first.commit()
        assert a.version == 2
        b.name = "renamed too"
        with pytest.raises(StaleDataError):
            second.commit()


def test_an_assessment_references_its_rows(engine: Engine) -> None:
    assessment_id = import_file(engine, str(EXAMPLES[0]))
    with Session(engine) as session:
        keys = session.scalars(
            select(ScenarioRow.key)
            .where(ScenarioRow.assessment_id == assessment_id)
            .order_by(ScenarioRow.position)
        ).all()
    assert keys == [s.id for s in read_assessment(str(EXAMPLES[0])).assessment.scenarios]


# -- the command -----------------------------------------------------------------------------------
def test_db_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    runner = CliRunner()
    refused = runner.invoke(app, ["db", "import", str(EXAMPLES[0])])
    assert isinstance(refused.exception, InputError)
    assert "nsra db upgrade" in str(refused.exception.problems[0])
    done = runner.invoke(app, ["db", "upgrade"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "nsra.db").is_file()
    done = runner.invoke(app, ["db", "import", str(EXAMPLES[0])])
    assert done.exit_code == 0, done.output
    assert "as assessment 1" in done.output
    done = runner.invoke(app, ["db", "export", "1", "-o", "out/back.yaml"])
    assert done.exit_code == 0, done.output
    back = read_assessment("out/back.yaml").assessment
    assert back == read_assessment(str(EXAMPLES[0])).assessment
    url = f"sqlite:///{tmp_path / 'other.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    missing = runner.invoke(app, ["db", "export", "1", "-o", "x.yaml", "--url", url])
    assert isinstance(missing.exception, InputError)
    assert "no assessment 1" in str(missing.exception.problems[0])
