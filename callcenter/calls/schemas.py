"""What the API returns for calls (contract section 5), as JSON and as CSV."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from callcenter.calls.repository import CallRow
from callcenter.csv_export import csv_text
from models.call import Call, CallEvent
from models.queue import QueueEntry

CSV_COLUMNS = (
    "call_sid", "from", "to", "started_at", "ended_at", "duration_s", "outcome",
    "abandoned_menu", "dossier_reference", "applicant_name",
)


class CallFields(BaseModel):
    """What a call row and a call's page both show."""

    call_sid: str
    from_: str = Field(serialization_alias="from")
    to: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: int | None
    outcome: str | None
    abandoned_menu: str | None
    dossier_reference: str | None


def _call_fields(c: Call) -> dict[str, Any]:
    return {
        "call_sid": c.call_sid, "from_": c.from_number, "to": c.to_number, "started_at": c.started_at,
        "ended_at": c.ended_at, "duration_s": c.duration_s, "outcome": c.outcome,
        "abandoned_menu": c.abandoned_menu, "dossier_reference": c.dossier_reference,
    }


class CallSummary(CallFields):
    applicant_name: str | None

    @classmethod
    def from_row(cls, row: CallRow) -> CallSummary:
        return cls(**_call_fields(row.call), applicant_name=row.applicant_name)


class ConsentOut(BaseModel):
    notice_version: str | None
    at: datetime | None


class CallEventOut(BaseModel):
    at: datetime
    kind: str
    menu: str | None
    key: str | None
    prompt: str | None
    detail: dict[str, Any] | None


class QueueOut(BaseModel):
    """The caller's time in the operators' queue (contract section 8)."""

    joined_at: datetime
    left_at: datetime | None
    wait_s: int | None
    result: str


class WrapUpOut(BaseModel):
    code: str | None
    note: str | None
    by: str | None
    at: datetime | None


class CallDetail(CallFields):
    flow_version: str
    consent: ConsentOut
    events: list[CallEventOut]
    queue: QueueOut | None = None
    answered_by: str | None = None
    wrap_up: WrapUpOut | None = None

    @classmethod
    def from_call(cls, c: Call, entry: QueueEntry | None = None) -> CallDetail:
        return cls(
            **_call_fields(c),
            flow_version=c.flow_version,
            consent=ConsentOut(notice_version=c.consent_notice_version, at=c.consent_at),
            events=[_event(e) for e in c.events],
            queue=QueueOut(joined_at=entry.joined_at, left_at=entry.left_at, wait_s=entry.wait_s,
                           result=entry.result) if entry is not None else None,
            answered_by=entry.answered_by if entry is not None else None,
            wrap_up=WrapUpOut(code=entry.wrap_up_code, note=entry.wrap_up_note, by=entry.wrap_up_by,
                              at=entry.wrap_up_at) if entry is not None and entry.wrap_up_code else None,
        )


def _event(e: CallEvent) -> CallEventOut:
    return CallEventOut(at=e.at, kind=e.kind, menu=e.menu, key=e.key, prompt=e.prompt, detail=e.detail)


def calls_csv(calls: Iterable[CallSummary]) -> str:
    """The JSON rows as CSV (`callcenter.csv_export`)."""
    rows = (c.model_dump(mode="json", by_alias=True) for c in calls)
    return csv_text(CSV_COLUMNS, ([row[name] for name in CSV_COLUMNS] for row in rows))
