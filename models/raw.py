"""Statements on the driver's own connection, for the few paths where SQLAlchemy costs
more than the database.

A voice webhook's step is a handful of short statements. Through SQLAlchemy each cost
~30 µs of Python around a few µs of database work when run in a tight loop, and two to
five times that inside a webhook, where the toolkit's large code path starts cold every
time: the toolkit, not the database, was the biggest part of a step. The statements
here run on the DBAPI connection under a Core connection or a session, so they commit or
roll back with everything else in that transaction. The drivers' differences (parameter
style, JSON, timestamps) stay in this module. The schema is still the models': tests on
both databases run every statement written this way.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection
from sqlalchemy.orm import Session


class Driver:
    """SQLite through `sqlite3`: `?` parameters in order, JSON as text, timestamps as ISO text.

    `sqlite3` takes `:name` parameters too, but binds each by looking its name up in the
    mapping, and the statements' callers build a dict per row: by position, the events
    of a step went in ~20 % faster.
    """

    key = ("sqlite", "pysqlite")
    # PostgreSQL can write several rows of several tables in one statement (a CTE per
    # write), one round trip instead of a few; SQLite runs them one by one.
    modifying_ctes = False

    def __init__(self) -> None:
        self._order: dict[str, tuple[str, ...]] = {}

    def sql(self, text: str) -> str:
        """`text`, written with `:name` parameters, as this driver takes it."""
        names: list[str] = []

        def mark(match: re.Match[str]) -> str:
            names.append(match.group(1))  # a name used twice is bound twice
            return "?"

        return self._remember(_NAME.sub(mark, text), tuple(names))

    def _remember(self, sql: str, names: tuple[str, ...]) -> str:
        known = self._order.setdefault(sql, names)
        if known != names:  # two texts alike but for their parameters' names
            raise RuntimeError(f"statement {sql!r} translated twice with other names: {known} and {names}")
        return sql

    def args(self, sql: str, params: dict[str, Any]) -> Any:
        """The parameters as the driver takes them for `sql`: in the order the text names them."""
        return tuple([params[name] for name in self._order[sql]])

    def json_in(self, value: Any) -> Any:
        # orjson: a call's state is written on every step, ~0.3 us against ~2.5 for json.
        return None if value is None else orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()

    def json_out(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    def time_in(self, value: datetime | None) -> Any:
        # SQLAlchemy's SQLite format for the models' naive-UTC columns, to the microsecond.
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")

    def time_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.replace(tzinfo=UTC)

    def date_out(self, value: Any) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else value


_NAME = re.compile(r"(?<!:):([a-z_]+)")  # `:name`, not the `::` of a PostgreSQL cast


class _Asyncpg(Driver):
    """PostgreSQL through asyncpg, the voice webhooks' driver (`ivr.calls.unit`): `$n`
    parameters in order, JSON as text for SQLAlchemy's JSONB codec, naive-UTC timestamps."""

    key = ("postgresql", "asyncpg")
    modifying_ctes = True

    def sql(self, text: str) -> str:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        out = _NAME.sub(number, text)
        return self._remember(out, tuple(names))

    def json_out(self, value: Any) -> Any:
        return value

    def time_in(self, value: datetime | None) -> Any:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


class _Psycopg(_Asyncpg):
    """PostgreSQL through psycopg, the rest of the application's driver: `%(name)s`
    parameters; JSON text goes as an untyped literal the column casts."""

    key = ("postgresql", "psycopg")

    def sql(self, text: str) -> str:
        return _NAME.sub(r"%(\1)s", text.replace("%", "%%"))

    def args(self, sql: str, params: dict[str, Any]) -> Any:
        return params


_DRIVERS: dict[tuple[str, str], Driver] = {d.key: d for d in (Driver(), _Asyncpg(), _Psycopg())}


def driver_for(database: str, driver: str) -> Driver:
    """The adapter for `database` (SQLAlchemy's dialect name) through `driver`."""
    found = _DRIVERS.get((database, driver))
    if found is None:
        raise RuntimeError(f"no raw statements for {database}+{driver}")
    return found


class Link(Protocol):
    """A driver's connection, as the statements here use it."""

    @property
    def driver(self) -> Driver: ...

    def cursor(self) -> Any: ...


class _CoreLink:
    """The driver's connection under a Core connection, in that connection's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.driver = driver_for(conn.dialect.name, conn.dialect.driver or "")
        self._dbapi: Any = conn.connection.dbapi_connection

    def cursor(self) -> Any:
        return self._dbapi.cursor()


def link_of(db: Session | Connection | Link) -> Link:
    """The driver's connection of a unit of work: a session's (the console, SMS intake),
    a Core connection's, or the voice webhooks' own (`ivr.calls.unit`)."""
    if isinstance(db, Session):
        return _CoreLink(db.connection())
    if isinstance(db, Connection):
        return _CoreLink(db)
    return db


class Statements:
    """SQL texts written once with `:name` parameters, translated once per driver."""

    def __init__(self, **texts: str) -> None:
        self._texts = texts
        self._translated: dict[tuple[str, str], dict[str, str]] = {}

    def for_driver(self, driver: Driver) -> dict[str, str]:
        translated = self._translated.get(driver.key)
        if translated is None:
            translated = self._translated[driver.key] = {
                name: driver.sql(text) for name, text in self._texts.items()
            }
        return translated


class RawCursor:
    """A cursor of the link's driver, in the link's current transaction."""

    def __init__(self, link: Link, statements: Statements) -> None:
        self.driver = link.driver
        self.sql = statements.for_driver(self.driver)
        self.cursor: Any = link.cursor()
    def execute(self, name: str, params: dict[str, Any]) -> None:
        sql = self.sql[name]
        self.cursor.execute(sql, self.driver.args(sql, params))

    def one(self, name: str, params: dict[str, Any]) -> Any:
        """The first row of statement `name`, or None."""
        self.execute(name, params)
        return self.cursor.fetchone()

    def all(self, name: str, params: dict[str, Any]) -> list[Any]:
        self.execute(name, params)
        return list(self.cursor.fetchall())

    def many(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            sql = self.sql[name]
            self.cursor.executemany(sql, [self.driver.args(sql, row) for row in rows])

    @property
    def rowcount(self) -> int:
        return int(self.cursor.rowcount)
