"""The worker inside the app (default) and as `tongdai worker --once`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.app import create_app
from callcenter.cli.main import app as cli
from ivr.intake.messages import queue_sms
from ivr.settings import Settings
from models.message import Message
from models.outbox import OutboxEntry
from tests.conftest import TWILIO_TOKEN

pytestmark = pytest.mark.slow  # live servers, threads and races: seconds, not milliseconds


def test_the_app_runs_the_worker_in_the_background_and_stops_it_on_shutdown(
    db: Session, settings: Settings
) -> None:
    # No handler exists for this kind, so the worker records that it tried: proof it ran.
    db.add(OutboxEntry(kind="test.nobody", idempotency_key="k1", payload={}))
    db.commit()
    app = create_app(settings.model_copy(update={"run_worker_in_app": True}))
    with TestClient(app):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.expire_all()
            if db.scalars(select(OutboxEntry)).one().attempts:
                break
            time.sleep(0.1)
        started_stopping = time.monotonic()
    assert time.monotonic() - started_stopping < 3, "shutdown waited on the worker"
    assert not any(t.name == "outbox-worker" and t.is_alive() for t in threading.enumerate())
    entry = db.scalars(select(OutboxEntry)).one()
    assert (entry.attempts, entry.last_error) == (1, "không có bộ xử lý cho loại test.nobody")


class _FakeTwilio(BaseHTTPRequestHandler):
    """A stand-in for api.twilio.com that a separate command can reach over the network."""

    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.received.append({"path": self.path, **form})
        body = b'{"sid": "SM00000000000000000000000000000001", "status": "queued"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_twilio_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTwilio)
    _FakeTwilio.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_worker_once_sends_what_is_due_and_exits(
    db: Session, database_url: str, fake_twilio_url: str, monkeypatch: pytest.MonkeyPatch,
    tmp_path: object,
) -> None:
    message_id = queue_sms(db, to="+84905123456", body="Ma ho so cua ban la 472915", dossier_id=None,
                        sending_enabled=True)
    db.commit()
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # away from the developer's .env
    for name, value in {
        "DATABASE_URL": database_url, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_FROM_NUMBER": "+842553818558",
        "TWILIO_API_BASE_URL": fake_twilio_url,
    }.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "Đã gửi 1, hẹn thử lại 0, thất bại 0." in result.output
    assert "sms_sent" in result.output and "+84905***456" in result.output
    assert "+84905123456" not in result.output, "phone numbers are masked in the log"
    assert [r["Body"] for r in _FakeTwilio.received] == ["Ma ho so cua ban la 472915"]
    db.expire_all()
    assert db.get_one(Message, message_id).status == "sent"
    assert CliRunner().invoke(cli, ["worker", "--once"]).output.startswith("Đã gửi 0,")
