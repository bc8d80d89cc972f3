"""Every "we will call you back" the hotline says becomes one open call-back request."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.call import Call, CallEvent
from models.callback import CallbackRequest
from models.vessel import Vessel
from tests.ivr.voice import VoiceCaller

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"


def test_the_promise_is_kept_when_it_is_made_even_if_no_message_follows(
    client: TestClient, settings: Settings, db: Session, registry: list[Vessel]
) -> None:
    settings.hotline_force = "closed"
    phone = VoiceCaller(client, caller="+84905123456")
    phone.ring()
    offer = phone.keys("1", "1", "0")  # licence, first issue, then a person: out of hours
    assert "Record" in offer.verbs()
    phone.hang_up(40)  # gone before the beep

    request = db.scalars(select(CallbackRequest)).one()
    call = db.scalars(select(Call)).one()
    assert (request.call_id, request.phone, request.reason, request.status) == (
        call.id, "+84905123456", "voice_message", "open",
    )
    assert request.requested_at == call.started_at and request.recording_url is None
    assert call.outcome == "callback_requested"


def test_the_message_after_the_beep_joins_the_promise_with_its_recording(
    client: TestClient, settings: Settings, db: Session
) -> None:
    settings.hotline_force = "closed"
    phone = VoiceCaller(client)
    phone.ring()
    offer = phone.press("0")
    record = offer.root.find("Record")
    assert record is not None
    thanks = phone.post(str(record.get("action")), RecordingUrl=RECORDING, RecordingDuration="12")
    assert "ghi lại lời nhắn" in thanks.said()
    phone.post(str(record.get("action")), RecordingUrl=RECORDING, RecordingDuration="12")  # Twilio repeats

    request = db.scalars(select(CallbackRequest)).one()
    assert (request.recording_url, request.recording_duration_s, request.phone) == (RECORDING, 12, phone.caller)


def test_a_message_for_a_call_the_database_never_saw_is_kept_not_lost(client: TestClient, db: Session) -> None:
    # The call's first webhook failed on the database; the caller heard the apology and
    # left a message: it must reach the operators, with the call it came from.
    phone = VoiceCaller(client, sid="CA" + "9" * 32, caller="+84905000999")
    thanks = phone.post("/twilio/voice/recorded", RecordingUrl=RECORDING, RecordingDuration="20")

    assert "ghi lại lời nhắn" in thanks.said()
    call = db.scalars(select(Call).where(Call.call_sid == phone.sid)).one()
    assert call.outcome == "callback_requested" and call.recording_url == RECORDING
    request = db.scalars(select(CallbackRequest)).one()
    assert (request.call_id, request.phone, request.recording_url) == (call.id, "+84905000999", RECORDING)
    noted = db.scalars(select(CallEvent).where(CallEvent.call_id == call.id)).one()
    assert noted.kind == "callback" and noted.detail == {
        "recording": True, "recording_duration_s": 20, "request_id": request.id,
    }
