"""Where a voice webhook's unit of work runs: one connection, one transaction, one commit.

A step is a few short statements written for the driver (`models.raw`), on a driver
connection this module keeps for the voice webhooks, outside SQLAlchemy's pool and
transactions: those cost more per webhook than the step's statements.

On SQLite the step runs on the event loop: each statement is microseconds of in-process
work, and one connection kept between webhooks serves them all (a step runs to its
commit without yielding). On PostgreSQL each statement is a round trip, and a blocking
driver would hold the loop — and every other caller — for all of them; there the same
synchronous step code runs in a greenlet on an asyncpg connection (SQLAlchemy's asyncio
bridge, without its engine; the connections from `ivr.calls.pool`), so the loop answers
other callers while a step waits for the server. The rest of the application keeps
SQLAlchemy on the same `DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.util import greenlet_spawn

from ivr.calls.links import (
    AsyncpgLink,
    SqliteLink,
    VoiceLink,
    make_pool,
    roll_back_if_open,
)
from ivr.calls.pool import VoicePool
from models.db import write_turns

T = TypeVar("T")


def _run_all(callbacks: Sequence[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


class VoiceDatabase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite: SqliteLink | None = None
        self._sqlite_fairy: Any = None
        self._dsn = (
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            if engine.dialect.name == "postgresql" else None
        )
        # One pool per event loop: its connections belong to the loop that made them. A
        # server has one loop; tests start one per client, and `close` drops it.
        self._pools: dict[asyncio.AbstractEventLoop, VoicePool] = {}

    def _pool(self, dsn: str) -> VoicePool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:  # it opens its connections as webhooks need them
            pool = self._pools[loop] = make_pool(dsn)
        return pool

    async def run(
        self, work: Callable[[VoiceLink], T], on_fault: Callable[[Exception], T],
        after_commit: Sequence[Callable[[], None]] = (),
    ) -> T:
        """`work`'s result, committed, then `after_commit` (filled in by `work`) run; or
        `on_fault`'s result, with nothing of `work` kept."""
        if self._dsn is not None:
            try:
                result = await self._run_postgres(self._pool(self._dsn), work)
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

    async def _run_postgres(self, pool: VoicePool, work: Callable[[VoiceLink], T]) -> T:
        conn = await pool.acquire()
        try:
            result: T = await greenlet_spawn(work, AsyncpgLink(conn))
            if conn.is_in_transaction():
                await conn.execute("COMMIT")
            return result
        except BaseException:
            # A lost connection cannot roll back; the pool drops it and opens another.
            with contextlib.suppress(Exception):
                await roll_back_if_open(conn)
            raise
        finally:
            pool.release(conn)

    def _sqlite_link(self) -> SqliteLink:
        """The one connection voice steps use on SQLite, kept between webhooks: checking
        one out of the pool and back in cost as much as a step's statements, and a
        connection of its own keeps its page cache warm."""
        if self._sqlite is None:
            # From the engine's pool, so it gets the server's pragmas (models.db).
            self._sqlite_fairy = self.engine.raw_connection()
            dbapi: sqlite3.Connection = self._sqlite_fairy.dbapi_connection
            dbapi.isolation_level = None  # transactions are begun and ended here
            self._sqlite = SqliteLink(dbapi)
        return self._sqlite

    def _roll_back_sqlite(self, link: SqliteLink) -> None:
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
        pool = self._pools.pop(loop, None)
        if pool is not None:
            await pool.close()
