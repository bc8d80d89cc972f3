"""Logging in, lock-out, and what a token lets through."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.auth.tokens import create_access_token
from ivr.settings import Settings
from models.base import utcnow
from models.user import User
from tests.callcenter.api.conftest import PASSWORD, Login

TOKEN = "/api/v1/auth/token"


def _login(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(TOKEN, data={"username": username, "password": password})


def test_good_password_gets_a_bearer_token_naming_the_user_and_role(
    client: TestClient, operator: User, settings: Settings
) -> None:
    response = _login(client, "vana", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    claims = jwt.decode(body["access_token"], settings.secret_key, algorithms=["HS256"])
    assert claims["sub"] == str(operator.id)
    assert claims["role"] == "operator"
    assert claims["exp"] - claims["iat"] == settings.access_token_minutes * 60


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient, operator: User) -> None:
    wrong = _login(client, "vana", "not-the-password")
    unknown = _login(client, "nobody", "not-the-password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Sai tên đăng nhập hoặc mật khẩu."}
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: TestClient, operator: User, db: Session
) -> None:
    statuses = [_login(client, "vana", f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 423]

    right = _login(client, "vana", PASSWORD)
    wrong = _login(client, "vana", "wrong-again")
    # Locked: the answer is the same whether or not the password was right.
    assert right.status_code == wrong.status_code == 423
    assert right.json() == wrong.json()
    assert "tạm thời bị khóa" in right.json()["detail"]
    assert 14 * 60 < int(right.headers["Retry-After"]) <= 15 * 60

    db.refresh(operator)
    assert operator.locked_until is not None
    remaining = operator.locked_until - utcnow()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)


def test_lock_expires_after_its_time(client: TestClient, operator: User, db: Session) -> None:
    for i in range(5):
        _login(client, "vana", f"wrong-{i}")
    db.refresh(operator)
    operator.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes have gone by
    db.commit()

    assert _login(client, "vana", PASSWORD).status_code == 200
    db.refresh(operator)
    assert operator.locked_until is None
    assert operator.failed_logins == 0


def test_a_good_login_resets_the_count_of_failures(client: TestClient, operator: User) -> None:
    for i in range(4):
        assert _login(client, "vana", f"wrong-{i}").status_code == 401
    assert _login(client, "vana", PASSWORD).status_code == 200
    for i in range(4):
        assert _login(client, "vana", f"wrong-{i}").status_code == 401
    assert _login(client, "vana", PASSWORD).status_code == 200


def test_inactive_user_cannot_log_in(client: TestClient, operator: User, db: Session) -> None:
    operator.active = False
    db.commit()

    assert _login(client, "vana", PASSWORD).status_code == 401


def test_token_of_a_deactivated_or_deleted_user_is_refused(
    client: TestClient, operator: User, login: Login, db: Session
) -> None:
    headers = login(operator)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200

    operator.active = False
    db.commit()
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401

    db.delete(operator)
    db.commit()
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401


def test_missing_forged_or_expired_token_gets_401_asking_for_bearer(
    client: TestClient, operator: User, settings: Settings
) -> None:
    expired = create_access_token(
        user=operator, secret_key=settings.secret_key, minutes=5, now=utcnow() - timedelta(hours=1)
    )
    forged = create_access_token(
        user=operator, secret_key="another-key-entirely-not-ours-0123456789", minutes=5
    )
    for headers in ({}, {"Authorization": f"Bearer {expired}"}, {"Authorization": f"Bearer {forged}"},
                    {"Authorization": "Bearer not-a-jwt"}):
        response = client.get("/api/v1/dossiers", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "đăng nhập" in response.json()["detail"]


def test_operator_may_not_read_the_call_log(
    client: TestClient, operator: User, supervisor: User, login: Login
) -> None:
    refused = client.get("/api/v1/calls", headers=login(operator))
    assert refused.status_code == 403
    assert "không có quyền" in refused.json()["detail"]

    assert client.get("/api/v1/calls", headers=login(supervisor)).status_code == 200
