"""Console fixtures: users, drafts, and logging in through the real form (CSRF and all)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.users.service import create_user
from models.base import utcnow
from models.dossier import Dossier, DossierEvent
from models.user import User
from models.vessel import Vessel

PASSWORD = "mat-khau-du-dai-123"
CALLER = "+84905123456"
OWNER_ID = "051085001234"
BASE = "https://testserver"

MakeUser = Callable[..., User]
MakeDraft = Callable[..., Dossier]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Over https: the session cookie is Secure (PUBLIC_BASE_URL is https in the test settings)."""
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture
def make_user(db: Session) -> MakeUser:
    def make(username: str, role: str = "operator", **kwargs: object) -> User:
        user = create_user(db, username=username, password=PASSWORD, role=role, **kwargs)  # type: ignore[arg-type]
        db.commit()
        return user

    return make


@pytest.fixture
def vessel(db: Session) -> Vessel:
    boat = Vessel(
        registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567", vessel_name="Hải Long 01",
        owner_name="Nguyễn Văn Tàu", owner_phone=CALLER, owner_id_number=OWNER_ID, address="Thôn An Vĩnh",
        commune="Lý Sơn", district=None, province="Quảng Ngãi", length_m=Decimal("16.50"), main_gear="lưới vây",
    )
    db.add(boat)
    db.commit()
    return boat


@pytest.fixture
def make_draft(db: Session) -> MakeDraft:
    counter = iter(range(100000, 999999))

    def make(*, vessel: Vessel | None = None, created_at: datetime | None = None, **kwargs: object) -> Dossier:
        at = created_at or utcnow() - timedelta(minutes=12)
        values: dict[str, object] = {
            "procedure": "fishing_licence", "variant": "new", "channel": "ivr", "status": "draft",
            "vessel_registration": vessel.registration_number if vessel else "QNg-12345-TS",
            "vessel_verified": vessel is not None, "vessel_id": vessel.id if vessel else None,
            "applicant_phone": CALLER, "fields": {},
        }
        values.update(kwargs)
        dossier = Dossier(reference=str(next(counter)), created_at=at, updated_at=at, **values)
        dossier.history.append(DossierEvent(by="ivr", what="Tạo hồ sơ nháp qua tổng đài tự động", at=at))
        db.add(dossier)
        db.commit()
        return dossier

    return make


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/console/login")
    response = client.post("/console/login", data={
        "csrf_token": csrf_of(page.text), "username": username, "password": password, "next": "/console/queue",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text


@pytest.fixture
def operator(make_user: MakeUser) -> User:
    return make_user("vana", "operator", full_name="Nguyễn Văn A", phone="+84912000111")


@pytest.fixture
def operator_client(client: TestClient, operator: User) -> TestClient:
    log_in(client, operator.username)
    return client
