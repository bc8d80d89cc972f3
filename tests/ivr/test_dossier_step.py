"""The step that leaves a dossier: everything it writes, or nothing, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

import ivr.calls.service as voice_service
import ivr.intake.drafts as drafts
from ivr.flow.state import Digits
from ivr.settings import Settings
from models.call import Call, CallEvent
from models.dossier import Dossier, DossierEvent
from models.message import Message
from models.outbox import OutboxEntry
from models.vessel import Vessel
from tests.ivr.voice import VoiceCaller

DIGIT_WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def spoken(reference: str) -> str:
    return ", ".join(DIGIT_WORDS[int(d)] for d in reference)


def rows(db: Session, model: type) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def draws(monkeypatch: pytest.MonkeyPatch, *references: str) -> None:
    """The next dossier references drawn, in order."""
    drawn: Iterator[str] = iter(references)
    monkeypatch.setattr(drafts, "new_reference", lambda: next(drawn))


def at_confirmation(client: TestClient, **caller: str) -> VoiceCaller:
    """A call at its last key: safety certificate, vessel 90567 confirmed."""
    phone = VoiceCaller(client, **caller)
    phone.ring()
    phone.keys("2", "90567", "1")
    return phone


def test_a_reference_another_dossier_holds_is_drawn_again_and_the_caller_hears_the_new_one(
    client: TestClient, db: Session, registry: list[Vessel], monkeypatch: pytest.MonkeyPatch
) -> None:
    draws(monkeypatch, "123456")
    at_confirmation(client, sid="CA" + "2" * 32).press("1")  # this caller's dossier holds 123456

    draws(monkeypatch, "123456", "654321")
    phone = at_confirmation(client)
    done = phone.press("1")

    assert spoken("654321") in done.said() and spoken("123456") not in done.said()
    dossier = db.scalars(select(Dossier).where(Dossier.call_sid == phone.sid)).one()
    assert dossier.reference == "654321" and dossier.vessel_verified
    assert [line.what for line in dossier.history] == ["Tạo hồ sơ nháp qua tổng đài tự động"]
    call = db.scalars(select(Call).where(Call.call_sid == phone.sid)).one()
    assert call.dossier_reference == "654321" and call.outcome == "dossier_created"
    noted = db.scalars(select(CallEvent).where(CallEvent.call_id == call.id, CallEvent.kind == "dossier")).all()
    assert [e.detail for e in noted] == [{"reference": "654321"}]
    receipts = db.scalars(select(Message.body).where(Message.dossier_id == dossier.id)).all()
    assert len(receipts) == 1 and "654321" in receipts[0]
    assert rows(db, Dossier) == 2 and rows(db, Message) == 2 and rows(db, DossierEvent) == 2


@pytest.mark.slow
def test_a_confirmation_that_waits_for_a_duplicate_already_answering_leaves_no_second_dossier(
    client: TestClient, db: Session, engine: Engine, registry: list[Vessel]
) -> None:
    # Twilio's retry reached another worker, which is writing this very step: it holds
    # the call's row. When it commits, this webhook must find the turn taken and give
    # that worker's answer, with no draft of its own left behind.
    phone = at_confirmation(client)
    confirm_url = phone.answers[-1].next_url()
    theirs = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>other worker</Say><Hangup/></Response>'
    other = engine.connect()
    other.execute(text(
        "UPDATE calls SET turn = turn + 1, last_answer = :answer, last_fingerprint = :fp WHERE call_sid = :sid"
    ), {"answer": theirs, "fp": voice_service.fingerprint(Digits("1")), "sid": phone.sid})
    commit_later = threading.Timer(0.5, other.commit)
    commit_later.start()
    try:
        answer = phone.post(confirm_url, Digits="1")
    finally:
        commit_later.join()
        other.close()

    assert answer.text == theirs
    assert rows(db, Dossier) == 0 and rows(db, Message) == 0 and rows(db, DossierEvent) == 0
    assert not db.scalars(select(CallEvent).where(CallEvent.kind == "dossier")).all()


def test_a_withheld_number_leaves_a_dossier_without_a_receipt(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    done = at_confirmation(client, caller="anonymous").press("1")
    dossier = db.scalars(select(Dossier)).one()
    assert spoken(dossier.reference) in done.said()
    assert dossier.applicant_phone is None and dossier.vessel_verified
    assert rows(db, Message) == 0 and rows(db, OutboxEntry) == 0


def test_with_sending_on_the_receipt_is_queued_for_the_outbox(
    settings: Settings, db: Session, registry: list[Vessel]
) -> None:
    from callcenter.app import create_app

    settings.twilio_account_sid = "AC" + "0" * 32
    settings.twilio_from_number = "+842553818558"
    with TestClient(create_app(settings)) as client:
        at_confirmation(client).press("1")
    message = db.scalars(select(Message)).one()
    entry = db.scalars(select(OutboxEntry)).one()
    assert message.status == "queued" and message.to_number == "+84987654321"
    assert (entry.kind, entry.idempotency_key, entry.payload, entry.status) == (
        "sms.send", f"sms:{message.id}", {"message_id": message.id}, "pending",
    )


def test_a_vessel_gone_from_the_registry_before_the_confirmation_goes_on_unverified(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    phone = at_confirmation(client)
    db.execute(delete(Vessel).where(Vessel.registration_number == "QNg-90567-TS"))
    db.commit()
    phone.press("1")
    dossier = db.scalars(select(Dossier)).one()
    assert (dossier.vessel_id, dossier.vessel_verified, dossier.vessel_registration) == (
        None, False, "QNg-90567-TS",
    )
    assert dossier.applicant_name is None
    body = db.scalars(select(Message.body)).one()
    assert "QNg-90567-TS (se kiem tra so tau)" in body and dossier.reference in body


def test_the_owner_calling_about_their_own_vessel_is_named_on_the_draft(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    phone = VoiceCaller(client, caller="+84905123456")
    phone.ring()
    phone.keys("2", "1", "1")  # the vessel offered by caller ID, confirmed
    owner_called = db.scalars(select(Dossier)).one()
    assert owner_called.applicant_name == "Nguyễn Văn Tàu"
