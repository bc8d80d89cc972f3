"""The voice webhooks' unit of work when the database itself is the fault."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from ivr.calls import links
from ivr.calls.links import VoiceLink
from ivr.calls.unit import VoiceDatabase
from tests.ivr.voice import VoiceCaller


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def test_an_unreachable_postgresql_gives_the_fault_answer_and_is_tried_again() -> None:
    # The URL is only parsed here: nothing connects until a webhook runs.
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere")
    voice_db = VoiceDatabase(engine)
    worked: list[VoiceLink] = []
    faults: list[Exception] = []

    def work(link: VoiceLink) -> str:
        worked.append(link)
        return "answer"

    def fault(exc: Exception) -> str:
        faults.append(exc)
        return "apology"

    async def two_webhooks() -> list[str]:
        try:
            return [await voice_db.run(work, fault) for _ in range(2)]
        finally:
            await voice_db.close()

    assert asyncio.run(two_webhooks()) == ["apology", "apology"]
    assert worked == []
    # Each webhook tried to connect: a server that comes back is used by the next caller.
    assert len(faults) == 2 and all(isinstance(exc, OSError) for exc in faults)


def test_a_step_stuck_behind_a_lock_ends_in_the_apology_before_twilio_gives_up(
    client: TestClient, db: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes turns at writing inside the process; no row is locked elsewhere")
    monkeypatch.setattr(links, "DATABASE_TIMEOUT_S", 0.5)
    phone = VoiceCaller(client)
    first = phone.ring()
    with engine.connect() as other:  # someone else holds the call's row (a long report, a stuck worker)
        other.execute(text("SELECT 1 FROM calls WHERE call_sid = :sid FOR UPDATE"), {"sid": phone.sid})
        started = time.monotonic()
        stuck = phone.post(first.next_url(), Digits="1")
        waited = time.monotonic() - started
        other.rollback()
    assert "Xin lỗi" in stuck.said()
    assert waited < 5  # not Twilio's 15 s: the statement was given up after the timeout
    again = phone.post(first.next_url(), Digits="1")  # Twilio's retry, the lock gone
    assert "Xin lỗi" not in again.said() and again.gather() is not None
