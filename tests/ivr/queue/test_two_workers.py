"""Two workers on one database (two app instances, each its own engine and pool, as two
uvicorn processes would be): two operators going ready at the same instant and two callers
arriving at the same instant get two distinct offers and two distinct bridges, and both
workers read the same presence and the same queue. Nothing about either lives in a process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.app import create_app
from ivr.settings import Settings
from models.operator import OperatorPresence
from models.queue import QueueEntry
from tests.ivr.queue.conftest import caller_in_queue, login, operator_leg, queue_post, wait


@pytest.fixture
def workers(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        yield one, two


def _at_once(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released by one barrier: the same instant, as near as can be."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int, job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = job()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_workers_two_operators_two_callers_two_distinct_bridges(
    workers: tuple[TestClient, TestClient], db: Session, make_operator
) -> None:
    one, two = workers
    an, binh = make_operator("vana", "Nguyễn Văn An"), make_operator("binh", "Phạm Thị Bình")
    a_headers, b_headers = login(one, an), login(two, binh)
    # The callers ring on different workers, and wait on different workers.
    first, second = caller_in_queue(one, 1), caller_in_queue(two, 2, caller="+84912000111")

    for client, headers in ((one, a_headers), (two, b_headers)):  # each worker's routes built once, here
        assert client.put("/api/v1/operators/me/state", json={"state": "away"}, headers=headers).status_code == 200
    # The two operators go ready at the same instant, on different workers…
    results = _at_once(
        lambda: one.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=a_headers),
        lambda: two.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=b_headers),
    )
    assert [r.status_code for r in results] == [200, 200]
    # …and the two callers' first wait-URL requests arrive at the same instant, on different workers.
    answers = _at_once(lambda: wait(first, queue_time=2), lambda: wait(second, position=2, queue_time=1))
    assert all(a.gather() is not None for a in answers)  # both wait: somebody is on duty
    db.rollback()  # a fresh read, not this session's old snapshot
    offers = {p.user_id: p.offer_call_sid for p in db.scalars(select(OperatorPresence))}
    assert sorted(offers.values()) == sorted([first.sid, second.sid])  # one caller each, none twice
    entries = {e.call_sid: e.offered_to_id for e in db.scalars(select(QueueEntry))}
    assert {v: k for k, v in offers.items()} == entries

    # Both workers read the same presence and the same queue.
    sup = make_operator("giamsat", "Lê Văn Minh", role="supervisor")
    s1, s2 = login(one, sup), login(two, sup)
    assert one.get("/api/v1/operators", headers=s1).json() == two.get("/api/v1/operators", headers=s2).json()
    queue_one = one.get("/api/v1/queue", headers=s1).json()
    assert queue_one == two.get("/api/v1/queue", headers=s2).json()
    assert [c["call_sid"] for c in queue_one] == [first.sid, second.sid]

    # Both operators' legs arrive at once, on different workers: each is given the Dial.
    leg_a, leg_b = "CA" + "a" * 32, "CA" + "b" * 32
    legs = _at_once(lambda: operator_leg(one, "vana", leg_a), lambda: operator_leg(two, "binh", leg_b))
    assert all("<Queue" in r.text for r in legs), [r.text for r in legs]
    db.rollback()  # a fresh read, not this session's old snapshot
    # Twilio hands the front caller to the leg that dialled first (here An's) and the next to
    # Binh; the two Queue url requests reach different workers at once.
    _at_once(lambda: queue_post(first, "/twilio/voice/queue/bridge", DequeingCallSid=leg_a, QueueTime="5"),
             lambda: queue_post(second, "/twilio/voice/queue/bridge", DequeingCallSid=leg_b, QueueTime="4"))
    db.rollback()  # a fresh read, not this session's old snapshot
    answered = {e.call_sid: e.answered_by for e in db.scalars(select(QueueEntry))}
    assert answered == {first.sid: "vana", second.sid: "binh"}
    states = {p.user_id: (p.state, p.call_sid) for p in db.scalars(select(OperatorPresence))}
    assert states[an.id] == ("on_call", first.sid) and states[binh.id] == ("on_call", second.sid)
    ops_one = one.get("/api/v1/operators", headers=s1).json()
    assert ops_one == two.get("/api/v1/operators", headers=s2).json()
    assert {o["username"]: o["state"] for o in ops_one if o["username"] != "giamsat"} == {
        "vana": "on_call", "binh": "on_call"}
    assert one.get("/api/v1/queue", headers=s1).json() == two.get("/api/v1/queue", headers=s2).json() == []


def test_two_bridges_crossing_each_others_offers_at_once_both_land(
    workers: tuple[TestClient, TestClient], db: Session, make_operator
) -> None:
    """Twilio bridges the front of its queue, not the caller we offered: An, offered the
    second caller, gets the first, while Binh, offered the first, gets the second — at the
    same instant on two workers. Both bridges are recorded, each caller once."""
    one, two = workers
    an, binh = make_operator("vana", "Nguyễn Văn An"), make_operator("binh", "Phạm Thị Bình")
    for client, user in ((one, an), (two, binh)):
        assert client.put("/api/v1/operators/me/state", json={"state": "ready"},
                          headers=login(client, user)).status_code == 200
    first, second = caller_in_queue(one, 1), caller_in_queue(two, 2, caller="+84912000111")
    wait(first, queue_time=2)
    wait(second, position=2, queue_time=1)
    # Cross the offers, as a race between the two matchers can leave them.
    db.rollback()
    offers = {p.user_id: p.offer_call_sid for p in db.scalars(select(OperatorPresence))}
    if offers[an.id] != second.sid:
        db.execute(update(OperatorPresence).where(OperatorPresence.user_id == an.id)
                   .values(offer_call_sid=second.sid))
        db.execute(update(OperatorPresence).where(OperatorPresence.user_id == binh.id)
                   .values(offer_call_sid=first.sid))
        db.execute(update(QueueEntry).where(QueueEntry.call_sid == first.sid).values(offered_to_id=binh.id))
        db.execute(update(QueueEntry).where(QueueEntry.call_sid == second.sid).values(offered_to_id=an.id))
        db.commit()
    leg_a, leg_b = "CA" + "a" * 32, "CA" + "b" * 32
    legs = _at_once(lambda: operator_leg(one, "vana", leg_a), lambda: operator_leg(two, "binh", leg_b))
    assert all("<Queue" in r.text for r in legs), [r.text for r in legs]
    _at_once(lambda: queue_post(first, "/twilio/voice/queue/bridge", DequeingCallSid=leg_a, QueueTime="5"),
             lambda: queue_post(second, "/twilio/voice/queue/bridge", DequeingCallSid=leg_b, QueueTime="4"))
    db.rollback()
    entries = {e.call_sid: (e.answered_by, e.offered_to_id) for e in db.scalars(select(QueueEntry))}
    assert entries == {first.sid: ("vana", None), second.sid: ("binh", None)}
    presence = {p.user_id: (p.state, p.call_sid, p.offer_call_sid) for p in db.scalars(select(OperatorPresence))}
    assert presence == {an.id: ("on_call", first.sid, None), binh.id: ("on_call", second.sid, None)}
