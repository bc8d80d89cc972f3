"""With ONESTOP_BASE_URL unset the built-in emulator runs on a loopback port of its own,
behind a key, never on the service's port; a submission still goes end to end over it."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.app import create_app
from callcenter.cli.main import app as cli
from callcenter.users.service import create_user
from ivr.settings import OneStopNotConfigured, OutboxConfig, Settings
from models.dossier import Dossier
from models.onestop_emulator import OneStopEmuDossier
from tests.callcenter.api.test_dossier_actions import COMPLETE_PATCH
from tests.callcenter.dossiers.conftest import make_dossier
from tests.callcenter.onestop.conftest import application_body
from tests.conftest import TWILIO_TOKEN

OLD_ROUTES = [
    ("GET", "/onestop-emulator/pa/dossier/search"),
    ("GET", "/onestop-emulator/pa/dossier/--by-code?code=000.00.53.H48-270203-0001"),
    ("POST", "/onestop-emulator/pa/dossier/--apply-online"),
    ("POST", "/onestop-emulator/_emulator/dossiers/000.00.53.H48-270203-0001/--status"),
]


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    """The app as `make run` starts it: the outbox worker inside, no one-stop system set."""
    return settings.model_copy(update={"run_worker_in_app": True, "outbox": OutboxConfig(poll_s=0.1)})


@pytest.fixture
def running(worker_settings: Settings, db: Session) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(worker_settings)
    with TestClient(app) as client:
        yield app, client


def test_the_old_emulator_routes_answer_404_on_the_service(running: tuple[FastAPI, TestClient]) -> None:
    _, client = running
    for method, path in OLD_ROUTES:
        response = client.request(method, path, json=application_body(), headers={"Idempotency-Key": "k"})
        assert response.status_code == 404, (method, path)


def test_the_emulator_listens_on_loopback_only_and_refuses_calls_without_the_key(
    running: tuple[FastAPI, TestClient], worker_settings: Settings
) -> None:
    url = worker_settings.onestop_url
    assert urlsplit(url).hostname == "127.0.0.1"
    key = worker_settings.onestop_key
    assert key and len(key) >= 32  # none configured: a random one of this process's own
    search = url + "/pa/dossier/search"
    assert httpx.get(search).status_code == 401
    assert httpx.get(search, headers={"Authorization": "Bearer guessed"}).status_code == 401
    status = httpx.post(url + "/_emulator/dossiers/000.00.53.H48-270203-0001/--status",
                        json={"status": "refused", "reason": "x"})
    assert status.status_code == 401
    assert httpx.get(search, headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_the_emulator_leaves_the_services_access_log_on(running: tuple[FastAPI, TestClient]) -> None:
    # uvicorn.Config(access_log=False) would switch off the process-wide access logger.
    access = logging.getLogger("uvicorn.access")
    assert access.propagate or access.handlers


def test_a_configured_key_is_the_emulators_key(settings: Settings, db: Session) -> None:
    configured = settings.model_copy(update={"run_worker_in_app": True, "onestop_api_key": "k" * 40})
    with TestClient(create_app(configured)):
        assert configured.onestop_key == "k" * 40
        search = configured.onestop_url + "/pa/dossier/search"
        assert httpx.get(search, headers={"Authorization": "Bearer " + "k" * 40}).status_code == 200


def test_with_neither_a_system_nor_a_started_emulator_the_settings_say_so(settings: Settings) -> None:
    with pytest.raises(OneStopNotConfigured, match="ONESTOP_BASE_URL"):
        _ = settings.onestop_url
    real = settings.model_copy(update={"onestop_base_url": "https://dvc.example.vn/api/", "onestop_api_key": "r"})
    assert (real.onestop_url, real.onestop_key) == ("https://dvc.example.vn/api", "r")


def _wait_for(db: Session, reference: str, status: str) -> Dossier:
    deadline = time.monotonic() + 20
    while True:
        db.expire_all()
        dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
        if dossier.status == status or time.monotonic() > deadline:
            return dossier
        time.sleep(0.1)


@pytest.mark.slow
def test_a_submission_goes_end_to_end_through_the_loopback_emulator(
    running: tuple[FastAPI, TestClient], db: Session
) -> None:
    _, client = running
    create_user(db, username="vana", password="mat-khau-du-dai-123", role="operator")
    db.commit()
    make_dossier(db)
    token = client.post("/api/v1/auth/token", data={"username": "vana", "password": "mat-khau-du-dai-123"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.post("/api/v1/dossiers/472915/claim", headers=headers).status_code == 200
    assert client.patch("/api/v1/dossiers/472915", json=COMPLETE_PATCH, headers=headers).status_code == 200
    assert client.post("/api/v1/dossiers/472915/submit", headers=headers).status_code == 202

    dossier = _wait_for(db, "472915", "submitted")  # the in-app worker, over HTTP, to 127.0.0.1
    assert dossier.status == "submitted"
    assert dossier.onestop_code is not None and dossier.onestop_code.startswith("000.00.53.H48-")
    filed = db.scalars(select(OneStopEmuDossier)).one()
    assert filed.code == dossier.onestop_code


@pytest.mark.slow
def test_a_separate_worker_starts_its_own_emulator_and_the_apps_sees_what_it_filed(
    client: TestClient, worker_settings: Settings, db: Session, database_url: str,
    monkeypatch: pytest.MonkeyPatch, tmp_path: object,
) -> None:
    # Submitted through an app that runs no worker (RUN_WORKER_IN_APP=false): `tongdai worker` delivers.
    make_dossier(db)
    create_user(db, username="vana", password="mat-khau-du-dai-123", role="operator")
    db.commit()
    token = client.post("/api/v1/auth/token", data={"username": "vana", "password": "mat-khau-du-dai-123"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    client.post("/api/v1/dossiers/472915/claim", headers=headers)
    client.patch("/api/v1/dossiers/472915", json=COMPLETE_PATCH, headers=headers)
    assert client.post("/api/v1/dossiers/472915/submit", headers=headers).status_code == 202
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # away from the developer's .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.delenv("ONESTOP_BASE_URL", raising=False)

    result = CliRunner().invoke(cli, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "BUILT-IN ONE-STOP EMULATOR" in result.output and "127.0.0.1" in result.output
    assert "Đã gửi 1, hẹn thử lại 0, thất bại 0." in result.output
    dossier = _wait_for(db, "472915", "submitted")
    assert dossier.onestop_code is not None
    # Another process's emulator knows it too: one emulated system in one database.
    with TestClient(create_app(worker_settings)):
        found = httpx.get(worker_settings.onestop_url + "/pa/dossier/--by-code",
                          params={"code": dossier.onestop_code},
                          headers={"Authorization": f"Bearer {worker_settings.onestop_key}"})
    assert found.status_code == 200 and found.json()["code"] == dossier.onestop_code
