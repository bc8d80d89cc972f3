"""Every console list reads through an index (SQLite's query plan), so 100,000 dossiers stay fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from callcenter.callbacks.repository import attempts_for, due_callbacks
from callcenter.console.queries import drafts_after, newest_draft
from callcenter.console.session import logged_out_since
from callcenter.pagination import Cursor
from models.base import utcnow
from models.user import User


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    if engine.dialect.name != "sqlite":
        pytest.skip("plans are checked on SQLite; PostgreSQL plans depend on table statistics")
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        return [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]


NOW = utcnow()
QUERIES: dict[str, Callable[[Session], object]] = {
    "live queue start": lambda db: newest_draft(db),
    "live queue poll": lambda db: drafts_after(db, after=Cursor(at=NOW, id=10), limit=50),
    "call-backs due": lambda db: due_callbacks(db, now=NOW, after=(NOW, 1), limit=26),
    "a dossier's call-backs": lambda db: attempts_for(db, dossier_id=1),
    "logout check": lambda db: logged_out_since(db, user=User(id=1, username="vana"), issued_at=NOW),
}


@pytest.mark.parametrize("name", QUERIES)
def test_the_query_seeks_an_index_and_never_scans_a_table(
    name: str, db: Session, engine: Engine, statements: list[tuple[str, Any]]
) -> None:
    QUERIES[name](db)
    queries = list(statements)  # the EXPLAINs below are recorded too
    assert queries
    for statement, parameters in queries:
        plan = _plan(engine, statement, parameters)
        scans = [step for step in plan if step.startswith("SCAN") and step != "SCAN CONSTANT ROW"]
        assert not scans, f"{name}: {plan}"
        if "created_at >=" in statement:  # the keyset range is part of the index seek
            assert any("created_at>?" in step or "created_at>=?" in step for step in plan), plan
