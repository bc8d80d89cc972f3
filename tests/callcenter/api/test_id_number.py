"""Citizen ID numbers: masked everywhere in the API; whole only from the audited endpoint,
to the operator holding the dossier or a supervisor (contract section 5)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.user import User
from tests.callcenter.api.conftest import Login, MakeUser
from tests.callcenter.dossiers.conftest import make_dossier

CITIZEN_ID = "051080001234"
MASKED = "051******234"


@pytest.fixture
def held(db: Session, operator: User) -> str:
    make_dossier(db, applicant_id_number=CITIZEN_ID, claimed_by_id=operator.id, status="in_progress")
    return "472915"


def _views(db: Session) -> list[tuple[str, str | None, str | None]]:
    db.expire_all()
    rows = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_id_number")).all()
    return [(r.actor, r.target, r.ip) for r in rows]


def test_the_dossier_and_the_list_show_the_id_masked_to_every_role(
    client: TestClient, held: str, operator: User, supervisor: User, make_user: MakeUser, login: Login,
) -> None:
    for user in (operator, supervisor, make_user("quantri", "admin")):
        headers = login(user)
        detail = client.get(f"/api/v1/dossiers/{held}", headers=headers).json()
        assert detail["applicant"]["id_number"] == MASKED
        [item] = client.get("/api/v1/dossiers", headers=headers).json()["items"]
        assert item["applicant"]["id_number"] == MASKED
        assert CITIZEN_ID not in client.get(f"/api/v1/dossiers/{held}", headers=headers).text


def test_the_operator_holding_the_dossier_reads_it_whole_and_it_is_audited(
    client: TestClient, held: str, operator: User, login: Login, db: Session
) -> None:
    response = client.get(f"/api/v1/dossiers/{held}/id-number", headers=login(operator))
    assert response.status_code == 200
    assert response.json() == {"reference": held, "id_number": CITIZEN_ID}
    assert _views(db) == [("vana", f"dossier:{held}", "testclient")]
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_id_number")).all()
    assert entry.role == "operator" and entry.at is not None and entry.detail == {"via": "api"}


def test_a_supervisor_reads_it_whole_and_it_is_audited(
    client: TestClient, held: str, supervisor: User, login: Login, db: Session
) -> None:
    response = client.get(f"/api/v1/dossiers/{held}/id-number", headers=login(supervisor))
    assert response.status_code == 200 and response.json()["id_number"] == CITIZEN_ID
    assert _views(db) == [("thib", f"dossier:{held}", "testclient")]


def test_another_operator_and_an_admin_are_refused_in_vietnamese_and_nothing_is_shown(
    client: TestClient, held: str, make_user: MakeUser, login: Login, db: Session
) -> None:
    for user in (make_user("vanc", "operator"), make_user("quantri", "admin")):
        response = client.get(f"/api/v1/dossiers/{held}/id-number", headers=login(user))
        assert response.status_code == 403
        assert "đang giữ hồ sơ này hoặc giám sát viên" in response.json()["detail"]
        assert CITIZEN_ID not in response.text
    assert _views(db) == []


def test_an_operator_holding_no_claim_on_an_unclaimed_draft_is_refused(
    client: TestClient, operator: User, login: Login, db: Session
) -> None:
    make_dossier(db, applicant_id_number=CITIZEN_ID)  # in the queue, held by nobody
    assert client.get("/api/v1/dossiers/472915/id-number", headers=login(operator)).status_code == 403


def test_unknown_dossier_no_id_yet_and_no_login(
    client: TestClient, operator: User, supervisor: User, login: Login, db: Session
) -> None:
    make_dossier(db, reference="100001", claimed_by_id=operator.id, status="in_progress")
    headers = login(supervisor)
    missing = client.get("/api/v1/dossiers/999999/id-number", headers=headers)
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ số 999999" in missing.json()["detail"]
    none_yet = client.get("/api/v1/dossiers/100001/id-number", headers=headers)
    assert none_yet.status_code == 404 and "chưa có số căn cước" in none_yet.json()["detail"]
    assert client.get("/api/v1/dossiers/100001/id-number").status_code == 401
    assert _views(db) == []
