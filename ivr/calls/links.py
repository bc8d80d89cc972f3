"""The connections voice steps work on: the driver's own, outside SQLAlchemy.

SQLite: one `sqlite3` connection the unit keeps, in autocommit between steps. PostgreSQL:
asyncpg connections from a pool of the voice webhooks' own; the step code is synchronous
and runs in a greenlet, so each statement waits for the server with SQLAlchemy's
`await_only` while the event loop answers other callers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

import asyncpg
from sqlalchemy.util import await_only

from ivr.calls.pool import VoicePool
from models.raw import Driver, Link, driver_for

# Connections to PostgreSQL for one worker's voice webhooks. A step holds one for a round
# trip or two; beyond a few per core, more connections only interleave more round trips
# on the same event loop, so each webhook holds its connection longer. Webhooks past
# the tenth wait their turn in the pool instead. 1,000 paced calls on two cores, 40 s:
# 727-1,906 webhooks over 50 ms with 10 connections, ~4,400 with 40; saturation the same.
POOL_SIZE = 10
# Twilio gives a webhook 15 s: a statement or a wait for a connection that takes longer
# than this is given up, and the caller hears the apology before Twilio hangs up.
DATABASE_TIMEOUT_S = 10.0
# How the voice webhooks' connections show in pg_stat_activity.
APPLICATION_NAME = "tongdai-voice"


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


class SqliteLink:
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


class AsyncpgLink:
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


async def roll_back_if_open(conn: asyncpg.Connection) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def make_pool(dsn: str) -> VoicePool:
    async def connect() -> asyncpg.Connection:
        conn = await asyncpg.connect(
            dsn, command_timeout=DATABASE_TIMEOUT_S, timeout=DATABASE_TIMEOUT_S,
            server_settings={"application_name": APPLICATION_NAME},
        )
        try:
            await _json_codecs(conn)
        except BaseException:
            conn.terminate()
            raise
        return conn

    return VoicePool(connect, size=POOL_SIZE, timeout=DATABASE_TIMEOUT_S)
