"""The phone simulator plays a caller through the queue, and `tongdai agent` plays the
operator's softphone and Twilio's bridge — against the real app, signed as Twilio signs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.cli.agent import Agent, _talk
from ivr.simulator import CallIdentity, Heard, ScriptedKeypad, SimulatedCall, run_call
from models.callback import CallbackRequest
from models.queue import QueueEntry
from tests.conftest import PUBLIC_BASE, TWILIO_TOKEN
from tests.ivr.queue.conftest import PASSWORD, go, login


@pytest.fixture
def public(app: FastAPI) -> Iterator[TestClient]:
    """The app at the URL Twilio signs for, so simulators sign exactly as Twilio does."""
    with TestClient(app, base_url=PUBLIC_BASE) as c:
        yield c


def _caller(keys: str, heard: list[str]) -> SimulatedCall:
    call = SimulatedCall(base_url=PUBLIC_BASE, token=TWILIO_TOKEN, identity=CallIdentity("+84987654321", "+842553818558"),
                         keypad=ScriptedKeypad.parse(keys), follow_queue=True, queue_round_s=0, max_steps=30)
    call.listener = lambda h: heard.append(h.text if isinstance(h, Heard) else str(h))
    return call


def test_the_phone_waits_in_the_queue_and_key_1_asks_for_a_call_back(
    public: TestClient, db: Session, make_operator
) -> None:
    go(public, login(public, make_operator()), "ready")
    heard: list[str] = []
    call = run_call(public, _caller("0,1", heard))
    assert call.ended_by == "hangup", call.error
    text = " ".join(heard)
    assert "vào hàng chờ" in text and "vị trí thứ 1" in text and "gọi lại theo đúng lượt" in text
    assert [t.url.rsplit("/", 1)[-1] for t in call.turns][-3:] == ["wait", "key", "done"]
    db.rollback()
    assert db.scalar(select(CallbackRequest.reason)) == "queue_choice"


def test_the_agent_answers_the_waiting_phone(
    public: TestClient, db: Session, make_operator, capsys: pytest.CaptureFixture[str]
) -> None:
    an = make_operator()
    agent = Agent(public, PUBLIC_BASE, TWILIO_TOKEN)
    agent.log_in(an.username, PASSWORD)
    agent.identity = agent.api("GET", "/operators/me")["identity"]
    agent.api("PUT", "/operators/me/state", json={"state": "ready"})
    heard: list[str] = []
    caller = _caller("0", heard)
    request = caller.first_request()
    # The phone goes through the menu into the queue and hears its first announcement.
    while not any("vị trí thứ" in h for h in heard):
        r = public.post(request.url, data=request.form, headers=request.headers)
        request = caller.on_answer(r.status_code, r.headers["content-type"], r.content)
        assert request is not None
    offer = agent.api("GET", "/operators/me")["offer"]
    assert offer["call_sid"] == caller.identity.call_sid
    _talk(agent, offer=offer, talk_s=0, wrap_up="advice")
    printed = capsys.readouterr().out
    # The operator reads the menus in the guide's words, never the flow's node names.
    assert "Đi qua menu: Menu chính" in printed and "main" not in printed
    # The phone asks the wait URL once more and hears who answered.
    while request is not None:
        r = public.post(request.url, data=request.form, headers=request.headers)
        request = caller.on_answer(r.status_code, r.headers["content-type"], r.content)
    assert caller.ended_by == "operator"
    assert "điện thoại viên An sẽ nghe máy" in " ".join(heard)
    db.rollback()
    entry = db.scalar(select(QueueEntry))
    assert entry is not None
    assert (entry.result, entry.answered_by, entry.wrap_up_code, entry.queue_result) == (
        "answered", "vana", "advice", "bridged")
