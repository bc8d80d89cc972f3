"""Admins manage accounts in the console: add, disable, reset a password, unlock; each
change is in the audit trail, and nobody else may."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.ratelimit import Limit
from callcenter.users.service import authenticate
from models.audit import AuditEntry
from models.base import utcnow
from models.login_throttle import LoginThrottle
from tests.callcenter.console.conftest import BASE, MakeUser, csrf_of, log_in


def _admin_client(app: FastAPI, make_user: MakeUser) -> TestClient:
    make_user("quantri", "admin", full_name="Lê Quản Trị")
    client = TestClient(app, base_url=BASE)
    log_in(client, "quantri")
    return client


def _post(client: TestClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    page = client.get("/console/users").text
    return client.post(path, data={"csrf_token": csrf_of(page), **form})


def _shown_password(html: str) -> str:
    found = re.search(r'<span class="secret">([^<]+)</span>', html)
    assert found, "no password shown"
    return found.group(1)


def test_an_admin_adds_an_account_and_hands_over_its_password_once(
    app: FastAPI, make_user: MakeUser, db: Session
) -> None:
    with _admin_client(app, make_user) as client:
        bad = _post(client, "/console/users", username="A B", full_name="", role="boss", phone="123")
        assert bad.status_code == 422
        summary = bad.text[bad.text.index('id="errors"'):bad.text.index("</div>", bad.text.index('id="errors"'))]
        for label in ("Tên đăng nhập", "Họ và tên", "Vai trò", "Số điện thoại"):  # every error at once
            assert label in summary
        assert 'value="A B"' in bad.text  # nothing typed is lost
        made = _post(client, "/console/users", username="thuha", full_name="Trần Thị Thu Hà", role="operator",
                     phone="0905 111 222")
        password = _shown_password(made.text)
        assert password not in client.get("/console/users").text  # shown once
    user = authenticate(db, username="thuha", password=password)
    assert user is not None and (user.role, user.phone) == ("operator", "+84905111222")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user_add")).one()
    assert (entry.actor, entry.target) == ("quantri", "user:thuha")


def test_disable_reset_and_unlock_are_audited_and_take_effect(
    app: FastAPI, make_user: MakeUser, db: Session
) -> None:
    make_user("vana", "operator")
    with _admin_client(app, make_user) as client, TestClient(app, base_url=BASE) as operator:
        log_in(operator, "vana")
        _post(client, "/console/users/vana/active", active="0")
        assert operator.get("/console/queue", follow_redirects=False).status_code == 303  # signed out at once
        _post(client, "/console/users/vana/active", active="1")
        password = _shown_password(_post(client, "/console/users/vana/password").text)
        db.rollback()  # a new snapshot: see what the page committed
        # Wrong passwords from some address: vana must wait before the next try from there.
        now = utcnow()
        db.add(LoginThrottle(username="vana", address="10.0.0.9", failures=6, first_failed_at=now,
                             last_failed_at=now, not_before=now + timedelta(minutes=10)))
        db.commit()
        # … and guessers from many addresses used up the username's own rate.
        per_username = Limit.parse(app.state.settings.login.per_username)
        while app.state.rate_limiter.hit(per_username, "login-user", "vana"):
            pass
        assert "Cho đăng nhập lại ngay" in client.get("/console/users").text
        _post(client, "/console/users/vana/unlock")
        assert app.state.rate_limiter.test(per_username, "login-user", "vana")  # as the CLI's unlock
        refused = _post(client, "/console/users/quantri/active", active="0")
        assert refused.status_code == 409  # an admin cannot lock themself out
    db.expire_all()
    assert authenticate(db, username="vana", password=password) is not None
    assert db.scalars(select(LoginThrottle)).all() == []  # the auth service forgot the failures
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target == "user:vana")
                         .order_by(AuditEntry.id)).all()
    assert actions == ["user_disable", "user_enable", "user_reset_password", "unlock"]


def test_only_admins_see_the_accounts(operator_client: TestClient, make_user: MakeUser, app: FastAPI) -> None:
    assert operator_client.get("/console/users").status_code == 403
    make_user("thib", "supervisor")
    with TestClient(app, base_url=BASE) as supervisor:
        log_in(supervisor, "thib")
        assert supervisor.get("/console/users").status_code == 403
        assert 'data-nav="users"' not in supervisor.get("/console/queue").text
