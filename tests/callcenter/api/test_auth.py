"""Logging in, rate limits and waits after wrong passwords, and what a token lets through."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.auth.login import LoginGate
from callcenter.auth.service import delay_after
from callcenter.auth.tokens import create_access_token
from callcenter.ratelimit import build_rate_limiter
from callcenter.users.service import verify_password
from ivr.settings import LoginConfig, Settings
from models.audit import AuditEntry
from models.base import utcnow
from models.db import make_engine, make_sessionmaker
from models.login_throttle import LoginThrottle
from models.user import User
from tests.callcenter.api.conftest import PASSWORD, Login, MakeUser

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


def test_wrong_password_unknown_user_and_inactive_account_get_the_same_401(
    client: TestClient, operator: User, make_user: MakeUser, db: Session
) -> None:
    retired = make_user("cu", "operator")
    retired.active = False
    db.commit()
    wrong = _login(client, "vana", "not-the-password")
    unknown = _login(client, "nobody", "not-the-password")
    inactive = _login(client, "cu", PASSWORD)

    assert wrong.status_code == unknown.status_code == inactive.status_code == 401
    assert wrong.json() == unknown.json() == inactive.json() == {"detail": "Sai tên đăng nhập hoặc mật khẩu."}
    assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"] == "Bearer"


def test_after_three_wrong_passwords_this_address_waits_and_the_answer_does_not_tell_who_exists(
    client: TestClient, operator: User, db: Session, settings: Settings
) -> None:
    settings.login.delay_base_s = 30  # the app's gate reads this config: 30 s after the fourth
    for i in range(4):  # a real account and a made-up one, the same way
        assert _login(client, "vana", f"wrong-{i}").status_code == 401
        assert _login(client, "nobody", f"wrong-{i}").status_code == 401
    right = _login(client, "vana", PASSWORD)
    made_up = _login(client, "nobody", "anything-at-all")
    assert right.status_code == made_up.status_code == 429
    assert right.json() == made_up.json() == {"detail": "Đăng nhập quá nhiều lần. Vui lòng thử lại sau 30 giây."}
    assert right.headers["Retry-After"] == made_up.headers["Retry-After"] == "30"

    # The waits double with each further failure, and never lock the account for good.
    throttle = db.get(LoginThrottle, ("vana", "testclient"))
    assert throttle is not None and throttle.failures == 4
    throttle.not_before = utcnow() - timedelta(milliseconds=1)  # the wait has gone by
    db.commit()
    assert _login(client, "vana", "wrong-again").status_code == 401
    db.refresh(throttle)
    assert throttle.failures == 5 and throttle.not_before is not None
    assert timedelta(seconds=55) < throttle.not_before - utcnow() <= timedelta(seconds=60)
    throttle.not_before = utcnow() - timedelta(milliseconds=1)
    db.commit()
    assert _login(client, "vana", PASSWORD).status_code == 200
    db.expire_all()
    assert db.get(LoginThrottle, ("vana", "testclient")) is None  # the run is over


def test_waits_grow_to_the_cap_and_no_further() -> None:
    config = LoginConfig()
    assert [delay_after(n, config) for n in range(1, 8)] == [0, 0, 0, 1, 2, 4, 8]
    assert delay_after(20, config) == delay_after(10_000, config) == 300


def test_a_guesser_at_one_address_never_slows_the_user_at_another(
    app: FastAPI, client: TestClient, operator: User
) -> None:
    for i in range(6):
        _login(client, "vana", f"wrong-{i}")
    assert _login(client, "vana", PASSWORD).status_code == 429
    with TestClient(app, client=("10.20.0.7", 50000)) as office:
        assert _login(office, "vana", PASSWORD).status_code == 200


def test_rates_answer_429_before_any_password_is_hashed(
    app: FastAPI, client: TestClient, operator: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counted over a day: `limits`' sliding window weighs the window before, so a test
    # that straddles a minute's edge could see 4.99 of 5 and pass one try too many.
    settings.login.per_address = "5/day"  # the app reads LOGIN_* at each attempt
    settings.login.per_username = "3/day"
    hashed: list[str] = []

    def counting(password: str, password_hash: str | None) -> bool:
        hashed.append(password)
        return verify_password(password, password_hash)

    monkeypatch.setattr("callcenter.auth.login.verify_password", counting)
    # One address, many usernames: five tries, then 429 whatever the name.
    answers = [_login(client, f"user{i}", "x").status_code for i in range(8)]
    assert answers == [401] * 5 + [429] * 3
    assert len(hashed) == 5
    refused = _login(client, "vana", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # One username from many addresses: three tries, then 429 from anywhere.
    spread = []
    for n in range(5):
        with TestClient(app, client=(f"10.9.0.{n}", 50000)) as elsewhere:
            spread.append(_login(elsewhere, "thu", "x").status_code)
    assert spread == [401, 401, 401, 429, 429]
    assert len(hashed) == 8


def test_failed_logins_are_counted_in_metrics_and_summarised_in_the_audit_trail(
    app: FastAPI, client: TestClient, operator: User, settings: Settings, db: Session
) -> None:
    settings.login.free_failures = 100  # no waits in this test: twelve failures in a row
    settings.login.per_username = "100/minute"
    before = _logins_counted(client)
    for i in range(12):
        assert _login(client, "vana", f"wrong-{i}").status_code == 401
    assert _login(client, "vana", PASSWORD).status_code == 200

    rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(r.action, r.actor, r.ip) for r in rows] == [
        ("login_failed", "vana", "testclient"), ("login_failed", "vana", "testclient"), ("login", "vana", "testclient"),
    ]
    assert [rows[0].detail["failures"], rows[1].detail["failures"]] == [1, 10]
    assert rows[2].detail == {"via": "api", "failures_before": 12}

    after = _logins_counted(client)
    assert after.get("failed", 0) - before.get("failed", 0) == 12
    assert after.get("ok", 0) - before.get("ok", 0) == 1


def _logins_counted(client: TestClient) -> dict[str, float]:
    """`tongdai_logins_total` by outcome, as a scraper reads it (the API's)."""
    counted: dict[str, float] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "tongdai_logins_total" and sample.labels["via"] == "api":
                counted[sample.labels["outcome"]] = sample.value
    return counted


def test_a_login_on_a_database_that_does_not_answer_gets_503_in_vietnamese(
    app: FastAPI, client: TestClient
) -> None:
    # Nothing listens on port 1: every connection is refused, as from a database that is down.
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/tongdai", connect_args={"connect_timeout": 2})
    gate = app.state.login_gate  # the app is the session's: put its gate back after
    try:
        app.state.login_gate = LoginGate(
            sessions=make_sessionmaker(down), limiter=build_rate_limiter("database://", engine=down),
            settings=app.state.settings,
        )
        response = _login(client, "vana", PASSWORD)
    finally:
        app.state.login_gate = gate
        down.dispose()
    assert response.status_code == 503
    assert "cơ sở dữ liệu không trả lời" in response.json()["detail"]
    assert response.headers["Retry-After"] == "30"


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
