"""Operators claim, complete and submit over the API; supervisors retry failed deliveries."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.dossiers.ticker import DossierChores
from callcenter.onestop.client import HttpOneStopClient
from callcenter.onestop.emulator import ManualClock, create_emulator_app
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.handlers import install_default_handlers
from callcenter.outbox.registry import HandlerRegistry
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import DossierChoresConfig, EmulatorConfig, OutboxConfig, Settings
from models.db import make_sessionmaker
from models.dossier import Dossier
from models.onestop_emulator import OneStopEmuDossier
from models.outbox import OutboxEntry
from models.user import User
from tests.callcenter.api.conftest import Login, MakeUser
from tests.callcenter.dossiers.conftest import STEP, complete_values, in_days, make_dossier
from tests.live_server import serve

COMPLETE_PATCH: dict[str, Any] = {
    "applicant": {
        "name": "Nguyễn Văn Tám",
        "id_number": "051070001234",
        "phone": "0905123456",
        "address": {"line": "Thôn An Hải", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"},
    },
    "fields": {"main_gear": "lưới vây", "fishing_zone": "khơi", "port": "Cảng cá Sa Kỳ"},
    "delivery": {"method": "post"},
}


@pytest.fixture
def headers(operator: User, login: Login) -> dict[str, str]:
    return login(operator)


def test_claim_returns_the_dossier_and_a_second_operator_hears_who_holds_it(
    client: TestClient, db: Session, headers: dict[str, str], make_user: MakeUser, login: Login
) -> None:
    make_dossier(db)
    response = client.post("/api/v1/dossiers/472915/claim", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["claimed_by"]) == ("in_progress", "vana")
    assert body["history"][-1]["by"] == "vana"

    other = login(make_user("vanc", "operator"))
    conflict = client.post("/api/v1/dossiers/472915/claim", headers=other)
    assert conflict.status_code == 409
    assert "vana" in conflict.json()["detail"]
    assert client.post("/api/v1/dossiers/999999/claim", headers=other).status_code == 404


def test_supervisors_read_but_do_not_work_dossiers(
    client: TestClient, db: Session, supervisor: User, login: Login
) -> None:
    make_dossier(db)
    response = client.post("/api/v1/dossiers/472915/claim", headers=login(supervisor))
    assert response.status_code == 403


def test_patch_completes_the_dossier_and_answers_with_all_of_it(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    make_dossier(db, applicant_phone=None)
    response = client.patch("/api/v1/dossiers/472915", json=COMPLETE_PATCH, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applicant"]["phone"] == "+84905123456"
    assert body["applicant"]["address"]["commune"] == "Đặc khu Lý Sơn"
    assert body["fields"] == {"main_gear": "lưới vây", "fishing_zone": "khơi", "port": "Cảng cá Sa Kỳ"}
    assert body["delivery"]["method"] == "post"
    assert body["claimed_by"] == "vana" and body["status"] == "in_progress"
    assert body["history"][-1]["what"].startswith("Cập nhật")
    assert "messages" in body


def test_patch_names_each_bad_field_by_its_path(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    make_dossier(db, procedure="vessel_safety_certificate", variant=None)
    response = client.patch(
        "/api/v1/dossiers/472915",
        json={
            "applicant": {"id_number": "212345678", "phone": "0905"},
            "fields": {"inspection_date": "31/02/2027", "colour": "xanh"},
            "delivery": {"method": "bồ câu", "address": {"line": "Thôn 1", "commune": "Tịnh Kỳ"}},
        },
        headers=headers,
    )
    assert response.status_code == 422
    problems = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert set(problems) == {
        ("body", "applicant", "id_number"),
        ("body", "applicant", "phone"),
        ("body", "fields", "inspection_date"),
        ("body", "fields", "colour"),
        ("body", "delivery", "method"),
        ("body", "delivery", "address", "province"),
    }
    assert "12 số" in problems[("body", "applicant", "id_number")]
    unknown = client.patch("/api/v1/dossiers/472915", json={"vessel": {"name": "x"}}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "vessel"]


def test_submit_is_accepted_once_complete(client: TestClient, db: Session, headers: dict[str, str]) -> None:
    make_dossier(db)
    incomplete = client.post("/api/v1/dossiers/472915/submit", headers=headers)
    assert incomplete.status_code == 422
    locs = [item["loc"] for item in incomplete.json()["detail"]]
    assert ["body", "fields", "main_gear"] in locs and ["body", "applicant", "id_number"] in locs

    assert client.patch("/api/v1/dossiers/472915", json=COMPLETE_PATCH, headers=headers).status_code == 200
    accepted = client.post("/api/v1/dossiers/472915/submit", headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "submitting"
    again = client.post("/api/v1/dossiers/472915/submit", headers=headers)
    assert again.status_code == 409
    assert db.scalar(select(func.count()).select_from(OutboxEntry)) == 1


def test_procedures_catalogue(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/procedures", headers=headers)
    assert response.status_code == 200
    procedures = {p["code"]: p for p in response.json()}
    licence = procedures["fishing_licence"]
    assert licence["name"] == "Cấp, cấp lại Giấy phép khai thác thủy sản"
    assert licence["variants"] == ["new", "reissue"]
    gear = next(f for f in licence["fields"] if f["name"] == "main_gear")
    assert gear["type"] == "choice" and gear["required"] is True and "lưới kéo" in gear["choices"]
    reason = next(f for f in licence["fields"] if f["name"] == "reissue_reason")
    assert reason["variants"] == ["reissue"]
    safety = procedures["vessel_safety_certificate"]
    place = next(f for f in safety["fields"] if f["name"] == "inspection_place")
    assert "Trung tâm tỉnh, 54 Hùng Vương" in place["choices"]
    assert next(f for f in safety["fields"] if f["name"] == "inspection_date")["type"] == "date"
    for procedure in procedures.values():
        for field in procedure["fields"]:
            assert {"name", "label", "type", "required", "choices"} <= set(field)
            assert field["type"] in ("text", "number", "date", "choice")


def test_supervisors_see_failed_deliveries_and_retry_them(
    client: TestClient, db: Session, headers: dict[str, str], supervisor: User, login: Login
) -> None:
    dossier = make_dossier(db, status="in_progress", **complete_values())
    db.add(
        OutboxEntry(
            kind="onestop.submit",
            idempotency_key="onestop:472915:1",
            status="failed",
            attempts=1,
            payload={"dossier_id": dossier.id, "reference": "472915", "application": {}},
            last_error="Hệ thống một cửa từ chối hồ sơ: Thủ tục chưa được cấu hình",
        )
    )
    db.commit()
    assert client.get("/api/v1/outbox/failed", headers=headers).status_code == 403
    boss = login(supervisor)
    listing = client.get("/api/v1/outbox/failed", headers=boss)
    assert listing.status_code == 200
    (item,) = listing.json()["items"]
    assert (item["kind"], item["reference"]) == ("onestop.submit", "472915")
    assert "Thủ tục chưa được cấu hình" in item["reason"]

    retried = client.post(f"/api/v1/outbox/{item['id']}/retry", headers=boss)
    assert retried.status_code == 202, retried.text
    assert client.get("/api/v1/outbox/failed", headers=boss).json()["items"] == []
    assert client.get("/api/v1/dossiers/472915", headers=headers).json()["status"] == "submitting"
    assert client.post(f"/api/v1/outbox/{item['id']}/retry", headers=boss).status_code == 409
    assert client.post("/api/v1/outbox/99999/retry", headers=boss).status_code == 404


# --- end to end, over real HTTP to the emulator ---------------------------------------


@pytest.fixture
def emulator_clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def emulator_url(engine: Engine, db: Session, emulator_clock: ManualClock) -> Iterator[str]:
    app = create_emulator_app(
        sessionmaker=make_sessionmaker(engine),
        api_key="e2e-key",
        clock=emulator_clock,
        config=EmulatorConfig(step_seconds=STEP.total_seconds()),
    )
    with serve(app) as url:
        yield url


@pytest.mark.slow
def test_from_claim_to_delivery_over_real_http(
    client: TestClient,
    db: Session,
    engine: Engine,
    headers: dict[str, str],
    settings: Settings,
    emulator_url: str,
    emulator_clock: ManualClock,
) -> None:
    make_dossier(db, procedure="vessel_safety_certificate", variant=None)
    body = {
        **COMPLETE_PATCH,
        "fields": {
            "inspection_kind": "định kỳ",
            "inspection_place": "trung tam tinh, 54 hung vuong",
            "inspection_date": in_days(3),
        },
    }
    assert client.post("/api/v1/dossiers/472915/claim", headers=headers).status_code == 200
    assert client.patch("/api/v1/dossiers/472915", json=body, headers=headers).status_code == 200
    assert client.post("/api/v1/dossiers/472915/submit", headers=headers).status_code == 202

    linked = settings.model_copy(update={"onestop_base_url": emulator_url, "onestop_api_key": "e2e-key"})
    context = OutboxContext(settings=linked, http=httpx.Client(timeout=5))
    sessions = make_sessionmaker(engine)
    worker = OutboxWorker(
        sessions,
        context,
        config=OutboxConfig(),
        registry=install_default_handlers(HandlerRegistry()),
        rng=random.Random(1),
    )
    chores = DossierChores(
        sessions,
        client=HttpOneStopClient.from_settings(linked, http=context.http),
        sending_enabled=False,
        config=DossierChoresConfig(),
    )
    try:
        assert worker.drain().done == 1
        detail = client.get("/api/v1/dossiers/472915", headers=headers).json()
        assert detail["status"] == "submitted"
        code = detail["onestop"]["code"]
        assert code.startswith("000.00.53.H48-")
        assert code in detail["messages"][-1]["body"]
        filed = db.scalars(select(OneStopEmuDossier)).one()
        assert filed.application["eForm"]["data"]["inspectionPlace"] == "Trung tâm tỉnh, 54 Hùng Vương"

        statuses = []
        for _ in range(4):
            emulator_clock.advance(STEP)
            chores.run_once()
            statuses.append(client.get("/api/v1/dossiers/472915", headers=headers).json()["status"])
        assert statuses == ["processing", "result_ready", "in_transit", "delivered"]
        final = client.get("/api/v1/dossiers/472915", headers=headers).json()
        assert final["postal"]["tracking_number"] in final["messages"][3]["body"]
        assert len(final["messages"]) == 5
    finally:
        context.close()
    db.expire_all()
    assert db.scalars(select(Dossier.status)).one() == "delivered"
