"""The live-call API (contract section 8): the softphone's token, presence, the queue's
list, wrap-up codes and wrap-up, and the summary's queue figures."""

from __future__ import annotations

import jwt
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.user import User
from tests.callcenter.api.conftest import Login, MakeUser
from tests.ivr.queue.conftest import caller_in_queue, operator_leg, queue_post, wait


def test_the_token_is_refused_naming_the_missing_settings(client: TestClient, operator: User, login: Login) -> None:
    r = client.post("/api/v1/voice/token", headers=login(operator))
    assert r.status_code == 503
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_TWIML_APP_SID"):
        assert name in r.json()["detail"]


def test_the_token_is_a_short_lived_voice_grant_for_the_operators_identity(
    client: TestClient, settings: Settings, operator: User, login: Login
) -> None:
    settings.twilio_account_sid = "AC" + "1" * 32
    settings.twilio_api_key = "SK" + "2" * 32
    settings.twilio_api_secret = "api-secret-of-the-test-account-32bytes"
    settings.twilio_twiml_app_sid = "AP" + "3" * 32
    r = client.post("/api/v1/voice/token", headers=login(operator))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["identity"] == operator.username
    claims = jwt.decode(body["token"], "api-secret-of-the-test-account-32bytes", algorithms=["HS256"])
    assert claims["iss"] == settings.twilio_api_key and claims["sub"] == settings.twilio_account_sid
    assert claims["grants"]["identity"] == operator.username
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == settings.twilio_twiml_app_sid
    assert claims["grants"]["voice"]["incoming"]["allow"] is True
    assert 0 < claims["exp"] - claims["nbf"] <= 3600  # short-lived: the console refreshes it


def test_an_admin_gets_no_softphone(client: TestClient, make_user: MakeUser, login: Login) -> None:
    admin = make_user("quantri", "admin")
    assert client.post("/api/v1/voice/token", headers=login(admin)).status_code == 403
    assert client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=login(admin)).status_code == 403


def test_presence_is_chosen_by_the_operator_and_read_by_supervisors(
    client: TestClient, operator: User, supervisor: User, login: Login
) -> None:
    headers = login(operator)
    r = client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=headers)
    assert r.status_code == 200 and r.json()["state"] == "ready"
    bad = client.put("/api/v1/operators/me/state", json={"state": "on_call"}, headers=headers)
    assert bad.status_code == 422  # the service sets on_call and wrap_up, not the operator
    assert client.get("/api/v1/operators", headers=headers).status_code == 403
    listed = client.get("/api/v1/operators", headers=login(supervisor)).json()
    mine = next(o for o in listed if o["username"] == operator.username)
    assert mine["state"] == "ready" and mine["name"] == operator.full_name and mine["call_sid"] is None


def test_the_queue_lists_callers_longest_first_with_vessel_and_path(
    client: TestClient, db: Session, operator: User, login: Login, settings: Settings
) -> None:
    settings.hotline_force = "open"
    headers = login(operator)
    client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=headers)
    early = caller_in_queue(client, 1)
    late = caller_in_queue(client, 2, caller="+84912000111")
    wait(late, queue_time=5)
    wait(early, queue_time=30)
    queue = client.get("/api/v1/queue", headers=headers).json()
    assert [c["call_sid"] for c in queue] == [early.sid, late.sid]
    assert queue[0]["from"] == early.caller and 29 <= queue[0]["waiting_s"] <= 40
    assert queue[0]["path"] == ["greeting", "main"] and queue[0]["vessel"] is None
    assert queue[0]["path_titles"] == ["Menu chính"]  # what an operator reads: the guide's words


def test_callers_numbers_in_the_queue_go_only_to_the_roles_that_answer(
    client: TestClient, operator: User, supervisor: User, make_user: MakeUser, login: Login, settings: Settings
) -> None:
    settings.hotline_force = "open"
    client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=login(operator))
    waiting = caller_in_queue(client, 1, caller="+84912000777")
    wait(waiting)
    admin = client.get("/api/v1/queue", headers=login(make_user("quantri", "admin")))
    assert admin.status_code == 403 and "+84912000777" not in admin.text
    for user in (operator, supervisor):
        answer = client.get("/api/v1/queue", headers=login(user))
        assert answer.status_code == 200 and [c["from"] for c in answer.json()] == ["+84912000777"], user.role


def test_wrap_up_takes_a_code_from_the_list_from_the_operator_who_answered(
    client: TestClient, operator: User, make_user: MakeUser, login: Login, settings: Settings
) -> None:
    settings.hotline_force = "open"
    headers = login(operator)
    codes = client.get("/api/v1/wrap-up-codes", headers=headers).json()
    assert {"code": "wrong_number", "label": "Gọi nhầm số"} in codes
    client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=headers)
    voice = caller_in_queue(client)
    wait(voice)
    operator_leg(client, operator.username, "CA" + "a" * 32)
    queue_post(voice, "/twilio/voice/queue/bridge", DequeingCallSid="CA" + "a" * 32, QueueTime="3")
    other = make_user("khac", "operator")
    r = client.post(f"/api/v1/calls/{voice.sid}/wrap-up", json={"code": "advice"}, headers=login(other))
    assert r.status_code == 403
    r = client.post(f"/api/v1/calls/{voice.sid}/wrap-up", json={"code": "nope"}, headers=headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "code"]
    r = client.post("/api/v1/calls/CAunknown/wrap-up", json={"code": "advice"}, headers=headers)
    assert r.status_code == 404
    r = client.post(f"/api/v1/calls/{voice.sid}/wrap-up", json={"code": "advice", "note": "Hướng dẫn"},
                    headers=headers)
    assert r.status_code == 200 and r.json()["by"] == operator.username


def test_the_summary_counts_the_queue(
    client: TestClient, operator: User, supervisor: User, login: Login, settings: Settings
) -> None:
    settings.hotline_force = "open"
    settings.service_level_s = 20
    client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=login(operator))
    quick, slow, gone, chose = (caller_in_queue(client, n, caller=f"+8491200011{n}") for n in range(1, 5))
    for voice in (quick, slow, gone, chose):
        wait(voice)
    for voice, leg, waited in ((quick, "CA" + "a" * 32, "12"), (slow, "CA" + "b" * 32, "50")):
        client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=login(operator))
        operator_leg(client, operator.username, leg)
        queue_post(voice, "/twilio/voice/queue/bridge", DequeingCallSid=leg, QueueTime=waited)
        queue_post(voice, "/twilio/voice/queue/done", QueueResult="bridged", QueueTime=waited)
        client.post(f"/api/v1/calls/{voice.sid}/wrap-up", json={"code": "advice"}, headers=login(operator))
    queue_post(gone, "/twilio/voice/queue/done", QueueResult="hangup", QueueTime="30")
    queue_post(chose, "/twilio/voice/queue/key", Digits="1")
    queue_post(chose, "/twilio/voice/queue/done", QueueResult="leave", QueueTime="20")
    body = client.get("/api/v1/reports/summary", headers=login(supervisor)).json()
    # Every caller was put through, whatever the queue made of it: four transferred, none
    # abandoned in the menus, no call-back promised by the IVR itself.
    assert {k: body[k] for k in ("calls", "transferred", "abandoned", "callback_requested")} == {
        "calls": 4, "transferred": 4, "abandoned": 0, "callback_requested": 0}
    q = body["queue"]
    assert (q["offered"], q["answered"], q["answered_within_service_level"], q["abandoned"],
            q["callback_chosen"]) == (4, 2, 1, 1, 1)
    assert q["service_level"] == 0.25
    assert q["avg_wait_s"] == (12 + 50 + 30 + 20) / 4
    assert q["avg_handle_s"] is not None and q["avg_handle_s"] >= 0


def test_the_card_names_the_vessel_of_the_callers_number_when_the_ivr_found_none(
    client: TestClient, db: Session, operator: User, login: Login, settings: Settings
) -> None:
    from decimal import Decimal

    from models.vessel import Vessel

    settings.hotline_force = "open"
    db.add(Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
                  owner_name="Nguyễn Văn Tàu", owner_phone="+84905123456", province="Quảng Ngãi",
                  length_m=Decimal("16.50")))
    db.commit()
    headers = login(operator)
    client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=headers)
    voice = caller_in_queue(client, caller="+84905123456")  # pressed 0 at the main menu
    wait(voice)
    offer = client.get("/api/v1/operators/me", headers=headers).json()["offer"]
    assert offer["vessel"] == "QNg-90567-TS" and offer["vessel_from_caller_id"] is True
    assert offer["owner_name"] == "Nguyễn Văn Tàu" and offer["vessel_verified"] is False
