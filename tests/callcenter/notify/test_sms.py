"""An SMS queued for a fisher reaches Twilio once, whatever Twilio does in between."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.outbox.service import retry_failed
from callcenter.outbox.worker import OutboxWorker
from ivr.intake.messages import queue_sms
from ivr.settings import Settings
from models.message import Message
from models.outbox import OutboxEntry
from tests.callcenter.notify.conftest import ACCOUNT_SID, FROM_NUMBER, FakeTwilio
from tests.callcenter.outbox.helpers import FakeClock

FISHER = "+84905123456"


def queue(db: Session, settings: Settings, body: str, clock: FakeClock) -> Message:
    message_id = queue_sms(db, to=FISHER, body=body, dossier_id=None,
                           sending_enabled=settings.twilio_sending_enabled)
    for entry in db.scalars(select(OutboxEntry)):
        entry.next_attempt_at = clock.now  # the test's clock, not the wall clock
    db.commit()
    return db.get_one(Message, message_id)


def outbox_entry(db: Session) -> OutboxEntry:
    db.expire_all()
    return db.scalars(select(OutboxEntry)).one()


def test_twilio_accepts_and_the_message_is_sent(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    message = queue(db, sms_settings, "Ma ho so cua ban la 472915", clock)
    assert worker.drain().done == 1

    request = twilio.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"https://twilio.test/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.headers["Authorization"].startswith("Basic ")
    assert twilio.form(0) == {"To": FISHER, "From": FROM_NUMBER, "Body": "Ma ho so cua ban la 472915"}
    db.refresh(message)
    assert (message.status, message.twilio_sid, message.from_number) == ("sent", f"SM{1:032x}", FROM_NUMBER)


def test_twilio_down_for_a_while_then_the_message_goes_exactly_once(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    twilio.script = [503, 503, httpx.ConnectError("connection refused"), 503, 201]
    message = queue(db, sms_settings, "Ma ho so cua ban la 472915", clock)

    waits = []
    for _ in range(4):
        assert worker.drain().retry == 1
        entry = outbox_entry(db)
        waits.append(entry.next_attempt_at - clock.now)
        clock.now = entry.next_attempt_at
    assert worker.drain().done == 1
    assert worker.drain().handled == 0

    assert waits == sorted(waits) and len(set(waits)) == 4, waits
    entry = outbox_entry(db)
    assert (entry.status, entry.attempts) == ("done", 5)
    assert len(twilio.requests) == 5 and len(twilio.accepted) == 1
    db.refresh(message)
    assert message.status == "sent"


def test_an_invalid_number_fails_at_once_with_twilios_reason(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    twilio.script = [400]
    message = queue(db, sms_settings, "Ma ho so cua ban la 472915", clock)
    assert worker.drain().failed == 1

    entry = outbox_entry(db)
    db.refresh(message)
    assert (entry.status, entry.attempts, message.status) == ("failed", 1, "failed")
    assert message.error == entry.last_error
    assert "21211" in (message.error or "") and "not a valid phone number" in (message.error or "")
    assert FISHER not in (message.error or ""), "the number is masked in what supervisors read"
    assert len(twilio.requests) == 1


def test_a_supervisor_retry_sends_a_failed_message(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    twilio.script = [400, 201]
    message = queue(db, sms_settings, "Ma ho so cua ban la 472915", clock)
    worker.drain()
    retry_failed(db, entry_id=outbox_entry(db).id, now=clock.now)
    db.commit()
    db.refresh(message)
    assert (message.status, message.error) == ("queued", None)

    assert worker.drain().done == 1
    db.refresh(message)
    assert message.status == "sent"


def test_twilio_down_past_every_attempt_fails_the_message(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    twilio.script = [500]
    message = queue(db, sms_settings, "Ma ho so cua ban la 472915", clock)
    for _ in range(12):
        worker.drain()
        clock.now = outbox_entry(db).next_attempt_at
    entry = outbox_entry(db)
    db.refresh(message)
    assert (entry.status, entry.attempts, message.status) == ("failed", 12, "failed")
    assert "HTTP 500" in (message.error or "")
    assert len(twilio.requests) == 12


def test_without_credentials_the_message_is_recorded_and_nothing_is_sent(
    db: Session, settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    assert not settings.twilio_sending_enabled
    message = queue(db, settings, "Ma ho so cua ban la 472915", clock)
    assert worker.drain().handled == 0
    db.refresh(message)
    assert message.status == "recorded"
    assert db.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    assert twilio.requests == []


def test_a_message_twilio_already_took_is_not_sent_again(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    # The worker died after Twilio accepted but before "done" was written.
    message = queue(db, sms_settings, "Ma ho so cua ban la 472915", clock)
    message.status, message.twilio_sid = "sent", "SM" + "a" * 32
    db.commit()
    assert worker.drain().done == 1
    assert twilio.requests == []


def test_a_long_vietnamese_receipt_goes_without_diacritics_in_one_segment(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    body = "Hồ sơ cấp lại giấy phép khai thác thủy sản của tàu QNg-90567-TS đã được tiếp nhận. Mã hồ sơ: 472915."
    message = queue(db, sms_settings, body, clock)
    worker.drain()
    sent = "Ho so cap lai giay phep khai thac thuy san cua tau QNg-90567-TS da duoc tiep nhan. Ma ho so: 472915."
    assert twilio.form(0)["Body"] == sent
    db.refresh(message)
    assert message.body == sent, "the record shows what the fisher actually received"


def test_a_short_vietnamese_message_keeps_its_diacritics(
    db: Session, sms_settings: Settings, worker: OutboxWorker, twilio: FakeTwilio, clock: FakeClock
) -> None:
    message = queue(db, sms_settings, "Mã hồ sơ của ông/bà: 472915", clock)
    worker.drain()
    assert twilio.form(0)["Body"] == "Mã hồ sơ của ông/bà: 472915"
    db.refresh(message)
    assert message.body == "Mã hồ sơ của ông/bà: 472915"
