"""Call-backs: Twilio faked at the HTTP layer, its webhooks signed like Twilio signs them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.app import create_app
from callcenter.callbacks.dialer import get_twilio_http
from ivr.settings import Settings
from models.audit import AuditEntry
from models.base import utcnow
from models.callback import CallbackAttempt
from models.user import User
from tests.callcenter.console.conftest import BASE, CALLER, MakeDraft, csrf_of, log_in
from tests.conftest import PUBLIC_BASE, twilio_post

ACCOUNT_SID = "AC" + "0" * 32
FROM_NUMBER = "+842553818558"


class FakeTwilioCalls:
    """Twilio's Calls API: answers each POST with the scripted status."""

    def __init__(self) -> None:
        self.status = 201
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.forms.append(form)
        assert request.url.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
        if self.status != 201:
            return httpx.Response(self.status, json={"code": 21211, "status": self.status, "message": "invalid"})
        # Each call its own SID, as Twilio gives them (the first one known to the tests).
        sid = "CA" + ("7" * 32 if len(self.forms) == 1 else f"{len(self.forms):032d}")
        return httpx.Response(201, json={"sid": sid, "status": "queued", "to": form["To"]})


@pytest.fixture
def fake_twilio() -> FakeTwilioCalls:
    return FakeTwilioCalls()


@pytest.fixture
def twilio_app(settings: Settings, db: Session, fake_twilio: FakeTwilioCalls) -> FastAPI:
    app = create_app(settings.model_copy(update={
        "twilio_account_sid": ACCOUNT_SID, "twilio_from_number": FROM_NUMBER,
        "twilio_api_base_url": "https://twilio.test",
    }))

    def http() -> Iterator[httpx.Client]:
        with httpx.Client(transport=httpx.MockTransport(fake_twilio)) as client:
            yield client

    app.dependency_overrides[get_twilio_http] = http
    return app


@pytest.fixture
def twilio_client(twilio_app: FastAPI, operator: User) -> Iterator[TestClient]:
    with TestClient(twilio_app, base_url=BASE) as client:
        log_in(client, operator.username)
        yield client


def _ask_callback(client: TestClient, reference: str) -> httpx.Response:
    page = client.get(f"/console/dossiers/{reference}").text
    return client.post(f"/console/dossiers/{reference}/callback", data={"csrf_token": csrf_of(page)})


def test_without_twilio_the_request_is_recorded_and_the_operator_told(
    operator_client: TestClient, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()
    response = _ask_callback(operator_client, draft.reference)
    assert "chưa được cấu hình để gọi ra" in response.text
    attempt = db.scalars(select(CallbackAttempt)).one()
    assert attempt.outcome == "not_configured" and attempt.fisher_number == CALLER
    assert db.scalar(select(AuditEntry.target).where(AuditEntry.action == "callback")) == f"dossier:{draft.reference}"
    assert "Yêu cầu gọi lại cho người dân" in response.text  # in the dossier's history


def test_operator_rung_first_then_fisher_bridged_and_no_answer_is_due_again(
    twilio_client: TestClient, fake_twilio: FakeTwilioCalls, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()
    response = _ask_callback(twilio_client, draft.reference)
    assert "Đang gọi vào máy của bạn" in response.text
    attempt = db.scalars(select(CallbackAttempt)).one()
    hook = f"/twilio/voice/callback/{attempt.id}"
    sent = fake_twilio.forms[0]
    assert sent["To"] == "+84912000111" and sent["From"] == FROM_NUMBER  # the operator's phone first
    assert sent["Url"] == PUBLIC_BASE + hook and sent["StatusCallback"] == PUBLIC_BASE + hook + "/status"

    sid = "CA" + "7" * 32
    assert twilio_client.post(hook, data={"CallSid": sid}).status_code == 403  # unsigned
    twiml = twilio_post(twilio_client, hook, {"CallSid": sid, "CallStatus": "in-progress"}).text
    assert f"<Number>{CALLER}</Number>" in twiml and "<Dial" in twiml

    twilio_post(twilio_client, hook + "/dialed", {"CallSid": sid, "DialCallStatus": "no-answer"})
    twilio_post(twilio_client, hook + "/status", {"CallSid": sid, "CallStatus": "completed"})  # changes nothing
    db.refresh(attempt)
    assert attempt.outcome == "no_answer" and attempt.next_attempt_at is not None
    page = twilio_client.get(f"/console/dossiers/{draft.reference}").text
    assert "Người dân không nghe máy" in page

    assert draft.reference not in twilio_client.get("/console/callbacks").text  # not due yet
    db.execute(update(CallbackAttempt).values(next_attempt_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert draft.reference in twilio_client.get("/console/callbacks").text
    assert "Đến hạn gọi lại" in twilio_client.get(f"/console/dossiers/{draft.reference}").text


def test_the_fisher_answering_is_reached_and_not_rescheduled(
    twilio_client: TestClient, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()
    _ask_callback(twilio_client, draft.reference)
    attempt = db.scalars(select(CallbackAttempt)).one()
    twilio_post(twilio_client, f"/twilio/voice/callback/{attempt.id}/dialed", {"DialCallStatus": "completed"})
    db.refresh(attempt)
    assert attempt.outcome == "reached" and attempt.next_attempt_at is None


def test_an_operator_who_does_not_pick_up_fails_the_attempt_and_it_is_rescheduled(
    twilio_client: TestClient, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()
    _ask_callback(twilio_client, draft.reference)
    attempt = db.scalars(select(CallbackAttempt)).one()
    twilio_post(twilio_client, f"/twilio/voice/callback/{attempt.id}/status", {"CallStatus": "no-answer"})
    db.refresh(attempt)
    assert attempt.outcome == "failed" and attempt.next_attempt_at is not None


def test_twilio_refusing_the_call_is_logged_as_a_failed_attempt(
    twilio_client: TestClient, fake_twilio: FakeTwilioCalls, make_draft: MakeDraft, db: Session
) -> None:
    fake_twilio.status = 400
    draft = make_draft()
    response = _ask_callback(twilio_client, draft.reference)
    assert "Không gọi được qua Twilio" in response.text
    assert "Twilio từ chối cuộc gọi" in response.text  # the history line says why
    attempt = db.scalars(select(CallbackAttempt)).one()
    assert attempt.outcome == "failed" and attempt.twilio_call_sid is None
