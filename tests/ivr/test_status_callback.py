"""Twilio's status callback closes a call once, as the database has it, whichever worker
receives it.

A worker closes a call it holds in memory without reading it first (one guarded
statement); these cases are the ones where what it holds is no longer the truth.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.app import create_app
from ivr.settings import Settings
from models.call import Call, CallEvent
from tests.ivr.voice import VoiceCaller


def outcome_events(db: Session) -> list[CallEvent]:
    db.expire_all()
    return list(db.scalars(select(CallEvent).where(CallEvent.kind == "outcome")))


def test_a_call_another_worker_moved_on_is_abandoned_where_it_really_stood(
    client: TestClient, settings: Settings, db: Session
) -> None:
    with TestClient(create_app(settings)) as other:
        phone = VoiceCaller(client)
        phone.ring()  # this worker holds the call at the main menu
        phone.client = other
        phone.press("1")  # the other worker moves it to the licence menu
        phone.client = client
        phone.hang_up(20)  # the status callback reaches this worker
    call = db.scalars(select(Call)).one()
    assert (call.outcome, call.abandoned_menu, call.duration_s) == ("abandoned", "licence_variant", 20)
    assert [e.menu for e in outcome_events(db)] == ["licence_variant"]


def test_a_call_back_request_recorded_by_another_worker_is_not_overwritten(
    client: TestClient, settings: Settings, db: Session
) -> None:
    with TestClient(create_app(settings)) as other:
        phone = VoiceCaller(client)
        phone.ring()
        phone.client = other  # the caller's message after the beep reaches the other worker
        phone.post("/twilio/voice/recorded", RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE2",
                   RecordingDuration="9")
        phone.client = client
        phone.hang_up(40)
    call = db.scalars(select(Call)).one()
    assert call.outcome == "callback_requested" and call.abandoned_menu is None
    assert [e.detail["outcome"] for e in outcome_events(db) if e.detail] == ["callback_requested"]


def test_a_repeated_completed_callback_closes_the_call_once(client: TestClient, db: Session) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    phone.hang_up(30)
    first_end = db.scalars(select(Call.ended_at)).one()
    phone.hang_up(30)  # Twilio repeats a callback it got no answer to in time
    db.expire_all()
    call = db.scalars(select(Call)).one()
    assert (call.outcome, call.ended_at, call.duration_s) == ("abandoned", first_end, 30)
    assert len(outcome_events(db)) == 1
