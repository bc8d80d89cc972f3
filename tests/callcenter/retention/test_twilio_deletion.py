"""A recording past its days is deleted at Twilio, not only unlinked here: once per
recording, whatever Twilio does in between. Twilio is faked at the HTTP layer
(`FakeTwilioRecordings`) with the answers its REST API documents; everything else is real.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.attachments.storage import FolderStore
from callcenter.outbox.service import retry_failed
from callcenter.outbox.worker import OutboxWorker
from callcenter.retention.recordings import RECORDING_DELETE, TwilioRecording, twilio_recording
from callcenter.retention.service import RetentionReport, apply_retention
from ivr.settings import RetentionPolicy, Settings
from models.call import Call
from models.callback import CallbackRequest
from models.outbox import OutboxEntry
from tests.callcenter.outbox.helpers import FakeClock
from tests.callcenter.reports.builders import make_call
from tests.callcenter.retention.conftest import (
    ACCOUNT_SID,
    NOW,
    FakeTwilioRecordings,
    recording_url,
    worker_for,
)

POLICY = RetentionPolicy(recording_days=30, personal_days=365)
SUBACCOUNT_SID = "AC" + "2" * 32
MESSAGE = "RE" + "a" * 32  # a voice message: on the call and on its call-back request
OTHER = "RE" + "b" * 32  # another caller's, recorded under a subaccount
RECENT = "RE" + "c" * 32  # within its days: stays everywhere
DEMO_LINK = "https://hotline.example.vn/demo/recordings/voicemail-1.mp3"


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "attachments")


def seed(db: Session) -> None:
    old, recent = NOW - timedelta(days=60), NOW - timedelta(days=5)
    call = make_call(db, "CA-message", path=[("main", None)], outcome="callback_requested", started_at=old,
                     recording_url=recording_url(MESSAGE))
    db.add(CallbackRequest(call_id=call.id, phone="+84905123456", reason="voice_message", requested_at=old,
                           recording_url=recording_url(MESSAGE), status="open", attempts=0, created_at=old))
    make_call(db, "CA-other", path=[("main", None)], outcome="callback_requested", started_at=old,
              recording_url=recording_url(OTHER, SUBACCOUNT_SID) + ".mp3")
    make_call(db, "CA-demo", path=[("main", None)], outcome="callback_requested", started_at=old,
              recording_url=DEMO_LINK)
    make_call(db, "CA-recent", path=[("main", None)], outcome="callback_requested", started_at=recent,
              recording_url=recording_url(RECENT))
    db.commit()


def run(db: Session, store: FolderStore, *, dry_run: bool = False) -> RetentionReport:
    report = apply_retention(db, policy=POLICY, now=NOW, dry_run=dry_run, store=store)
    db.commit()
    return report


def entries(db: Session) -> list[OutboxEntry]:
    db.expire_all()
    return list(db.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def test_twilio_recording_links_are_recognised_and_others_are_not() -> None:
    assert twilio_recording(recording_url(MESSAGE)) == TwilioRecording(ACCOUNT_SID, MESSAGE)
    assert twilio_recording(recording_url(OTHER, SUBACCOUNT_SID) + ".wav") == TwilioRecording(SUBACCOUNT_SID, OTHER)
    for other in (DEMO_LINK, "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                  recording_url(MESSAGE).replace("api.twilio.com", "twilio.example.com"),
                  recording_url(MESSAGE) + "/Transcriptions"):
        assert twilio_recording(other) is None, other


def test_a_run_queues_one_deletion_per_recording_and_a_later_run_none_again(
    db: Session, store: FolderStore
) -> None:
    seed(db)
    report = run(db, store)
    assert (report.recordings_removed, report.callback_recordings_removed) == (3, 1)
    assert (report.twilio_deletions_queued, report.recording_links_elsewhere) == (2, 1)
    queued = entries(db)
    assert sorted([(e.kind, e.status, e.payload) for e in queued], key=str) == [
        (RECORDING_DELETE, "pending", {"account_sid": ACCOUNT_SID, "recording_sid": MESSAGE}),
        (RECORDING_DELETE, "pending", {"account_sid": SUBACCOUNT_SID, "recording_sid": OTHER}),
    ]
    assert db.scalar(select(Call.recording_url).where(Call.call_sid == "CA-recent")) == recording_url(RECENT)

    # The same message linked again from a row the first run did not reach (a copy
    # restored from a backup): unlinked, but its deletion is queued already.
    db.add(CallbackRequest(phone="+84905123456", reason="voice_message", requested_at=NOW - timedelta(days=60),
                           recording_url=recording_url(MESSAGE), status="done", attempts=1,
                           created_at=NOW - timedelta(days=60)))
    db.commit()
    again = run(db, store)
    assert (again.callback_recordings_removed, again.twilio_deletions_queued,
            again.twilio_deletions_already_queued) == (1, 0, 1)
    assert len(entries(db)) == 2


def test_a_dry_run_counts_the_deletions_and_queues_none(db: Session, store: FolderStore) -> None:
    seed(db)
    report = run(db, store, dry_run=True)
    assert (report.twilio_deletions_queued, report.recording_links_elsewhere) == (2, 1)
    assert entries(db) == []
    assert db.scalar(select(Call.recording_url).where(Call.call_sid == "CA-message")) == recording_url(MESSAGE)


def test_the_worker_deletes_each_recording_at_twilio_as_its_api_expects(
    db: Session, store: FolderStore, worker: OutboxWorker, twilio: FakeTwilioRecordings, twilio_settings: Settings
) -> None:
    twilio.held = {MESSAGE, OTHER, RECENT}
    seed(db)
    run(db, store)
    assert worker.drain().done == 2

    assert sorted((r.method, r.url.path) for r in twilio.requests) == [
        ("DELETE", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{MESSAGE}.json"),
        ("DELETE", f"/2010-04-01/Accounts/{SUBACCOUNT_SID}/Recordings/{OTHER}.json"),
    ]
    for request in twilio.requests:  # a subaccount's recording too: our account's credentials
        assert str(request.url).startswith("https://twilio.test/")  # TWILIO_API_BASE_URL
        scheme, _, credentials = request.headers["Authorization"].partition(" ")
        assert scheme == "Basic"
        assert base64.b64decode(credentials).decode() == f"{ACCOUNT_SID}:{twilio_settings.twilio_auth_token}"
    assert twilio.held == {RECENT}, "only the recording within its days is still at Twilio"
    assert [e.status for e in entries(db)] == ["done", "done"]


def test_a_recording_already_gone_at_twilio_counts_as_deleted(
    db: Session, store: FolderStore, worker: OutboxWorker, twilio: FakeTwilioRecordings
) -> None:
    seed(db)  # Twilio holds none of them: deleted by hand in its console, say
    run(db, store)
    assert worker.drain().done == 2
    assert [e.status for e in entries(db)] == ["done", "done"]
    assert len(twilio.requests) == 2


def test_twilio_unwell_or_refusing_our_credentials_is_retried_until_it_deletes(
    db: Session, store: FolderStore, worker: OutboxWorker, twilio: FakeTwilioRecordings, clock: FakeClock
) -> None:
    twilio.held = {MESSAGE}
    db.add(Call(call_sid="CA-message", from_number="+84905123456", to_number="+842553818558",
                flow_version="2026-11-23", started_at=NOW - timedelta(days=60), state={},
                recording_url=recording_url(MESSAGE)))
    db.commit()
    run(db, store)
    twilio.script = [500, httpx.ReadTimeout("timed out"), 401]
    for _ in range(3):
        assert worker.drain().retry == 1
        entry = entries(db)[0]
        assert entry.status == "pending" and "Twilio" in (entry.last_error or "")
        clock.now = entry.next_attempt_at
    assert worker.drain().done == 1
    entry = entries(db)[0]
    assert (entry.status, entry.attempts) == ("done", 4)
    assert twilio.held == set() and len(twilio.requests) == 4


def test_without_credentials_deletions_wait_then_fail_visibly_and_a_retry_deletes(
    db: Session, store: FolderStore, engine: Engine, settings: Settings, twilio: FakeTwilioRecordings,
    twilio_settings: Settings, clock: FakeClock,
) -> None:
    assert not settings.twilio_api_enabled  # a demo: no TWILIO_ACCOUNT_SID
    twilio.held = {MESSAGE, OTHER}
    seed(db)
    run(db, store)
    demo, context = worker_for(engine, settings, twilio, clock)
    try:
        for _ in range(12):
            demo.drain()
            clock.now = max(clock.now, entries(db)[0].next_attempt_at, entries(db)[1].next_attempt_at)
    finally:
        context.close()
    assert twilio.requests == []
    failed = entries(db)
    assert [(e.status, e.attempts) for e in failed] == [("failed", 12), ("failed", 12)]
    assert all("chưa cấu hình tài khoản Twilio" in (e.last_error or "") for e in failed)

    # Credentials configured, a supervisor retries: the audio goes.
    for entry in failed:
        retry_failed(db, entry_id=entry.id, now=clock.now)
    db.commit()
    configured, context = worker_for(engine, twilio_settings, twilio, clock)
    try:
        assert configured.drain().done == 2
    finally:
        context.close()
    assert twilio.held == set()
