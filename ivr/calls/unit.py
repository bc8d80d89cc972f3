"""Where a voice webhook's unit of work runs: one connection, one transaction, one commit.

A step is a few short statements written for the driver (`models.raw`), on a driver
connection this module keeps for the voice webhooks, outside SQLAlchemy's pool and
transactions: those cost more per webhook than the step's statements.

On SQLite the step runs on the event loop: each statement is microseconds of in-process
work, and one connection kept between webhooks serves them all (a step runs to its
commit without yielding). On PostgreSQL each statement is a round trip, and a blocking
driver would hold the loop — and every other caller — for all of them; there the same
synchronous step code runs in a greenlet over an asyncpg pool (SQLAlchemy's asyncio
bridge, without its engine), so the loop answers other callers while a step waits for
the server. The rest of the application keeps SQLAlchemy on the same `DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import asyncpg
from sqlalchemy import Engine
from sqlalchemy.util import await_only, greenlet_spawn

from models.db import write_turns
from models.raw import Driver, Link, driver_for

T = TypeVar("T")
POOL_SIZE = 40
# Twilio gives a webhook 15 s: a statement or a wait for a connection that takes longer
# than this is given up, and the caller hears the apology before Twilio hangs up.
DATABASE_TIMEOUT_S = 10.0


class VoiceLink(Link, Protocol):
    """The connection a voice step works on."""

    def hold_together(self) -> None:
        """From here to the commit, what the step writes is one transaction.

        On PostgreSQL a step starts in autocommit: most steps read the call and write it
        back with one guarded statement, and a BEGIN and a COMMIT would be two more round
        trips for nothing. A step that writes more (a draft and its receipt, a call's
        close and its event) calls this first, and everything it writes then commits or
        rolls back at once. On SQLite the step is always one transaction.
        """

    def rollback(self) -> None:
        """Undo what the step wrote so far (a duplicate webhook won the race)."""


def _run_all(callbacks: Sequence[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


class _SqliteLink:
    """The voice webhooks' own SQLite connection, in autocommit between steps."""

    driver: Driver = driver_for("sqlite", "pysqlite")

    def __init__(self, dbapi: sqlite3.Connection) -> None:
        self.dbapi = dbapi

    def cursor(self) -> sqlite3.Cursor:
        return self.dbapi.cursor()

    def begin(self) -> None:
        # IMMEDIATE: every step writes; taking the write lock first means a read early in
        # the step can never be outdated by another writer before the step's own write.
        self.dbapi.execute("BEGIN IMMEDIATE")

    def hold_together(self) -> None:
        pass

    def commit(self) -> None:
        if self.dbapi.in_transaction:
            self.dbapi.execute("COMMIT")

    def rollback(self) -> None:
        if self.dbapi.in_transaction:
            self.dbapi.execute("ROLLBACK")


class _AsyncpgCursor:
    """The few DBAPI cursor calls `models.raw` makes, on asyncpg, from inside a greenlet."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._rows: list[Any] = []

    def execute(self, sql: str, args: Sequence[Any]) -> None:
        self._rows = await_only(self._conn.fetch(sql, *args))

    def executemany(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        await_only(self._conn.executemany(sql, args))
        self._rows = []

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows

    @property
    def rowcount(self) -> int:
        return -1  # asyncpg's fetch does not say; PostgreSQL steps use RETURNING instead


class _AsyncpgLink:
    driver: Driver = driver_for("postgresql", "asyncpg")

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    def cursor(self) -> _AsyncpgCursor:
        return _AsyncpgCursor(self.conn)

    def hold_together(self) -> None:
        if not self.conn.is_in_transaction():
            await_only(self.conn.execute("BEGIN"))

    def rollback(self) -> None:
        if self.conn.is_in_transaction():
            await_only(self.conn.execute("ROLLBACK"))


async def _json_codecs(conn: asyncpg.Connection) -> None:
    # `models.raw` hands JSON over as text; rows come back decoded, as from SQLAlchemy.
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=str, decoder=json.loads, schema="pg_catalog")


async def _roll_back_if_open(conn: asyncpg.Connection) -> None:
    # asyncpg's default reset on release is one more round trip per webhook (RESET ALL,
    # UNLISTEN…) for session state the voice path never sets; an open transaction is
    # the only thing a connection can come back with.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def _make_pool(dsn: str) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn, min_size=1, max_size=POOL_SIZE, init=_json_codecs, reset=_roll_back_if_open,
        command_timeout=DATABASE_TIMEOUT_S, timeout=DATABASE_TIMEOUT_S,
    )


class VoiceDatabase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite: _SqliteLink | None = None
        self._sqlite_fairy: Any = None
        self._dsn = (
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            if engine.dialect.name == "postgresql" else None
        )
        # One asyncpg pool per event loop: its connections belong to the loop that made
        # them. A server has one loop; tests start one per client.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[asyncpg.Pool]] = (
            weakref.WeakKeyDictionary()
        )

    async def _pool(self, dsn: str) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        making = self._pools.get(loop)
        if making is None:
            # A connection per webhook in flight, kept (idle ones close after 5 minutes).
            # Made once, by whichever webhook comes first; the others wait for it.
            making = self._pools[loop] = loop.create_task(_make_pool(dsn))
        try:
            return await asyncio.shield(making)
        except Exception:
            if self._pools.get(loop) is making:
                del self._pools[loop]  # the server was down: the next webhook tries again
            raise

    async def run(
        self, work: Callable[[VoiceLink], T], on_fault: Callable[[Exception], T],
        after_commit: Sequence[Callable[[], None]] = (),
    ) -> T:
        """`work`'s result, committed, then `after_commit` (filled in by `work`) run; or
        `on_fault`'s result, with nothing of `work` kept."""
        if self._dsn is not None:
            try:
                result = await self._run_postgres(await self._pool(self._dsn), work)
            except Exception as exc:  # the caller of a webhook gets on_fault's answer
                return on_fault(exc)
            _run_all(after_commit)
            return result
        fault: Exception | None = None
        with write_turns(self.engine):  # also keeps two threads off the one connection
            link = self._sqlite_link()
            try:
                link.begin()
                result = work(link)
                link.commit()
            except Exception as exc:
                self._roll_back_sqlite(link)
                fault = exc
        if fault is not None:
            return on_fault(fault)
        _run_all(after_commit)
        return result

    async def _run_postgres(self, pool: asyncpg.Pool, work: Callable[[VoiceLink], T]) -> T:
        async with pool.acquire(timeout=DATABASE_TIMEOUT_S) as conn:
            try:
                result: T = await greenlet_spawn(work, _AsyncpgLink(conn))
                if conn.is_in_transaction():
                    await conn.execute("COMMIT")
                return result
            except BaseException:
                # A lost connection cannot roll back; the pool replaces it.
                with contextlib.suppress(Exception):
                    await _roll_back_if_open(conn)
                raise

    def _sqlite_link(self) -> _SqliteLink:
        """The one connection voice steps use on SQLite, kept between webhooks: checking
        one out of the pool and back in cost as much as a step's statements, and a
        connection of its own keeps its page cache warm."""
        if self._sqlite is None:
            # From the engine's pool, so it gets the server's pragmas (models.db).
            self._sqlite_fairy = self.engine.raw_connection()
            dbapi: sqlite3.Connection = self._sqlite_fairy.dbapi_connection
            dbapi.isolation_level = None  # transactions are begun and ended here
            self._sqlite = _SqliteLink(dbapi)
        return self._sqlite

    def _roll_back_sqlite(self, link: _SqliteLink) -> None:
        try:
            link.rollback()
        except Exception:  # a connection that cannot roll back is not used again
            self._close_sqlite(invalidate=True)

    def _close_sqlite(self, *, invalidate: bool = False) -> None:
        fairy, self._sqlite, self._sqlite_fairy = self._sqlite_fairy, None, None
        if fairy is None:
            return
        with contextlib.suppress(Exception):
            if invalidate:
                fairy.invalidate()
            else:
                fairy.dbapi_connection.isolation_level = ""  # as the pool hands it out
                fairy.close()

    async def close(self) -> None:
        """Close the SQLite connection and the pool of the running loop (the app's
        shutdown; a test client's exit)."""
        self._close_sqlite()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        making = self._pools.pop(loop, None)
        if making is not None:
            with contextlib.suppress(Exception):  # a pool never made has nothing to close
                await (await making).close()
