"""Where a voice webhook's unit of work runs: one connection, one transaction, one commit.

A step is a few statements on a Core connection (no ORM session: its bookkeeping cost
more than the statements). On SQLite they run on the event loop: each is microseconds
of in-process work. On PostgreSQL each statement is a round trip, and a blocking driver
would hold the loop — and every other caller — for all of them; there the same
synchronous step code runs through SQLAlchemy's asyncio bridge on asyncpg, so the loop
answers other callers while a step waits for the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from models.db import write_turns

T = TypeVar("T")
POOL_SIZE = 40


def _run_all(callbacks: Sequence[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


def hold_together(conn: Connection) -> None:
    """From here to the commit, what the step writes is one transaction.

    On PostgreSQL a step starts in autocommit: most steps read the call and write it back
    with one guarded statement, and a BEGIN and a COMMIT would be two more round trips
    for nothing. A step that writes more (a draft and its receipt, a call's close and its
    event) calls this first, and everything it writes then commits or rolls back at once.
    On SQLite the step is always one transaction; there is nothing to do.
    """
    driver: Any = conn.connection.dbapi_connection
    if conn.dialect.driver == "asyncpg" and driver.autocommit:
        driver.autocommit = False


class VoiceDatabase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._async_url = (
            engine.url.set(drivername="postgresql+asyncpg") if engine.dialect.name == "postgresql" else None
        )
        self._sqlite: Connection | None = None
        # One asyncpg pool per event loop: its connections belong to the loop that made
        # them. A server has one loop; tests start one per client.
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncEngine] = (
            weakref.WeakKeyDictionary()
        )

    def _async_engine(self) -> AsyncEngine | None:
        if self._async_url is None:
            return None
        loop = asyncio.get_running_loop()
        engine = self._async.get(loop)
        if engine is None:
            # A connection per webhook in flight, kept: a pool smaller than the calls in
            # flight closes and reopens connections under load (each a dozen round trips).
            # No ping per checkout, as in models.db.
            engine = self._async[loop] = create_async_engine(
                self._async_url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE, pool_recycle=3600
            )
        return engine

    async def run(
        self, work: Callable[[Connection], T], on_fault: Callable[[Exception], T],
        after_commit: Sequence[Callable[[], None]] = (),
    ) -> T:
        """`work`'s result, committed, then `after_commit` (filled in by `work`) run; or
        `on_fault`'s result, with nothing of `work` kept."""
        async_engine = self._async_engine()
        if async_engine is not None:
            async with async_engine.connect() as aconn:
                driver: Any = (await aconn.get_raw_connection()).dbapi_connection
                driver.autocommit = True  # see hold_together
                try:
                    await aconn.begin()
                    result = await aconn.run_sync(work)
                    await aconn.commit()
                    _run_all(after_commit)
                    return result
                except Exception as exc:  # the caller of a webhook gets on_fault's answer
                    with contextlib.suppress(Exception):  # a lost connection cannot roll back
                        await aconn.rollback()
                    return on_fault(exc)
                finally:
                    driver.autocommit = True
        fault: Exception | None = None
        with write_turns(self.engine):  # also keeps two threads off the one connection
            conn = self._sqlite_connection()
            try:
                conn.begin()  # the step's statements go to the driver's cursor: begin here
                result = work(conn)
                conn.commit()
            except Exception as exc:
                self._rollback_sqlite(conn)
                fault = exc
        if fault is not None:
            return on_fault(fault)
        _run_all(after_commit)
        return result

    def _sqlite_connection(self) -> Connection:
        """The one connection voice steps use on SQLite, kept between webhooks.

        A step's work runs to its commit without yielding to the loop, so the process
        needs one connection, not a pool: checking one out and back in cost as much as a
        step's statements, and a connection of its own keeps its page cache warm.
        """
        if self._sqlite is None or self._sqlite.closed or self._sqlite.invalidated:
            self._sqlite = self.engine.connect()
        return self._sqlite

    def _rollback_sqlite(self, conn: Connection) -> None:
        try:
            conn.rollback()
        except Exception:  # a connection that cannot roll back is not used again
            self._sqlite = None
            with contextlib.suppress(Exception):
                conn.close()

    async def close(self) -> None:
        """Close the SQLite connection and the pool of the running loop (the app's
        shutdown; a test client's exit)."""
        sqlite, self._sqlite = self._sqlite, None
        if sqlite is not None:
            sqlite.close()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        engine = self._async.pop(loop, None)
        if engine is not None:
            await engine.dispose()
