"""A morning of calls played through the real voice and queue webhooks (signed as Twilio
signs them), so the summary's figures come from what the flow and the queue write — not
from rows a test made up. Every kind of call the summary counts is here once or more."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from ivr.settings import Settings
from models.user import User
from tests.ivr.queue.conftest import PASSWORD, caller_in_queue, operator_leg, queue_post, wait
from tests.ivr.voice import VoiceCaller

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 + "/Recordings/RE" + "1" * 32


@dataclass(frozen=True)
class Morning:
    """The call SIDs, by what each call came to."""

    dossier: str
    status_read: str
    gave_up_in_menu: str
    answered: str
    gave_up_waiting: str
    chose_callback: str
    still_waiting: str
    message_outside_hours: str


def _operator_headers(client: TestClient, operator: User) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": operator.username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _caller(client: TestClient, n: int, number: str) -> VoiceCaller:
    return VoiceCaller(client, caller=number, sid="CA" + f"{n:032d}")


def a_morning_on_the_line(client: TestClient, settings: Settings, operator: User) -> Morning:
    """Eight calls: a dossier, a status read, a hang-up in the main menu, four callers put
    through to the operators' queue (answered, hung up while waiting, a call-back chosen
    with key 1, still waiting), and a caller who pressed 0 outside opening hours and left a
    message. `operator` must have the queue conftest's PASSWORD."""
    settings.hotline_force = "open"
    headers = _operator_headers(client, operator)
    assert client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=headers).status_code == 200

    dossier = _caller(client, 11, "+84905111222")
    dossier.ring()
    assert dossier.keys("2", "12345", "2", "1").verbs()[-1] == "Hangup"  # safety certificate, unknown vessel
    dossier.hang_up(50)

    status = _caller(client, 12, "+84905111222")  # the same fisher calls again, presses 3
    status.ring()
    assert "Gather" in status.press("3").verbs()
    status.hang_up(30)

    gave_up = _caller(client, 13, "+84905333444")
    gave_up.ring()
    gave_up.hang_up(9)

    answered, gone, chose, waiting = (caller_in_queue(client, n, caller=f"+8491200011{n}") for n in range(1, 5))
    for voice in (answered, gone, chose, waiting):
        wait(voice)
    leg = "CA" + "a" * 32
    operator_leg(client, operator.username, leg)
    queue_post(answered, "/twilio/voice/queue/bridge", DequeingCallSid=leg, QueueTime="12")
    queue_post(answered, "/twilio/voice/queue/done", QueueResult="bridged", QueueTime="12")
    answered.hang_up(140)
    client.post(f"/api/v1/calls/{answered.sid}/wrap-up", json={"code": "advice"}, headers=headers)
    queue_post(gone, "/twilio/voice/queue/done", QueueResult="hangup", QueueTime="30")
    gone.hang_up(45)
    queue_post(chose, "/twilio/voice/queue/key", Digits="1")
    queue_post(chose, "/twilio/voice/queue/done", QueueResult="leave", QueueTime="20")
    chose.hang_up(40)

    settings.hotline_force = "closed"
    message = _caller(client, 14, "+84905555666")
    message.ring()
    offer = message.press("0")
    record = offer.root.find("Record")
    assert record is not None, offer.text
    message.post(str(record.get("action")), RecordingUrl=RECORDING, RecordingDuration="7")
    message.hang_up(35)
    settings.hotline_force = "open"
    return Morning(
        dossier=dossier.sid, status_read=status.sid, gave_up_in_menu=gave_up.sid, answered=answered.sid,
        gave_up_waiting=gone.sid, chose_callback=chose.sid, still_waiting=waiting.sid,
        message_outside_hours=message.sid,
    )
