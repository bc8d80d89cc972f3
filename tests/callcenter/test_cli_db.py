"""`tongdai db upgrade` says what it did: a brand-new database gets its schema created."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cli.main import app
from ivr.settings import get_settings


def test_a_new_database_is_created_then_already_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, ["db", "upgrade"])
        assert first.exit_code == 0, first.output
        assert "Created the database schema" in first.output
        assert "up to date" not in first.output
        again = CliRunner().invoke(app, ["db", "upgrade"])
        assert again.exit_code == 0, again.output
        assert "Schema already up to date" in again.output
    finally:
        get_settings.cache_clear()
