"""The voice webhooks when the database itself is the fault: an apology and a person, in time."""

from __future__ import annotations

import socket
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from callcenter.app import create_app
from ivr.settings import Settings
from models.db import make_engine, make_sessionmaker
from tests.ivr.sms.conftest import Texter
from tests.ivr.voice import VoiceCaller


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def test_an_unreachable_database_gives_the_apology_and_the_next_webhook_tries_again(
    settings: Settings, db: Session
) -> None:
    app = create_app(settings)
    # The server started on a good database; then the database went away.
    gone = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere", timeout_s=2)
    app.state.sessionmaker = make_sessionmaker(gone)
    with TestClient(app) as client:
        for attempt in range(2):  # each webhook tries afresh: a database that comes back is used
            answer = VoiceCaller(client, sid=f"CA{attempt:032d}").ring()
            assert "Xin lỗi" in answer.said()
            assert answer.root.find("Enqueue") is not None or answer.root.find("Record") is not None
    gone.dispose()


@pytest.mark.slow
def test_a_step_stuck_behind_another_writer_ends_in_the_apology_before_twilio_gives_up(
    settings: Settings, db: Session, engine: Engine
) -> None:
    settings.database_timeout_s = 0.5
    with TestClient(create_app(settings)) as client:
        phone = VoiceCaller(client)
        first = phone.ring()
        with engine.connect() as other:  # a long report, a stuck worker: it holds what the step needs
            if engine.dialect.name == "postgresql":
                other.execute(text("SELECT 1 FROM calls WHERE call_sid = :sid FOR UPDATE"), {"sid": phone.sid})
            else:
                other.execute(text("UPDATE calls SET twilio_status = twilio_status WHERE call_sid = :sid"),
                              {"sid": phone.sid})  # SQLite: the database's write lock
            started = time.monotonic()
            stuck = phone.post(first.next_url(), Digits="1")
            waited = time.monotonic() - started
            other.rollback()
        assert "Xin lỗi" in stuck.said()
        assert waited < 5  # not Twilio's 15 s: the wait was given up after the timeout
        again = phone.post(first.next_url(), Digits="1")  # Twilio's retry, the lock gone
        assert "Xin lỗi" not in again.said() and again.gather() is not None


@pytest.mark.slow
def test_an_sms_behind_another_writer_is_answered_in_time_and_counted_once(
    settings: Settings, db: Session, engine: Engine
) -> None:
    # The SMS webhook waits for the database no longer than the voice webhooks do.
    settings.database_timeout_s = 0.5
    with TestClient(create_app(settings)) as client:
        texter = Texter(client)
        with engine.connect() as other:
            if engine.dialect.name == "postgresql":
                other.execute(text("LOCK TABLE webhook_claims IN EXCLUSIVE MODE"))
            else:
                other.execute(text("INSERT INTO webhook_claims (key, fingerprint, response, created_at) "
                                   "VALUES ('held', '', '', CURRENT_TIMESTAMP)"))  # SQLite's write lock
            started = time.monotonic()
            reply = texter.send("GP 90567", sid="SM" + "7" * 32)
            waited = time.monotonic() - started
            other.rollback()
        assert reply is not None and "su co" in reply  # the apology, in plain Vietnamese
        assert waited < 5  # not Twilio's 15 s
        again = texter.send("GP 90567", sid="SM" + "7" * 32)  # Twilio's retry, the lock gone
        assert again is not None and "Ma ho so" in again
