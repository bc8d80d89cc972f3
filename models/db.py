"""Engine and session factory; the schema-version check the server runs before it starts."""

from __future__ import annotations

import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import ColumnElement, Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# One lock per SQLite engine, with its timeout (see write_unit); weak so disposed engines go away.
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, tuple[threading.Lock, float]] = weakref.WeakKeyDictionary()
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


# SQLite's own checkpoint after every N pages of log (its default is 1,000): a longer log
# means fewer, larger checkpoints inside commits; this keeps each one short.
WAL_AUTOCHECKPOINT_PAGES = 4000
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
WRITE_LOCK_FIRST = "sqlite_write_lock_first"  # execution option: see `write_unit`


def make_engine(database_url: str, *, timeout_s: float | None = None, **kwargs: Any) -> Engine:
    """The engine for `database_url`. `timeout_s`: how long any one wait for the
    database may last (the app's requests); None for the command line's long jobs."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        busy_s = timeout_s or 30.0
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_s}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_connection(busy_s))
        event.listen(engine, "begin", _sqlite_begin)
        _WRITE_LOCKS[engine] = (threading.Lock(), busy_s)
        return engine
    kwargs.setdefault("pool_size", 32)
    kwargs.setdefault("max_overflow", 8)
    # No ping before every checkout: it is one more round trip on every webhook. A
    # connection the server dropped (a restart) raises a disconnect error instead, which
    # invalidates the pool: that request hears the apology, the next get fresh connections.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 3600)
    if timeout_s is not None:
        kwargs.setdefault("pool_timeout", timeout_s)
        ms = int(timeout_s * 1000)
        kwargs.setdefault("connect_args", {
            "connect_timeout": max(1, int(timeout_s)),
            "options": f"-c statement_timeout={ms} -c lock_timeout={ms} "
                       f"-c idle_in_transaction_session_timeout={ms * 6}",
        })
    return create_engine(url, **kwargs)


def _sqlite_connection(busy_s: float) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while a webhook writes; NORMAL sync is durable across
        # application crashes, which is the failure a hotline server actually sees.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        # A log that grew past this under a burst is cut back at the next checkpoint.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_s * 1000)}")
        cursor.close()

    return configure


def _sqlite_begin(conn: Connection) -> None:
    # A unit of work that will write (`write_unit`) takes SQLite's write lock first: a
    # read early in it can then never be outdated by another writer before its own
    # write. Elsewhere pysqlite begins by itself, at the first write, so plain reads see
    # the latest commits.
    if conn.get_execution_options().get(WRITE_LOCK_FIRST, False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def insert_on_conflict(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own `insert()`, the one that knows ON CONFLICT (SQLite or PostgreSQL)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class InsertIfNew:
    """`INSERT … ON CONFLICT (key) DO NOTHING RETURNING column`, built once per dialect: a
    row already holding the key (Twilio's repeat, another worker's write, a reference drawn
    twice) means nothing is written and nothing raised, not an aborted transaction."""

    def __init__(self, table: Table, *, key: str, returning: ColumnElement[Any]) -> None:
        self._by_dialect = {
            name: insert_on_conflict(name, table).on_conflict_do_nothing(index_elements=[key])
            .returning(returning)
            for name in ("sqlite", "postgresql")
        }

    def __call__(self, session: Session, values: dict[str, Any]) -> Any:
        """The new row's `returning` value; None when a row held the key already."""
        return session.execute(self._by_dialect[session.get_bind().dialect.name], values).scalar_one_or_none()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, rolled back unless the endpoint committed: endpoints are
    the single commit point, services only flush.

    Made and closed on the event loop (no I/O), so a plain `def` endpoint costs one hop
    to the thread pool, not three; only a session left inside a transaction (an endpoint
    that raised) goes to the pool to roll back, since that talks to the database.
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session = factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
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


@contextmanager
def write_unit(session: Session) -> Iterator[None]:
    """Around a unit of work that writes (a webhook): on SQLite, one writer at a time.

    SQLite has one writer at a time. Threads of this process take turns on a lock, which
    hands the database over the moment it is free (SQLite's own busy handler sleeps in
    steps of up to 100 ms), and the transaction takes the write lock first (`BEGIN
    IMMEDIATE`), so other processes' writers wait in SQLite's busy handler instead of
    outdating what this one read. PostgreSQL locks rows, not the database: nothing to do.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    held = _WRITE_LOCKS.get(engine)
    if held is None:
        yield
        return
    lock, timeout_s = held
    if not lock.acquire(timeout=timeout_s):
        raise DatabaseBusy(f"no turn to write within {timeout_s:g} s")
    try:
        if not session.in_transaction():  # a unit that read first begins at its first write
            session.connection(execution_options={WRITE_LOCK_FIRST: True})
        yield
    finally:
        lock.release()


class DatabaseBusy(RuntimeError):
    """The database stayed busy past the request's timeout."""
