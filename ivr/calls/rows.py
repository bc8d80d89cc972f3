"""The voice path's reads and writes of calls and their events, on the driver's connection.

A step is one read of the call, one guarded update and a few event rows. Through
SQLAlchemy each statement cost ~30 µs of Python around ~8 µs of database work, which
made the toolkit, not the database, the biggest part of a webhook. These statements run
on the DBAPI connection under the step's Core connection (`ivr.calls.unit`), so they
commit or roll back with everything else the step writes (a draft, an SMS receipt), and
the drivers' differences — parameter style, JSON, timestamps — stay in this module. The schema is
still the models' (tests on both databases run every statement here); the rest of the
application uses the ORM and Core as usual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from ivr.flow.state import Event, VesselFact
from models.base import utcnow


@dataclass
class LiveCall:
    """The call row as a voice step needs it."""

    id: int
    call_sid: str
    from_number: str
    flow_version: str
    state: dict[str, Any]
    turn: int
    started_at: datetime
    outcome: str | None
    consent_at: datetime | None
    consent_notice_version: str | None
    dossier_reference: str | None
    last_answer: str | None = None
    last_fingerprint: str | None = None


@dataclass
class ClosingCall:
    """The call row as the status callback needs it."""

    id: int
    state: dict[str, Any]
    outcome: str | None
    abandoned_menu: str | None
    ended_at: datetime | None
    duration_s: int | None


class _Dialect:
    """SQLite through `sqlite3`: named parameters, JSON as text, timestamps as ISO text."""

    name = "sqlite"

    def sql(self, text: str) -> str:
        return text

    def args(self, sql: str, params: dict[str, Any]) -> Any:
        """The parameters as the driver takes them for `sql`: by name, here."""
        return params

    def json_in(self, value: Any) -> Any:
        return None if value is None else json.dumps(value)

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


class _Postgres(_Dialect):
    """PostgreSQL through asyncpg, the voice webhooks' driver (`ivr.calls.unit`): `$n`
    parameters in order, JSON as text for SQLAlchemy's JSONB codec, naive-UTC timestamps."""

    name = "postgresql"

    def __init__(self) -> None:
        self._order: dict[str, tuple[str, ...]] = {}

    def sql(self, text: str) -> str:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        out = re.sub(r"(?<!:):([a-z_]+)", number, text)
        self._order[out] = tuple(names)
        return out

    def args(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(params[name] for name in self._order[sql])

    def json_in(self, value: Any) -> Any:
        return None if value is None else json.dumps(value)

    def json_out(self, value: Any) -> Any:
        return value

    def time_in(self, value: datetime | None) -> Any:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


_DIALECTS: dict[str, type[_Dialect]] = {"sqlite": _Dialect, "postgresql": _Postgres}


class _Statements:
    """Each statement in the dialect's parameter style, prepared once per dialect."""

    def __init__(self, d: _Dialect) -> None:
        self.load_call = d.sql(
            "SELECT id, call_sid, from_number, flow_version, state, turn, started_at, outcome, consent_at, "
            "consent_notice_version, dossier_reference, last_answer, last_fingerprint "
            "FROM calls WHERE call_sid = :sid"
        )
        self.insert_call = d.sql(
            "INSERT INTO calls (call_sid, from_number, to_number, flow_version, state, turn, started_at, "
            "twilio_status) VALUES (:sid, :from_number, :to_number, :flow_version, :state, 0, :at, :status) "
            "ON CONFLICT (call_sid) DO NOTHING RETURNING id"
        )
        self.advance_call = d.sql(
            "UPDATE calls SET state = :state, turn = :turn, outcome = :outcome, consent_at = :consent_at, "
            "consent_notice_version = :notice, dossier_reference = :reference, last_answer = :answer, "
            "last_fingerprint = :fingerprint WHERE id = :id AND turn = :from_turn"
        )
        # PostgreSQL: the guarded update and the step's events in one statement, one round
        # trip instead of two; no events are written when the guard finds the turn taken.
        self.advance_with_events = d.sql(
            "WITH advanced AS (UPDATE calls SET state = :state, turn = :turn, outcome = :outcome, "
            "consent_at = :consent_at, consent_notice_version = :notice, dossier_reference = :reference, "
            "last_answer = :answer, last_fingerprint = :fingerprint WHERE id = :id AND turn = :from_turn "
            "RETURNING id), "
            "added AS (INSERT INTO call_events (call_id, at, kind, menu, key, prompt, detail) "
            "SELECT advanced.id, :at, e.x ->> 'kind', e.x ->> 'menu', e.x ->> 'key', e.x ->> 'prompt', "
            "NULLIF(e.x -> 'detail', 'null'::jsonb) "
            "FROM advanced, jsonb_array_elements(:events) WITH ORDINALITY AS e(x, n) ORDER BY e.n) "
            "SELECT count(*) FROM advanced"
        ) if d.name == "postgresql" else ""
        self.add_event = d.sql(
            "INSERT INTO call_events (call_id, at, kind, menu, key, prompt, detail) "
            "VALUES (:call_id, :at, :kind, :menu, :key, :prompt, :detail)"
        )
        self.load_closing = d.sql(
            "SELECT id, state, outcome, abandoned_menu, ended_at, duration_s FROM calls WHERE call_sid = :sid"
        )
        self.close_call = d.sql(
            "UPDATE calls SET twilio_status = :status, outcome = :outcome, abandoned_menu = :menu, "
            "ended_at = :ended_at, duration_s = :duration WHERE id = :id"
        )
        self.set_recording = d.sql(
            "UPDATE calls SET recording_url = COALESCE(:url, recording_url), outcome = :outcome "
            "WHERE id = :id"
        )
        self.vessels_of_phone = d.sql(
            "SELECT id, registration_number, owner_name FROM vessels WHERE owner_phone = :phone LIMIT 2"
        )
        self.vessel_by_number = d.sql(
            "SELECT id, registration_number, owner_name FROM vessels WHERE registration_number = :number"
        )


_PREPARED: dict[str, tuple[_Dialect, _Statements]] = {}


def _prepared(name: str) -> tuple[_Dialect, _Statements]:
    if name not in _PREPARED:
        dialect = _DIALECTS[name]()
        _PREPARED[name] = (dialect, _Statements(dialect))
    return _PREPARED[name]


class CallRows:
    """The voice path's statements inside the connection's current transaction."""

    def __init__(self, conn: Connection) -> None:
        dialect = conn.dialect
        if dialect.name == "postgresql" and dialect.driver != "asyncpg":
            raise RuntimeError("the voice path runs on asyncpg on PostgreSQL: see ivr.calls.unit")
        self._d, self._q = _prepared(dialect.name)
        dbapi: Any = conn.connection.dbapi_connection
        self._cursor: Any = dbapi.cursor()

    def _execute(self, sql: str, params: dict[str, Any]) -> None:
        self._cursor.execute(sql, self._d.args(sql, params))

    def _one(self, sql: str, params: dict[str, Any]) -> Any:
        self._execute(sql, params)
        return self._cursor.fetchone()

    def load_call(self, call_sid: str) -> LiveCall | None:
        row = self._one(self._q.load_call, {"sid": call_sid})
        if row is None:
            return None
        d = self._d
        return LiveCall(
            row[0], row[1], row[2], row[3], d.json_out(row[4]) or {}, row[5], d.time_out(row[6]),  # type: ignore[arg-type]
            row[7], d.time_out(row[8]), row[9], row[10], row[11], row[12],
        )

    def insert_call(
        self, *, call_sid: str, from_number: str, to_number: str, flow_version: str, at: datetime,
        status: str = "in-progress",
    ) -> LiveCall | None:
        """The new call at turn 0; None when a call with this CallSid exists already."""
        row = self._one(self._q.insert_call, {
            "sid": call_sid, "from_number": from_number, "to_number": to_number, "flow_version": flow_version,
            "state": self._d.json_in({}), "at": self._d.time_in(at), "status": status,
        })
        if row is None:
            return None
        return LiveCall(row[0], call_sid, from_number, flow_version, {}, 0, at, None, None, None, None)

    def advance_call(self, call: LiveCall, *, from_turn: int, events: list[Event]) -> bool:
        """Store the call's new state, answer and events, only if nobody advanced it meanwhile."""
        d = self._d
        params = {
            "state": d.json_in(call.state), "turn": call.turn, "outcome": call.outcome,
            "consent_at": d.time_in(call.consent_at), "notice": call.consent_notice_version,
            "reference": call.dossier_reference, "answer": call.last_answer,
            "fingerprint": call.last_fingerprint, "id": call.id, "from_turn": from_turn,
        }
        if self._q.advance_with_events:
            params["at"] = d.time_in(utcnow())
            params["events"] = d.json_in([
                {"kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt, "detail": e.detail}
                for e in events
            ])
            return bool(self._one(self._q.advance_with_events, params)[0] == 1)
        self._execute(self._q.advance_call, params)
        if self._cursor.rowcount != 1:
            return False
        self.add_events(call.id, events)
        return True

    def add_events(self, call_id: int, events: Iterable[Event]) -> None:
        d = self._d
        at = d.time_in(utcnow())
        rows = [
            {"call_id": call_id, "at": at, "kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt,
             "detail": d.json_in(e.detail)}
            for e in events
        ]
        if rows:
            sql = self._q.add_event
            self._cursor.executemany(sql, [self._d.args(sql, r) for r in rows])

    def load_closing_call(self, call_sid: str) -> ClosingCall | None:
        row = self._one(self._q.load_closing, {"sid": call_sid})
        if row is None:
            return None
        d = self._d
        return ClosingCall(row[0], d.json_out(row[1]) or {}, row[2], row[3], d.time_out(row[4]), row[5])

    def save_closing_call(self, call: ClosingCall, *, status: str) -> None:
        self._execute(self._q.close_call, {
            "status": status, "outcome": call.outcome, "menu": call.abandoned_menu,
            "ended_at": self._d.time_in(call.ended_at), "duration": call.duration_s, "id": call.id,
        })

    def set_recording(self, call_id: int, *, url: str | None, outcome: str | None) -> None:
        self._execute(self._q.set_recording, {"url": url, "outcome": outcome, "id": call_id})

    def vessels_of_phone(self, phone: str) -> list[VesselFact]:
        self._execute(self._q.vessels_of_phone, {"phone": phone})
        return [VesselFact(*row) for row in self._cursor.fetchall()]

    def vessel_by_number(self, registration: str) -> VesselFact | None:
        row = self._one(self._q.vessel_by_number, {"number": registration})
        return VesselFact(*row) if row else None
