"""`GET /api/v1/audit`: admins read who did what; everyone else is refused."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from models.user import User
from tests.callcenter.reports.builders import T0
from tests.callcenter.reports.fixtures import Login


def test_admin_reads_the_trail_filtered_and_paged(
    client: TestClient, db: Session, admin: User, supervisor: User, login: Login
) -> None:
    for minutes in range(3):
        entry = record_audit(db, actor=supervisor, action="export", target="calls", ip="10.0.0.5")
        entry.at = T0 + timedelta(minutes=minutes)
    record_audit(db, actor=None, action="login_failed", actor_name="ke-la", ip="10.0.0.9").at = T0
    db.commit()
    headers = login(admin)
    first = client.get("/api/v1/audit", params={"actor": "thib", "limit": 2, "until": "2026-03-02"},
                       headers=headers).json()
    assert [e["action"] for e in first["items"]] == ["export", "export"]
    assert first["items"][0]["at"] > first["items"][1]["at"]  # newest first
    assert first["items"][0]["ip"] == "10.0.0.5"
    rest = client.get("/api/v1/audit", params={"actor": "thib", "limit": 2, "cursor": first["next_cursor"],
                                               "until": "2026-03-02"}, headers=headers).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    failed = client.get("/api/v1/audit", params={"action": "login_failed"}, headers=headers).json()
    assert [e["actor"] for e in failed["items"]] == ["ke-la"]


def test_supervisors_and_operators_may_not_read_the_trail(
    client: TestClient, supervisor: User, operator: User, login: Login
) -> None:
    assert client.get("/api/v1/audit", headers=login(supervisor)).status_code == 403
    assert client.get("/api/v1/audit", headers=login(operator)).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401
