"""The voice path's reads and writes of calls and their events, on the driver's connection.

A step is one read of the call, one guarded update and a few event rows: statements
written for the driver (`models.raw`, which says why), inside the step's transaction
(`ivr.calls.unit`), so they commit or roll back with everything else the step writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from ivr.calls.draft_rows import DRAFT_CTES, DRAFT_RESULT, PlannedDraft
from ivr.flow.state import Event, VesselFact
from models.base import utcnow
from models.raw import Link, RawCursor, Statements


class Advance(Enum):
    """What became of a step's write of its call."""

    WRITTEN = "written"
    TURN_TAKEN = "turn_taken"  # a duplicate of this webhook answered first
    REFERENCE_TAKEN = "reference_taken"  # draw another reference and write the step again


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

    def copy(self) -> LiveCall:
        """A shallow copy, as `dataclasses.replace` makes one, at a tenth of its cost (it
        looks up every field and calls `__init__`; twice a step)."""
        twin = object.__new__(LiveCall)
        twin.__dict__.update(self.__dict__)
        return twin


@dataclass
class ClosingCall:
    """The call row as the status callback needs it."""

    id: int
    state: dict[str, Any]
    outcome: str | None
    abandoned_menu: str | None
    ended_at: datetime | None
    duration_s: int | None


# The step's events as PostgreSQL inserts them from one JSON array parameter, for the
# call row the same statement wrote (the CTE `written`): one round trip for the row and
# its events, and no events when no row was written (a duplicate webhook, a turn taken).
# SQLite runs the row's statement, then `add_event` for each event.
_WITH_EVENTS = (
    "added AS (INSERT INTO call_events (call_id, at, kind, menu, key, prompt, detail) "
    "SELECT written.id, :at, e.x ->> 'kind', e.x ->> 'menu', e.x ->> 'key', e.x ->> 'prompt', "
    "NULLIF(e.x -> 'detail', 'null'::jsonb) "
    "FROM written, jsonb_array_elements(:events) WITH ORDINALITY AS e(x, n) ORDER BY e.n) "
)


def _with_events(row_statement: str, result: str) -> str:
    """`row_statement` (RETURNING id) as the CTE `written`, its events, then `result`."""
    return "WITH written AS (" + row_statement + "), " + _WITH_EVENTS + result


_INSERT_ANSWERED = (
    "INSERT INTO calls (call_sid, from_number, to_number, flow_version, state, turn, started_at, "
    "twilio_status, outcome, consent_at, consent_notice_version, dossier_reference, last_answer, "
    "last_fingerprint) VALUES (:sid, :from_number, :to_number, :flow_version, :state, :turn, "
    ":started_at, 'in-progress', :outcome, :consent_at, :notice, :reference, :answer, :fingerprint) "
    "ON CONFLICT (call_sid) DO NOTHING RETURNING id"
)
_ADVANCE_SET = (
    "UPDATE calls SET state = :state, turn = :turn, outcome = :outcome, consent_at = :consent_at, "
    "consent_notice_version = :notice, dossier_reference = :reference, last_answer = :answer, "
    "last_fingerprint = :fingerprint "
)
_ADVANCE = _ADVANCE_SET + "WHERE id = :id AND turn = :from_turn"
# PostgreSQL, a step that leaves a dossier: the draft's writes, then the call's update
# joined to the draft (`draft_rows`), then its events.
_ADVANCE_WITH_DRAFT = (
    "WITH " + DRAFT_CTES
    + "written AS (" + _ADVANCE_SET + "FROM draft WHERE calls.id = :id AND calls.turn = :from_turn "
    "RETURNING calls.id), " + _WITH_EVENTS + DRAFT_RESULT
)
_CLOSE = (
    "UPDATE calls SET twilio_status = :status, outcome = :outcome, abandoned_menu = :menu, "
    "ended_at = :ended_at, duration_s = :duration WHERE id = :id"
)
# The call is closed as this process last wrote it only if it still is: at the same turn,
# with the same outcome (a callback recorded elsewhere changes it), not closed yet.
_AS_KEPT = " AND turn = :turn AND ended_at IS NULL AND COALESCE(outcome, '') = COALESCE(:kept_outcome, '')"
_COUNT_WRITTEN = "SELECT count(*) FROM written"


def _writes_of_a_call(name: str, row_statement: str) -> dict[str, str]:
    """Statement `name` (it writes one call row or none), with its events in the same
    statement (`name_with_events`), and both again without setting the outcome
    (`name_keeping_outcome…`): SQLite rewrites an index entry for every indexed column
    an UPDATE sets, changed or not, and naming an unchanged outcome cost a step one more
    page written to the log (a seventh of all it wrote)."""
    keeping = row_statement.replace("outcome = :outcome, ", "")
    return {
        name: row_statement,
        name + "_with_events": _with_events(row_statement + " RETURNING id", _COUNT_WRITTEN),
        name + "_keeping_outcome": keeping,
        name + "_keeping_outcome_with_events": _with_events(keeping + " RETURNING id", _COUNT_WRITTEN),
    }


_SQL = Statements(
    load_call=(
        "SELECT id, call_sid, from_number, flow_version, state, turn, started_at, outcome, consent_at, "
        "consent_notice_version, dossier_reference, last_answer, last_fingerprint "
        "FROM calls WHERE call_sid = :sid"
    ),
    insert_call=(
        "INSERT INTO calls (call_sid, from_number, to_number, flow_version, state, turn, started_at, "
        "twilio_status) VALUES (:sid, :from_number, :to_number, :flow_version, :state, 0, :at, :status) "
        "ON CONFLICT (call_sid) DO NOTHING RETURNING id"
    ),
    insert_answered=_INSERT_ANSWERED,
    insert_answered_with_events=_with_events(_INSERT_ANSWERED, "SELECT id FROM written"),
    **_writes_of_a_call("advance", _ADVANCE),
    advance_with_draft=_ADVANCE_WITH_DRAFT,
    **_writes_of_a_call("close", _CLOSE),
    **_writes_of_a_call("close_kept", _CLOSE + _AS_KEPT),
    add_event=(
        "INSERT INTO call_events (call_id, at, kind, menu, key, prompt, detail) "
        "VALUES (:call_id, :at, :kind, :menu, :key, :prompt, :detail)"
    ),
    load_closing=(
        "SELECT id, state, outcome, abandoned_menu, ended_at, duration_s FROM calls WHERE call_sid = :sid"
    ),
    set_recording=(
        "UPDATE calls SET recording_url = COALESCE(:url, recording_url), outcome = :outcome WHERE id = :id"
    ),
    vessels_of_phone=(
        "SELECT id, registration_number, owner_name FROM vessels WHERE owner_phone = :phone LIMIT 2"
    ),
    vessel_by_number=(
        "SELECT id, registration_number, owner_name FROM vessels WHERE registration_number = :number"
    ),
)


class CallRows:
    """The voice path's statements inside the connection's current transaction."""

    def __init__(self, link: Link) -> None:
        self._raw = RawCursor(link, _SQL)
        self._d = self._raw.driver
        self._together = self._d.modifying_ctes  # a row and its events in one statement

    def load_call(self, call_sid: str) -> LiveCall | None:
        row = self._raw.one("load_call", {"sid": call_sid})
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
        row = self._raw.one("insert_call", {
            "sid": call_sid, "from_number": from_number, "to_number": to_number, "flow_version": flow_version,
            "state": self._d.json_in({}), "at": self._d.time_in(at), "status": status,
        })
        if row is None:
            return None
        return LiveCall(row[0], call_sid, from_number, flow_version, {}, 0, at, None, None, None, None)

    def insert_answered_call(self, call: LiveCall, *, to_number: str, events: list[Event]) -> int | None:
        """A new call, already answered (its first step settled on `call`), and its events:
        its id, or None when a call with this CallSid exists already."""
        params = {
            **self._answered(call), "sid": call.call_sid, "from_number": call.from_number,
            "to_number": to_number, "flow_version": call.flow_version,
            "started_at": self._d.time_in(call.started_at),
        }
        if self._together:
            row = self._raw.one("insert_answered_with_events", {**params, **self._events(events)})
            return None if row is None else int(row[0])
        row = self._raw.one("insert_answered", params)
        if row is None:
            return None
        self.add_events(row[0], events)
        return int(row[0])

    def advance_call(
        self, call: LiveCall, *, from_turn: int, events: list[Event], draft: PlannedDraft | None = None,
        outcome_changed: bool = True,
    ) -> Advance:
        """Store the call's new state, answer and events, only if nobody advanced it
        meanwhile; with `draft` (PostgreSQL), the dossier the step leaves too. The outcome
        is written only when `outcome_changed`."""
        params = {**self._answered(call), "id": call.id, "from_turn": from_turn}
        if draft is not None:
            if not self._together:
                raise RuntimeError("a draft goes with its step only where a statement writes several tables")
            guarded, written = self._raw.one("advance_with_draft", {
                **params, **self._events(events), **draft.params(),
            })
            if not guarded:
                return Advance.TURN_TAKEN
            return Advance.WRITTEN if written else Advance.REFERENCE_TAKEN
        written = self._write_with_events("advance", params, events, outcome_changed=outcome_changed)
        return Advance.WRITTEN if written else Advance.TURN_TAKEN

    def _write_with_events(
        self, name: str, params: dict[str, Any], events: Iterable[Event], *, outcome_changed: bool = True
    ) -> bool:
        """Statement `name` (`_writes_of_a_call`), which writes the call row `params["id"]`
        or nothing, and the events if it wrote: one statement on PostgreSQL
        (`name_with_events`), then one insert of the events on SQLite; without setting
        the outcome unless `outcome_changed`. Whether it wrote the row."""
        if not outcome_changed:
            name += "_keeping_outcome"
        if self._together:
            return bool(self._raw.one(name + "_with_events", {**params, **self._events(events)})[0] == 1)
        self._raw.execute(name, params)
        if self._raw.rowcount != 1:
            return False
        self.add_events(params["id"], events)
        return True

    def _answered(self, call: LiveCall) -> dict[str, Any]:
        d = self._d
        return {
            "state": d.json_in(call.state), "turn": call.turn, "outcome": call.outcome,
            "consent_at": d.time_in(call.consent_at), "notice": call.consent_notice_version,
            "reference": call.dossier_reference, "answer": call.last_answer,
            "fingerprint": call.last_fingerprint,
        }

    def _events(self, events: Iterable[Event]) -> dict[str, Any]:
        """The events as the PostgreSQL statements `_with_events` take them."""
        return {"at": self._d.time_in(utcnow()), "events": self._d.json_in([
            {"kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt, "detail": e.detail}
            for e in events
        ])}

    def add_events(self, call_id: int, events: Iterable[Event]) -> None:
        d = self._d
        at = d.time_in(utcnow())
        self._raw.many("add_event", [
            {"call_id": call_id, "at": at, "kind": e.kind, "menu": e.menu, "key": e.key, "prompt": e.prompt,
             "detail": d.json_in(e.detail)}
            for e in events
        ])

    def load_closing_call(self, call_sid: str) -> ClosingCall | None:
        row = self._raw.one("load_closing", {"sid": call_sid})
        if row is None:
            return None
        d = self._d
        return ClosingCall(row[0], d.json_out(row[1]) or {}, row[2], row[3], d.time_out(row[4]), row[5])

    def save_closing_call(self, call: ClosingCall, *, status: str, events: Iterable[Event] = ()) -> None:
        self._write_with_events("close", self._closing(call, status), events)

    def close_kept_call(
        self, call: ClosingCall, *, turn: int, kept_outcome: str | None, status: str, events: Iterable[Event]
    ) -> bool:
        """Close a call this process holds in memory (`LiveCalls`) without reading it
        first; False, and nothing written, when the row is no longer as it was kept."""
        params = {**self._closing(call, status), "turn": turn, "kept_outcome": kept_outcome}
        # The guard checks the outcome is still `kept_outcome`: a close that leaves it so
        # need not set it.
        changed = call.outcome != kept_outcome
        return self._write_with_events("close_kept", params, events, outcome_changed=changed)

    def _closing(self, call: ClosingCall, status: str) -> dict[str, Any]:
        return {
            "status": status, "outcome": call.outcome, "menu": call.abandoned_menu,
            "ended_at": self._d.time_in(call.ended_at), "duration": call.duration_s, "id": call.id,
        }

    def set_recording(self, call_id: int, *, url: str | None, outcome: str | None) -> None:
        self._raw.execute("set_recording", {"url": url, "outcome": outcome, "id": call_id})

    def vessels_of_phone(self, phone: str) -> list[VesselFact]:
        return [VesselFact(*row) for row in self._raw.all("vessels_of_phone", {"phone": phone})]

    def vessel_by_number(self, registration: str) -> VesselFact | None:
        row = self._raw.one("vessel_by_number", {"number": registration})
        return VesselFact(*row) if row else None
