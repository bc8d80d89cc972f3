"""Callers and operators on the queue's webhooks, signed as Twilio signs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.users.service import create_user
from ivr.settings import Settings
from models.user import User
from tests.conftest import twilio_post
from tests.ivr.voice import Answer, VoiceCaller

PASSWORD = "mat-khau-du-dai-123"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.hotline_force = "open"  # operators answer: the queue is in play
    return settings


def caller_in_queue(client: TestClient, n: int = 1, caller: str = "+84987654321") -> VoiceCaller:
    """A caller who rang and pressed 0 at the main menu: Twilio has enqueued them."""
    voice = VoiceCaller(client, caller=caller, sid="CA" + f"{n:032d}")
    voice.ring()
    answer = voice.press("0")
    assert "Enqueue" in answer.verbs(), answer.text
    return voice


def queue_post(voice: VoiceCaller, path: str, **extra: str) -> Answer:
    """A queue webhook on the caller's leg, with the parameters Twilio documents."""
    return voice.post(path, QueueSid="QU" + "a" * 32, **extra)


def wait(voice: VoiceCaller, *, position: int = 1, queue_time: int = 0, size: int = 1) -> Answer:
    return queue_post(voice, "/twilio/voice/queue/wait", QueuePosition=str(position), QueueTime=str(queue_time),
                      AvgQueueTime="0", CurrentQueueSize=str(size))


def operator_leg(client: TestClient, identity: str, leg: str, path: str = "/twilio/voice/operator",
                 **extra: str) -> Any:
    params = {"CallSid": leg, "AccountSid": "AC" + "0" * 32, "From": f"client:{identity}",
              "Caller": f"client:{identity}", "To": "", "CallStatus": "ringing", "Direction": "inbound",
              "ApplicationSid": "AP" + "0" * 32, **extra}
    return twilio_post(client, path, params)


@pytest.fixture
def make_operator(db: Session) -> Callable[..., User]:
    def make(username: str = "vana", full_name: str = "Nguyễn Văn An", **kwargs: Any) -> User:
        user = create_user(db, username=username, password=PASSWORD, role=kwargs.pop("role", "operator"),
                           full_name=full_name, **kwargs)
        db.commit()
        return user

    return make


def login(client: TestClient, user: User) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def go(client: TestClient, headers: dict[str, str], state: str) -> dict[str, Any]:
    r = client.put("/api/v1/operators/me/state", json={"state": state}, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def now() -> datetime:
    return datetime.now(UTC)
