"""The operator's side: the softphone's leg (`client:<identity>`) takes the caller offered to
it with `<Dial><Queue url=…>`, the Queue url on the caller's leg (CallSid, DequeingCallSid —
sic — QueueTime) records who answered, the Enqueue action ends the call, wrap-up follows.
Nobody stays stuck: on an empty queue the operator's leg waits in Twilio's queue for the
dial's timeout, an offer nobody picks up sets its operator away and the caller stays first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.users.service import hash_password
from models.call import Call
from models.domain.passwords import verify_secret
from models.operator import OperatorPresence
from models.queue import QueueEntry
from tests.conftest import twilio_post
from tests.ivr.queue.conftest import caller_in_queue, go, login, operator_leg, queue_post, wait
from tests.ivr.voice import Answer

LEG_A = "CA" + "a" * 32
LEG_B = "CA" + "b" * 32


def _presence(db: Session, user_id: int) -> OperatorPresence:
    db.rollback()  # read afresh
    row = db.get(OperatorPresence, user_id)
    assert row is not None
    return row


def test_an_operator_answers_a_waiting_caller_end_to_end(client: TestClient, db: Session, make_operator) -> None:
    an = make_operator()
    headers = login(client, an)
    go(client, headers, "ready")
    voice = caller_in_queue(client)
    wait(voice, queue_time=3)
    me = client.get("/api/v1/operators/me", headers=headers).json()
    assert me["offer"]["call_sid"] == voice.sid  # the console rings with this caller's card

    leg = operator_leg(client, "vana", LEG_A)
    assert leg.status_code == 200
    dial = Answer(200, leg.text).root.find("Dial")
    assert dial is not None and dial.get("action") == "/twilio/voice/operator/done"
    queue = dial.find("Queue")
    assert queue is not None and queue.text == "operators" and queue.get("url") == "/twilio/voice/queue/bridge"

    # Twilio requests the Queue url on the caller's leg before bridging them.
    bridged = queue_post(voice, "/twilio/voice/queue/bridge", DequeingCallSid=LEG_A, QueueTime="9")
    assert "điện thoại viên An" in bridged.said()  # the operator's given name
    assert set(bridged.verbs()) <= {"Say", "Play", "Pause", "Redirect"}
    assert _presence(db, an.id).state == "on_call"
    card = client.get("/api/v1/operators/me", headers=headers).json()["card"]
    assert card["call_sid"] == voice.sid and card["from"] == voice.caller and card["reason"] == "key_0"

    # The conversation ends: Twilio requests the operator's Dial action and the Enqueue action.
    assert operator_leg(client, "vana", LEG_A, "/twilio/voice/operator/done", DialCallStatus="completed",
                        DialCallDuration="75").status_code == 200
    queue_post(voice, "/twilio/voice/queue/done", QueueResult="bridged", QueueTime="9")
    row = _presence(db, an.id)
    assert row.state == "wrap_up" and row.call_sid == voice.sid and row.leg_sid is None
    entry = db.scalar(select(QueueEntry).where(QueueEntry.call_sid == voice.sid))
    assert entry is not None and (entry.result, entry.answered_by, entry.wait_s) == ("answered", "vana", 9)
    assert entry.handle_s is not None
    assert db.scalar(select(Call.outcome).where(Call.call_sid == voice.sid)) == "answered"

    detail = client.get(f"/api/v1/calls/{voice.sid}", headers=headers).json()
    assert detail["answered_by"] == "vana" and detail["queue"]["result"] == "answered"
    assert detail["queue"]["wait_s"] == 9
    filed = client.post(f"/api/v1/calls/{voice.sid}/wrap-up", json={"code": "advice", "note": "Hỏi thủ tục"},
                        headers=headers)
    assert filed.status_code == 200, filed.text
    assert _presence(db, an.id).state == "ready"  # filing the wrap-up ends it
    detail = client.get(f"/api/v1/calls/{voice.sid}", headers=headers).json()
    assert detail["wrap_up"]["code"] == "advice" and detail["wrap_up"]["by"] == "vana"
    whats = [e["detail"]["what"] for e in detail["events"] if e["kind"] == "queue"]
    assert whats[:4] == ["joined", "offered", "announced", "answered"] or whats[:4] == [
        "joined", "announced", "offered", "answered"]
    assert "wrap_up" in whats


def test_an_unsigned_operator_leg_is_refused_and_changes_nothing(client: TestClient, db: Session,
                                                                 make_operator) -> None:
    an = make_operator()
    go(client, login(client, an), "ready")
    voice = caller_in_queue(client)
    wait(voice)
    r = client.post("/twilio/voice/operator", data={"CallSid": LEG_A, "From": "client:vana"})
    assert r.status_code == 403
    wrong = twilio_post(client, "/twilio/voice/operator", {"CallSid": LEG_A, "From": "client:vana"}, token="other")
    assert wrong.status_code == 403
    assert _presence(db, an.id).leg_sid is None


def test_a_client_that_is_not_an_active_operator_hears_a_polite_goodbye(client: TestClient, db: Session,
                                                                       make_operator) -> None:
    make_operator("quantri", "Lê Quản Trị", role="admin")
    gone = make_operator("cu", "Người Cũ")
    gone.active = False
    db.commit()
    for identity in ("khongco", "quantri", "cu"):
        r = operator_leg(client, identity, LEG_A)
        answer = Answer(r.status_code, r.text)
        assert r.status_code == 200 and answer.verbs() == ["Say", "Hangup"], r.text
        assert "không được nhận cuộc gọi" in answer.said()


def test_an_operator_leg_on_an_empty_queue_waits_in_twilio_a_bounded_time_then_stays_ready(
    client: TestClient, db: Session, make_operator
) -> None:
    an = make_operator()
    go(client, login(client, an), "ready")
    answer = Answer(200, operator_leg(client, "vana", LEG_A).text)
    # Twilio's <Dial><Queue> waits for the next caller up to the dial's timeout (Twilio's
    # documentation of <Queue>), then posts the dial's action.
    dial = answer.root.find("Dial")
    assert dial is not None and dial.find("Queue") is not None and dial.get("timeout") == "20"
    done = Answer(200, operator_leg(client, "vana", LEG_A, str(dial.get("action")), DialCallStatus="no-answer",
                                    CallStatus="in-progress").text)
    assert done.verbs() == ["Say", "Hangup"] and "không có người gọi" in done.said()
    row = _presence(db, an.id)
    assert (row.state, row.leg_sid) == ("ready", None)


def test_a_caller_joining_while_the_operators_leg_waits_is_bridged_to_them(
    client: TestClient, db: Session, make_operator
) -> None:
    an = make_operator()
    go(client, login(client, an), "ready")
    waiting = Answer(200, operator_leg(client, "vana", LEG_A).text)
    assert waiting.root.find("Dial/Queue") is not None  # in Twilio's queue before any caller
    voice = caller_in_queue(client)
    wait(voice)
    bridged = queue_post(voice, "/twilio/voice/queue/bridge", DequeingCallSid=LEG_A, QueueTime="3")
    assert "sẽ nghe máy" in bridged.said()
    row = _presence(db, an.id)
    assert (row.state, row.leg_sid) == ("on_call", LEG_A)


def test_a_leg_is_held_while_the_front_caller_is_offered_to_another_operator(
    client: TestClient, db: Session, make_operator
) -> None:
    first = make_operator()
    make_operator("vanb", "Trần Văn Bình")  # signed in on a phone, not ready
    go(client, login(client, first), "ready")
    voice = caller_in_queue(client)
    wait(voice)  # offered to the first operator, the only one ready
    held = Answer(200, operator_leg(client, "vanb", LEG_B).text)
    # Dialling now would take the caller promised to the first operator: held, bounded.
    assert "Pause" in held.verbs() and held.root.find("Dial") is None
    taken = Answer(200, operator_leg(client, "vana", LEG_A).text)
    assert taken.root.find("Dial/Queue") is not None

def test_an_operator_who_does_not_pick_up_goes_away_and_the_caller_stays_first(
    client: TestClient, db: Session, make_operator
) -> None:
    an, binh = make_operator(), make_operator("binh", "Phạm Thị Bình")
    go(client, login(client, an), "ready")
    first = caller_in_queue(client, 1)
    wait(first)
    assert _presence(db, an.id).offer_call_sid == first.sid
    go(client, login(client, binh), "ready")
    second = caller_in_queue(client, 2, caller="+84912000111")
    wait(second, position=2)
    assert _presence(db, binh.id).offer_call_sid == second.sid
    # An's console rang past the limit without answering.
    offered = _presence(db, an.id).offered_at
    assert offered is not None
    db.execute(update(OperatorPresence).where(OperatorPresence.user_id == an.id)
               .values(offered_at=offered - timedelta(seconds=60)))
    db.commit()
    wait(first, queue_time=40)
    row = _presence(db, an.id)
    assert (row.state, row.away_reason, row.offer_call_sid) == ("away", "missed_offer", None)
    queue = client.get("/api/v1/queue", headers=login(client, binh)).json()
    assert [c["call_sid"] for c in queue] == [first.sid, second.sid]  # still first in line
    # When Binh's leg comes, Twilio bridges the front caller: that one is recorded as Binh's.
    operator_leg(client, "binh", LEG_B)
    queue_post(first, "/twilio/voice/queue/bridge", DequeingCallSid=LEG_B, QueueTime="45")
    db.rollback()  # read afresh
    answered = db.scalar(select(QueueEntry.answered_by).where(QueueEntry.call_sid == first.sid))
    assert answered == "binh"
    assert _presence(db, binh.id).state == "on_call"
    # The second caller, offered to Binh, is free again for the next operator.
    second_entry = db.scalar(select(QueueEntry).where(QueueEntry.call_sid == second.sid))
    assert second_entry is not None and second_entry.offered_to_id is None


def test_an_operator_calls_the_hotline_from_their_registered_phone_with_their_pin(
    client: TestClient, db: Session, make_operator
) -> None:
    an = make_operator(phone="+84905111222")
    an.pin_hash = hash_password("2468")
    db.commit()
    voice = caller_in_queue(client)  # a caller is waiting; An is not at a console
    params = {"CallSid": LEG_A, "From": "+84905111222", "To": "+842553818558", "CallStatus": "ringing"}
    prompt = Answer(200, twilio_post(client, "/twilio/voice", params).text)
    gather = prompt.gather()
    assert gather is not None and "mã PIN" in prompt.said()
    wrong = Answer(200, twilio_post(client, str(gather.get("action")), {**params, "Digits": "1111"}).text)
    assert "không đúng" in wrong.said()
    right = Answer(200, twilio_post(client, str(wrong.gather().get("action")), {**params, "Digits": "2468"}).text)  # type: ignore[union-attr]
    # A caller waits but was offered nobody yet (nobody was ready): the PIN makes An ready.
    wait(voice)
    if right.root.find("Dial/Queue") is None:
        right = Answer(200, twilio_post(client, str(right.root.find("Redirect").text), params).text)  # type: ignore[union-attr]
    assert right.root.find("Dial/Queue") is not None
    assert _presence(db, an.id).leg_sid == LEG_A


def test_caller_id_alone_does_not_make_an_operator(client: TestClient, db: Session, make_operator) -> None:
    an = make_operator(phone="+84905111222")
    an.pin_hash = hash_password("2468")
    db.commit()
    params = {"CallSid": LEG_A, "From": "+84905111222", "To": "+842553818558", "CallStatus": "ringing"}
    prompt = Answer(200, twilio_post(client, "/twilio/voice", params).text)
    # Silence at the PIN prompt: the call is a citizen's, and the hotline's menus follow.
    assert prompt.root.find("Redirect").text == "/twilio/voice?caller=1"  # type: ignore[union-attr]
    menus = Answer(200, twilio_post(client, "/twilio/voice?caller=1", params).text)
    assert "Dial" not in menus.text and menus.gather() is not None
    assert db.get(OperatorPresence, an.id) is None


def test_pin_guesses_are_counted_across_calls_and_refused_before_any_hash(
    client: TestClient, db: Session, make_operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Caller ID can be forged: someone calling again and again from An's number must not
    # get unlimited guesses at a 4-digit PIN, and guesses past the limit cost no hash.
    an = make_operator(phone="+84905111222")
    an.pin_hash = hash_password("2468")
    db.commit()
    hashed: list[str] = []

    def counting(secret: str, secret_hash: str | None) -> bool:
        hashed.append(secret)
        return verify_secret(secret, secret_hash)

    monkeypatch.setattr("ivr.queue.pins.verify_secret", counting)
    said: list[str] = []
    for n in range(7):  # a new call each time: the count is the phone's, not the call's
        params = {"CallSid": f"CA{n:032d}", "From": "+84905111222", "To": "+842553818558",
                  "CallStatus": "ringing"}
        prompt = Answer(200, twilio_post(client, "/twilio/voice", params).text)
        guess = Answer(200, twilio_post(client, str(prompt.gather().get("action")),  # type: ignore[union-attr]
                                        {**params, "Digits": f"{1000 + n}"}).text)
        said.append(guess.said())
    assert len(hashed) == 5  # LOGIN_PIN_PER_PHONE: 5 in 15 minutes
    assert all("không đúng" in s for s in said[:5])
    assert all("quá nhiều lần" in s for s in said[5:])
    # Even the right PIN waits now: nobody can tell a right guess from a refused one.
    params = {"CallSid": "CA" + "9" * 32, "From": "+84905111222", "To": "+842553818558", "CallStatus": "ringing"}
    prompt = Answer(200, twilio_post(client, "/twilio/voice", params).text)
    right = Answer(200, twilio_post(client, str(prompt.gather().get("action")),  # type: ignore[union-attr]
                                    {**params, "Digits": "2468"}).text)
    assert "quá nhiều lần" in right.said() and right.root.find("Dial") is None
    db.rollback()
    presence = db.get(OperatorPresence, an.id)
    assert presence is None or presence.leg_sid is None  # no leg took the queue


def test_an_operators_phone_session_is_not_logged_as_a_citizens_call(
    client: TestClient, db: Session, make_operator
) -> None:
    an = make_operator(phone="+84905111222")
    an.pin_hash = hash_password("2468")
    db.commit()
    params = {"CallSid": LEG_A, "From": "+84905111222", "To": "+842553818558", "CallStatus": "ringing"}
    prompt = Answer(200, twilio_post(client, "/twilio/voice", params).text)
    twilio_post(client, str(prompt.gather().get("action")), {**params, "Digits": "2468"})  # type: ignore[union-attr]
    done = twilio_post(client, "/twilio/voice/status", {**params, "CallStatus": "completed", "CallDuration": "95"})
    assert done.status_code == 200
    db.rollback()
    assert db.scalars(select(Call)).all() == []  # no "abandoned" citizen call for An's shift
