"""The caller's side of the queue: enqueued with our wait URL and action, told their place
and offered a call-back while they wait, and every way out of the queue recorded.

Every webhook is signed exactly as Twilio signs it and carries the parameters Twilio
documents for it (QueuePosition, QueueTime, AvgQueueTime, CurrentQueueSize, QueueResult).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.call import Call
from models.callback import CallbackRequest
from models.queue import QueueEntry
from tests.conftest import twilio_post
from tests.ivr.queue.conftest import caller_in_queue, go, login, queue_post, wait


def _entry(db: Session, sid: str) -> QueueEntry:
    db.rollback()  # read afresh
    entry = db.scalar(select(QueueEntry).where(QueueEntry.call_sid == sid))
    assert entry is not None
    return entry


def test_a_caller_pressing_0_is_enqueued_with_our_wait_url_and_action(client: TestClient) -> None:
    voice = caller_in_queue(client)
    enqueue = voice.answers[-1].root.find("Enqueue")
    assert enqueue is not None
    assert enqueue.text == "operators"
    assert enqueue.get("waitUrl") == "/twilio/voice/queue/wait"
    assert enqueue.get("waitUrlMethod") == "POST"
    assert enqueue.get("action") == "/twilio/voice/queue/done"


def test_the_wait_tells_the_place_in_line_and_offers_a_call_back_with_music(
    client: TestClient, db: Session, make_operator
) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    answer = wait(voice, position=3, queue_time=4, size=3)
    gather = answer.gather()
    assert gather is not None and gather.get("action") == "/twilio/voice/queue/key"
    said = answer.said()
    assert "vị trí thứ 3" in said
    assert "bấm phím 1 để được gọi lại, ông bà vẫn giữ lượt" in said
    assert gather.find("Play") is not None  # music between announcements, never silence
    entry = _entry(db, voice.sid)
    assert entry.result == "waiting" and entry.reason == "key_0" and entry.path[-1] == "main"
    # No answered callers yet: the expected wait is not made up.
    assert "dự kiến" not in said
    # The music is ours to serve (no recording under voice_prompts/ in the tests).
    music = client.get(gather.find("Play").text.removeprefix("https://hotline.example.vn"))  # type: ignore[union-attr]
    assert music.status_code == 200 and music.headers["content-type"] == "audio/wav"
    assert len(music.content) > 8000 * 2 * 30  # about 35 s of 8 kHz 16-bit audio


def test_key_1_leaves_for_a_call_back_that_keeps_the_callers_turn(
    client: TestClient, db: Session, make_operator
) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice, queue_time=40)
    joined = _entry(db, voice.sid).joined_at
    leave = queue_post(voice, "/twilio/voice/queue/key", Digits="1")
    assert leave.verbs() == ["Leave"]
    done = queue_post(voice, "/twilio/voice/queue/done", QueueResult="leave", QueueTime="45")
    assert "gọi lại" in done.said() and "Hangup" in done.verbs()
    # Said in opening hours: the same promise as at the end of a call (CALLBACKS_PROMISE_HOURS).
    assert "trong vòng 4 giờ làm việc" in done.said()
    request = db.scalar(select(CallbackRequest).where(CallbackRequest.call_id == _entry(db, voice.sid).call_id))
    assert request is not None and request.reason == "queue_choice"
    assert abs((request.requested_at - joined).total_seconds()) < 1  # the turn is kept
    entry = _entry(db, voice.sid)
    assert (entry.result, entry.wait_s, entry.queue_result) == ("callback_requested", 45, "leave")
    assert db.scalar(select(Call.outcome).where(Call.call_sid == voice.sid)) == "callback_requested"


def test_a_wrong_key_while_waiting_is_told_and_the_wait_goes_on(client: TestClient, make_operator) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice)
    answer = queue_post(voice, "/twilio/voice/queue/key", Digits="5")
    assert "không có tác dụng" in answer.said()
    assert answer.root.find("Redirect").text == "/twilio/voice/queue/wait"  # type: ignore[union-attr]


def test_nobody_on_duty_means_a_call_back_at_once(client: TestClient, db: Session) -> None:
    voice = caller_in_queue(client)
    assert wait(voice).verbs() == ["Leave"]
    done = queue_post(voice, "/twilio/voice/queue/done", QueueResult="leave", QueueTime="1")
    assert "chưa có điện thoại viên trực" in done.said()
    assert db.scalar(select(CallbackRequest.reason)) == "no_operator"


def test_a_wait_past_the_limit_leaves_for_a_call_back(
    client: TestClient, db: Session, make_operator, settings
) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice, queue_time=10)
    assert wait(voice, queue_time=settings.max_queue_wait_s + 5).verbs() == ["Leave"]
    done = queue_post(voice, "/twilio/voice/queue/done", QueueResult="leave", QueueTime=str(settings.max_queue_wait_s + 6))
    assert "chờ lâu" in done.said()
    assert db.scalar(select(CallbackRequest.reason)) == "queue_timeout"


def test_hanging_up_in_the_queue_is_abandoned_in_queue_with_the_wait(
    client: TestClient, db: Session, make_operator
) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice)
    done = queue_post(voice, "/twilio/voice/queue/done", QueueResult="hangup", QueueTime="37")
    assert done.status == 200
    entry = _entry(db, voice.sid)
    assert (entry.result, entry.wait_s) == ("abandoned_in_queue", 37)
    voice.hang_up()
    db.rollback()  # read afresh
    assert db.scalar(select(Call.outcome).where(Call.call_sid == voice.sid)) == "abandoned_in_queue"
    assert db.scalar(select(CallbackRequest.id)) is None  # they hung up: nothing was promised


def test_a_full_queue_or_a_twilio_error_is_never_silence(client: TestClient, db: Session, make_operator) -> None:
    go(client, login(client, make_operator()), "ready")
    full = caller_in_queue(client, 1)
    answer = queue_post(full, "/twilio/voice/queue/done", QueueResult="queue-full", QueueTime="0")
    assert "hàng chờ đã đầy" in answer.said() and "gọi lại" in answer.said()
    broken = caller_in_queue(client, 2, caller="+84912000111")
    wait(broken)
    answer = queue_post(broken, "/twilio/voice/queue/done", QueueResult="system-error", QueueTime="3")
    assert "sự cố" in answer.said() and "gọi lại" in answer.said()
    reasons = sorted(db.scalars(select(CallbackRequest.reason)).all())
    assert reasons == ["fault", "queue_full"]


def test_the_action_repeated_by_twilio_changes_nothing_twice(client: TestClient, db: Session, make_operator) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice)
    first = queue_post(voice, "/twilio/voice/queue/done", QueueResult="queue-full", QueueTime="2")
    again = queue_post(voice, "/twilio/voice/queue/done", QueueResult="queue-full", QueueTime="2")
    assert first.text == again.text
    assert len(db.scalars(select(CallbackRequest.id)).all()) == 1


def test_an_unknown_call_on_the_wait_url_or_action_is_kept_safe(client: TestClient, db: Session) -> None:
    params = {"CallSid": "CA" + "9" * 32, "From": "+84905999888", "QueuePosition": "1", "QueueTime": "0",
              "AvgQueueTime": "0", "CurrentQueueSize": "1", "QueueSid": "QU" + "b" * 32}
    r = twilio_post(client, "/twilio/voice/queue/wait", params)
    assert r.status_code == 200 and "<Leave" in r.text
    r = twilio_post(client, "/twilio/voice/queue/done", {**params, "QueueResult": "leave"})
    assert r.status_code == 200 and "gọi lại" in r.text and "<Hangup" in r.text
    requests = db.scalars(select(CallbackRequest)).all()
    assert [(q.phone, q.reason) for q in requests] == [("+84905999888", "fault")]  # one promise, not two


def test_an_unsigned_wait_url_is_refused_and_changes_nothing(client: TestClient, db: Session) -> None:
    voice = caller_in_queue(client)
    r = client.post("/twilio/voice/queue/wait", data={"CallSid": voice.sid, "QueueTime": "0"})
    assert r.status_code == 403
    assert db.scalar(select(QueueEntry.id)) is None


def test_the_expected_wait_comes_from_recent_answered_waits(
    client: TestClient, db: Session, make_operator
) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice)
    call_id = _entry(db, voice.sid).call_id
    from models.base import utcnow

    now = utcnow()
    for wait_s in (200, 240, 260):  # three callers answered in the last hour, about 4 minutes each
        db.add(QueueEntry(call_id=call_id, call_sid="CAold", queue="operators", joined_at=now - timedelta(minutes=20),
                          left_at=now - timedelta(minutes=10), wait_s=wait_s, result="answered", path=[]))
    db.commit()
    said = wait(voice, queue_time=60).said()
    assert "dự kiến khoảng 3 phút" in said  # 240 s typical, 60 s already waited


def test_bridged_by_twilios_word_alone_is_still_answered(client: TestClient, db: Session, make_operator) -> None:
    go(client, login(client, make_operator()), "ready")
    voice = caller_in_queue(client)
    wait(voice)
    queue_post(voice, "/twilio/voice/queue/done", QueueResult="bridged", QueueTime="14")
    entry = _entry(db, voice.sid)
    assert (entry.result, entry.wait_s, entry.answered_by) == ("answered", 14, None)
    assert entry.handle_s is not None
