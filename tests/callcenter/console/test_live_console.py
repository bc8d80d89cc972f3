"""The console's live-call endpoints without a browser: CSRF on every change, the softphone
bundle served from the project's own build, a draft started from an answered call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.call import Call
from models.dossier import Dossier
from models.message import Message
from tests.callcenter.console.conftest import MakeUser, csrf_of
from tests.ivr.queue.conftest import caller_in_queue, operator_leg, queue_post, wait

BUNDLE = Path(__file__).resolve().parents[3] / "callcenter/console/static/vendor/twilio-voice.js"


def _console(client: TestClient, username: str) -> str:
    page = client.get("/console/login")
    client.post("/console/login", data={"username": username, "password": "mat-khau-du-dai-123",
                                        "csrf_token": csrf_of(page.text), "next": "/console/queue"})
    return csrf_of(client.get("/console/queue").text)


def test_changes_need_the_csrf_header(client: TestClient, make_user: MakeUser) -> None:
    make_user("vana", "operator")
    csrf = _console(client, "vana")
    assert client.post("/console/live/state", json={"state": "ready"}).status_code == 403
    r = client.post("/console/live/state", json={"state": "ready"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["state"] == "ready"
    r = client.post("/console/live/token", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 503 and "TWILIO_API_KEY" in r.json()["error"]


def test_the_console_page_loads_the_bundled_softphone(client: TestClient, make_user: MakeUser) -> None:
    make_user("vana", "operator")
    _console(client, "vana")
    page = client.get("/console/queue").text
    assert 'src="/console/static/vendor/twilio-voice.js"' in page and 'id="live"' in page
    assert "<script>" not in page  # no inline script: the page works under a strict CSP


@pytest.mark.skipif(not BUNDLE.exists() and not os.environ.get("CI"),
                    reason="the softphone bundle is built by `make frontend` (make setup / make test)")
def test_the_softphone_bundle_is_served_from_the_projects_build(client: TestClient) -> None:
    r = client.get("/console/static/vendor/twilio-voice.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "window.TwilioVoice" in r.text or "TwilioVoice" in r.text
    assert len(r.content) > 50_000  # the SDK itself, bundled — not a stub


def test_a_draft_started_from_the_answered_call(client: TestClient, make_user: MakeUser, db: Session,
                                                settings) -> None:  # type: ignore[no-untyped-def]
    settings.hotline_force = "open"
    make_user("vana", "operator", full_name="Nguyễn Văn An")
    csrf = _console(client, "vana")
    client.post("/console/live/state", json={"state": "ready"}, headers={"X-CSRF-Token": csrf})
    voice = caller_in_queue(client)
    wait(voice)
    leg = "CA" + "a" * 32
    operator_leg(client, "vana", leg)
    queue_post(voice, "/twilio/voice/queue/bridge", DequeingCallSid=leg, QueueTime="4")
    r = client.post(f"/console/calls/{voice.sid}/draft", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    reference = r.headers["location"].rsplit("/", 1)[-1]
    db.rollback()
    dossier = db.scalar(select(Dossier).where(Dossier.reference == reference))
    assert dossier is not None
    assert (dossier.channel, dossier.call_sid, dossier.applicant_phone) == ("operator", voice.sid, voice.caller)
    assert dossier.claimed_by_id is not None  # held by the operator who answered
    # The call log links the call to it; the caller's SMS promises no call-back (they are on the line).
    assert db.scalar(select(Call.dossier_reference).where(Call.call_sid == voice.sid)) == reference
    receipt = db.scalars(select(Message.body).where(Message.dossier_id == dossier.id)).one()
    assert reference in receipt and "se goi lai" not in receipt
    # A second click is the same dossier, not another one (nor another SMS).
    again = client.post(f"/console/calls/{voice.sid}/draft", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.headers["location"].rsplit("/", 1)[-1] == reference
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Dossier).where(Dossier.call_sid == voice.sid)) == 1
    assert db.scalar(select(func.count()).select_from(Message).where(Message.dossier_id == dossier.id)) == 1


def test_the_softphone_plays_sounds_from_this_server_and_may_reach_twilio_only(client: TestClient) -> None:
    # Twilio's Voice SDK fetches its ring and tones from Twilio's CDN unless told
    # otherwise; the console tells it to use these, and its pages let it talk to Twilio.
    ring = client.get("/console/live/sounds/incoming.wav")
    assert ring.status_code == 200 and ring.headers["content-type"] == "audio/wav"
    assert ring.content[:4] == b"RIFF" and len(ring.content) > 8000  # a second of 425 Hz, then quiet
    assert client.get("/console/live/sounds/cowbell.wav").status_code == 404
    login = client.get("/console/login")
    policy = login.headers["content-security-policy"]
    assert "connect-src 'self' wss://*.twilio.com https://eventgw.twilio.com" in policy
    assert "script-src 'self';" in policy  # still no inline or outside script
