"""The schema is what the migrations build, both ways, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

import models
from callcenter.app import create_app
from ivr.settings import Settings
from models.db import SchemaOutOfDate, alembic_config, make_engine


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the suite's."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_autogenerate_finds_no_drift_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), models.Base.metadata)
    assert diff == []


def test_migrations_go_down_to_nothing_and_up_again(scratch_url: str) -> None:
    cfg = alembic_config(scratch_url)
    command.upgrade(cfg, "head")
    engine = make_engine(scratch_url)
    try:
        assert {"calls", "call_events", "dossiers", "vessels", "users", "outbox"} <= set(inspect(engine).get_table_names())
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert "dossiers" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_the_server_refuses_an_out_of_date_schema_and_names_the_command(scratch_url: str) -> None:
    settings = Settings(_env_file=None, database_url=scratch_url, twilio_auth_token="t", run_worker_in_app=False,  # type: ignore[call-arg]
                        secret_key="x" * 32)
    with pytest.raises(SchemaOutOfDate, match="tongdai db upgrade"):
        create_app(settings)
