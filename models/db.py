"""Engine and session factory; the schema-version check the server runs before it starts."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# One lock per SQLite engine (see write_turns); weak so disposed engines go away.
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(database_url: str, *, background_checkpoints: bool = False, **kwargs: Any) -> Engine:
    """`background_checkpoints`: SQLite leaves WAL checkpoints to a `WalCheckpointer`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if background_checkpoints:
            event.listen(engine, "connect", _no_checkpoint_on_commit)
        _WRITE_LOCKS[engine] = threading.Lock()
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No ping before every checkout: it is one more round trip on every webhook, a sixth
    # of a voice step. A connection the server dropped (a restart) raises a disconnect
    # error instead; SQLAlchemy then invalidates the whole pool, so one request hears the
    # apology and the next ones get fresh connections. Idle ones are renewed hourly.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 3600)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while a webhook writes; NORMAL sync is durable across
    # application crashes, which is the failure a hotline server actually sees.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _no_checkpoint_on_commit(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def sqlite_file(database_url: str) -> str | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def insert_on_conflict(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own `insert()`, the one that knows ON CONFLICT (SQLite or PostgreSQL)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def get_session(request: Request) -> Iterator[Session]:
    """The request's session, rolled back unless the endpoint committed: endpoints are
    the single commit point, services only flush."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def alembic_config(database_url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def schema_status(engine: Engine) -> tuple[str | None, str | None]:
    """(revision in the database, head revision of the code)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, script.get_current_head()


class SchemaOutOfDate(RuntimeError):
    pass


def ensure_schema_current(engine: Engine) -> None:
    current, head = schema_status(engine)
    if current != head:
        raise SchemaOutOfDate(
            f"The database schema is at {current or 'nothing'}, the code needs {head}. "
            "Run `tongdai db upgrade` first."
        )


def write_turns(engine: Engine) -> AbstractContextManager[object]:
    """Take turns at writing, within this process, when the database is SQLite.

    SQLite has one writer at a time; threads that collide wait in its busy handler,
    which sleeps in steps of up to 100 ms and so turns a 1 ms webhook into a slow
    one under load. Queuing on a lock hands the database over the moment it is free.
    PostgreSQL locks rows, not the database: no turns there.
    """
    lock = _WRITE_LOCKS.get(engine)
    return lock if lock is not None else nullcontext()
