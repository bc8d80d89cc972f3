"""A web dossier with its documents, submitted by an operator, reaches the one-stop desk
(the built-in emulator, over HTTP) with the documents uploaded as iGate takes them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.dossiers.onestop_sync import deliver_submission
from callcenter.onestop.emulator import create_emulator_app
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.registry import HandlerRegistry
from callcenter.users.service import create_user
from ivr.settings import Settings
from models.attachment import Attachment
from models.base import utcnow
from models.dossier import Dossier
from tests.callcenter.outbox.helpers import FakeClock, make_worker
from tests.callcenter.public.conftest import OWNER_PHONE, SignIn, bearer, photo_with_gps
from tests.callcenter.public.payloads import filing
from tests.live_server import serve

PASSWORD = "mat-khau-du-dai-123"
DESK_KEY = "desk-key-for-this-test"


def _operator_token(client: TestClient, db: Session) -> str:
    create_user(db, username="vana", password=PASSWORD, role="operator")
    db.commit()
    answer = client.post("/api/v1/auth/token", data={"username": "vana", "password": PASSWORD})
    return str(answer.json()["access_token"])


def test_the_documents_go_to_the_one_stop_desk_with_the_dossier(
    client: TestClient, sign_in: SignIn, db: Session, engine: Engine, settings: Settings, app: FastAPI
) -> None:
    citizen = sign_in(OWNER_PHONE)
    reference = client.post("/api/v1/public/dossiers", json=filing("household_business_termination"),
                            headers=bearer(citizen)).json()["reference"]
    staff = bearer(_operator_token(client, db))
    early = client.post(f"/api/v1/dossiers/{reference}/submit", headers=staff)
    assert early.status_code == 422  # the certificate the procedure requires is not there yet
    assert [e["loc"] for e in early.json()["detail"]] == [["body", "attachments", "registration_certificate"]]

    photo = client.post(f"/api/v1/public/dossiers/{reference}/attachments", headers=bearer(citizen),
                        data={"name": "registration_certificate"}, files={"file": ("gcn.jpg", photo_with_gps())})
    assert photo.status_code == 201
    assert client.post(f"/api/v1/dossiers/{reference}/submit", headers=staff).status_code == 202

    # The outbox worker delivers to the built-in emulator over HTTP, as the app's own
    # loopback emulator would be reached: its own server, behind its key.
    registry = HandlerRegistry()
    registry.register("onestop.submit", deliver_submission)
    desk_app = create_emulator_app(sessionmaker=app.state.sessionmaker, api_key=DESK_KEY)
    with serve(desk_app) as base, httpx.Client(timeout=10, headers={"Authorization": f"Bearer {DESK_KEY}"}) as http:
        desk = settings.model_copy(update={"onestop_base_url": base, "onestop_api_key": DESK_KEY})
        worker = make_worker(engine, OutboxContext(settings=desk, http=http), clock=FakeClock(utcnow()),
                             registry=registry)
        worker.drain()
        db.expire_all()
        dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
        assert dossier.status == "submitted" and dossier.onestop_code
        files = http.get(f"{base}/pa/dossier/--files", params={"code": dossier.onestop_code}).json()
        kept = db.scalars(select(Attachment)).one()
        stored = (Path(settings.attachments.store_url) / kept.storage_key).read_bytes()
        assert [(f["contentType"], f["sha256"]) for f in files] == [
            ("image/jpeg", hashlib.sha256(stored).hexdigest())
        ]
        wire = http.get(f"{base}/pa/dossier/--by-code", params={"code": dossier.onestop_code}).json()
        assert wire["attachments"][0]["name"] == "registration_certificate"
        assert wire["procedure"]["code"] == "QNG-HKD-CDHD"
        downloaded = http.get(f"{base}/pa/file/{files[0]['fileId']}")
        assert downloaded.content == stored
