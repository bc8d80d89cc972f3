"""The operators' "Cần gọi lại" list keeps the hotline's promises: a caller's request (a
voice message out of hours, a caller who left the queue) stays on it until the call-back
reaches them or, after the configured attempts, they are marked unreachable.

Twilio is faked at the HTTP layer (its Calls API, with its documented answer); its
webhooks are signed as Twilio signs them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.app import create_app
from callcenter.callbacks.dialer import get_twilio_http
from ivr.settings import CallbacksConfig, Settings
from models.audit import AuditEntry
from models.base import utcnow
from models.call import Call
from models.callback import CallbackAttempt, CallbackRequest
from models.user import User
from models.vessel import Vessel
from tests.callcenter.console.conftest import BASE, CALLER, csrf_of, log_in
from tests.callcenter.console.test_callbacks import ACCOUNT_SID, FROM_NUMBER, FakeTwilioCalls
from tests.conftest import twilio_post

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "5" * 32


def make_request(db: Session, *, phone: str = CALLER, vessel: str | None = "QNg-90567-TS",
                 hours_ago: float = 14, **values: object) -> CallbackRequest:
    at = utcnow() - timedelta(hours=hours_ago)
    call = Call(call_sid=f"CA{phone[-9:]}{int(hours_ago * 100):04d}".ljust(34, "0"), from_number=phone,
                flow_version="2026-11-23.1", started_at=at, outcome="callback_requested")
    db.add(call)
    db.flush()
    request = CallbackRequest(call_id=call.id, phone=phone, vessel_registration=vessel, reason="voice_message",
                              requested_at=at, recording_url=RECORDING, recording_duration_s=23, **values)
    db.add(request)
    db.commit()
    return request


@pytest.fixture
def twilio_app(settings: Settings, db: Session, fake_twilio: FakeTwilioCalls) -> FastAPI:
    app = create_app(settings.model_copy(update={
        "twilio_account_sid": ACCOUNT_SID, "twilio_from_number": FROM_NUMBER,
        "twilio_api_base_url": "https://twilio.test", "callbacks": CallbacksConfig(max_attempts=2),
    }))

    def http() -> Iterator[httpx.Client]:
        with httpx.Client(transport=httpx.MockTransport(fake_twilio)) as client:
            yield client

    app.dependency_overrides[get_twilio_http] = http
    return app


@pytest.fixture
def fake_twilio() -> FakeTwilioCalls:
    return FakeTwilioCalls()


@pytest.fixture
def twilio_client(twilio_app: FastAPI, operator: User) -> Iterator[TestClient]:
    with TestClient(twilio_app, base_url=BASE) as client:
        log_in(client, operator.username)
        yield client


def _press(client: TestClient, request_id: int, action: str, **form: str) -> httpx.Response:
    page = client.get("/console/callbacks").text
    return client.post(f"/console/callbacks/{request_id}/{action}", data={"csrf_token": csrf_of(page), **form})


def _listed(client: TestClient, request_id: int) -> bool:
    return f'data-request="{request_id}"' in client.get("/console/callbacks").text


def test_a_voice_message_is_listed_with_everything_needed_to_call_back(
    operator_client: TestClient, vessel: Vessel, db: Session
) -> None:
    older = make_request(db, hours_ago=14)
    newer = make_request(db, phone="+84987654321", vessel=None, hours_ago=2)
    make_request(db, phone="+84911111111", hours_ago=20, status="done")  # kept, but not owed any more
    page = operator_client.get("/console/callbacks").text
    assert page.index(f'data-request="{older.id}"') < page.index(f'data-request="{newer.id}"')  # oldest first
    assert "0911 111 111" not in page
    item = page[page.index(f'data-request="{older.id}"'):page.index(f'data-request="{newer.id}"')]
    assert "0905 123 456" in item and "Nguyễn Văn Tàu" in item and "QNg-90567-TS" in item
    assert f'<audio controls preload="none" src="{RECORDING}"' in item and "23 giây" in item
    assert "Để lại lời nhắn ngoài giờ" in item and "Gọi lại</button>" in item
    assert "Chưa rõ tàu" in page[page.index(f'data-request="{newer.id}"'):]


def test_a_call_back_rings_the_operator_then_the_caller_and_reaching_them_closes_the_request(
    twilio_client: TestClient, fake_twilio: FakeTwilioCalls, vessel: Vessel, db: Session
) -> None:
    request = make_request(db)
    answer = _press(twilio_client, request.id, "call")
    assert "Đang gọi vào máy của bạn" in answer.text
    assert fake_twilio.forms[0]["To"] == "+84912000111"  # the operator's phone first
    attempt = db.scalars(select(CallbackAttempt)).one()
    assert (attempt.request_id, attempt.dossier_id, attempt.fisher_number) == (request.id, None, CALLER)
    hook = f"/twilio/voice/callback/{attempt.id}"
    twiml = twilio_post(twilio_client, hook, {"CallSid": "CA" + "7" * 32, "CallStatus": "in-progress"}).text
    assert f"<Number>{CALLER}</Number>" in twiml and "đề nghị tổng đài gọi lại" in twiml
    assert _listed(twilio_client, request.id)  # ringing: still owed
    twilio_post(twilio_client, hook + "/dialed", {"CallSid": "CA" + "7" * 32, "DialCallStatus": "completed"})
    db.refresh(request)
    assert (request.status, request.closed_by, request.attempts) == ("done", "vana", 1)
    assert not _listed(twilio_client, request.id)


def test_unanswered_call_backs_close_the_request_as_unreachable_after_the_configured_attempts(
    twilio_client: TestClient, vessel: Vessel, db: Session
) -> None:
    request = make_request(db)
    _press(twilio_client, request.id, "call")  # the operator's own phone is not picked up
    attempt = db.scalars(select(CallbackAttempt)).one()
    twilio_post(twilio_client, f"/twilio/voice/callback/{attempt.id}/status", {"CallStatus": "no-answer"})
    db.refresh(request)
    assert request.status == "open"  # the caller was never rung: it does not count against them
    for round_ in (1, 2):
        _press(twilio_client, request.id, "call")
        attempt = db.scalars(select(CallbackAttempt).order_by(CallbackAttempt.id.desc())).first()
        assert attempt is not None
        twilio_post(twilio_client, f"/twilio/voice/callback/{attempt.id}/dialed", {"DialCallStatus": "no-answer"})
        db.refresh(request)
        if round_ == 1:
            assert request.status == "open" and _listed(twilio_client, request.id)
            assert "Đã gọi 2/2 lần" in twilio_client.get("/console/callbacks").text
            assert attempt.next_attempt_at is None  # a request is on its own list, not "due again"
    assert request.status == "unreachable" and not _listed(twilio_client, request.id)


def test_without_twilio_the_operator_calls_by_hand_and_says_how_it_ended(
    operator_client: TestClient, vessel: Vessel, db: Session, settings: Settings
) -> None:
    reached, missing = make_request(db, hours_ago=3), make_request(db, phone="+84987654321", hours_ago=2)
    told = _press(operator_client, reached.id, "call")
    assert "chưa được cấu hình để gọi ra" in told.text
    refused = _press(operator_client, missing.id, "close", status="unreachable")  # not tried enough yet
    assert "Chưa đủ số lần gọi" in refused.text and _listed(operator_client, missing.id)
    done = _press(operator_client, reached.id, "close", status="done")
    assert "đã gọi lại được" in done.text and not _listed(operator_client, reached.id)
    for _ in range(settings.callbacks.max_attempts):
        _press(operator_client, missing.id, "call")
    page = operator_client.get("/console/callbacks").text
    assert "Không liên lạc được</button>" in page
    _press(operator_client, missing.id, "close", status="unreachable")
    db.expire_all()
    assert db.get(CallbackRequest, missing.id).status == "unreachable"  # type: ignore[union-attr]
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "callback_done" in actions and "callback_unreachable" in actions
