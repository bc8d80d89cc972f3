"""API logins and call-log exports leave an audit entry: who, what, from where."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.dossier import Dossier
from models.user import User
from tests.callcenter.reports.builders import known_calls
from tests.callcenter.reports.fixtures import Login


def entries(db: Session, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_login_and_failed_login_are_recorded(client: TestClient, db: Session, supervisor: User, login: Login) -> None:
    login(supervisor)
    refused = client.post("/api/v1/auth/token", data={"username": "thib", "password": "sai-mat-khau-roi"})
    assert refused.status_code == 401
    [ok] = entries(db, "login")
    assert (ok.actor, ok.role, ok.ip, ok.detail) == ("thib", "supervisor", "testclient", {"via": "api"})
    [failed] = entries(db, "login_failed")
    assert failed.actor == "thib" and failed.actor_id is None


def test_csv_export_is_recorded_and_vietnamese_names_round_trip(
    client: TestClient, db: Session, supervisor: User, login: Login
) -> None:
    known_calls(db)
    db.add(Dossier(reference="472915", procedure="fishing_licence", variant="new", channel="ivr", status="draft",
                   applicant_name="Nguyễn Thị Hồng Nhung", fields={}))
    db.commit()
    response = client.get("/api/v1/calls", params={"format": "csv", "phone": "0905123456"},
                          headers=login(supervisor))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Nguyễn Thị Hồng Nhung" in {r["applicant_name"] for r in rows}
    [export] = entries(db, "export")
    assert export.actor == "thib" and export.target == "calls"
    assert export.detail is not None and export.detail["phone"] == "+84905***456"  # masked even here
