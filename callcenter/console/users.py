"""Admins manage console accounts: add, disable or enable, reset a password, unlock.

Every change is one audit line in the same transaction. A new or reset password is
random, shown once on the page that answers the POST, and never kept but as a hash.
The login rules are the auth service's: this page shows who must wait before their next
try (`callcenter.auth.service.waiting_usernames`) and asks it to forget (`unlock`), as
`tongdai users unlock` does.
"""

from __future__ import annotations

import re
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.auth.service import forget_username_rate, throttle_name, waiting_usernames
from callcenter.auth.service import unlock as forget_failures
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import AdminPage, client_ip
from callcenter.console.errors import ConsoleError
from callcenter.console.templating import render
from callcenter.ratelimit import RateLimitUnavailable
from callcenter.users.service import create_user, random_password, reset_password, set_active
from models.base import utcnow
from models.db import SessionDep
from models.domain.phone import InvalidPhone, normalize_phone
from models.user import ROLES, User

log = structlog.get_logger(__name__)
router = APIRouter()

USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
LABELS = {"username": "Tên đăng nhập", "full_name": "Họ và tên", "role": "Vai trò", "phone": "Số điện thoại"}
NOTICES = {
    "disabled": "Đã khóa tài khoản {u}: mọi phiên đăng nhập của tài khoản này kết thúc ngay.",
    "enabled": "Đã mở lại tài khoản {u}.",
    "unlocked": "Tài khoản {u} được đăng nhập lại ngay, không phải chờ.",
    "not_locked": "Tài khoản {u} không phải chờ để đăng nhập.",
}


def _users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.active.desc(), User.role, User.username)))


def _page(request: Request, db: Session, *, form: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, notice: str | None = None,
          secret: tuple[str, str] | None = None, status_code: int = 200) -> Response:
    context: dict[str, Any] = {
        "users": _users(db), "form": form or {"role": "operator"}, "errors": errors or {},
        "labels": LABELS, "notice": notice, "secret": secret, "roles": ROLES,
        "waiting": waiting_usernames(db, now=utcnow()), "throttle_name": throttle_name,
    }
    return render(request, "users.html", context, status_code=status_code)


def _target(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise ConsoleError(404, "Không tìm thấy tài khoản", f"Không có tài khoản {username}.")
    return user


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, admin: AdminPage, db: SessionDep, notice: str | None = None,
               u: str | None = None) -> Response:
    text = NOTICES[notice].format(u=u or "") if notice in NOTICES else None
    return _page(request, db, notice=text)


def _check_new(db: Session, form: dict[str, str]) -> tuple[dict[str, str], str | None]:
    errors: dict[str, str] = {}
    username = form.get("username", "").strip().lower()
    if not USERNAME.match(username):
        errors["username"] = "Từ 3 đến 64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang."
    elif db.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = f"Tài khoản {username} đã có."
    if not form.get("full_name", "").strip():
        errors["full_name"] = "Chưa có họ tên."
    elif len(form["full_name"].strip()) > 200:
        errors["full_name"] = "Dài quá 200 ký tự."
    if form.get("role") not in ROLES:
        errors["role"] = "Chọn một vai trò."
    phone = form.get("phone", "").strip()
    stored_phone = None
    if phone:
        try:
            stored_phone = normalize_phone(phone)
        except InvalidPhone:
            errors["phone"] = "Số điện thoại không hợp lệ (VD: 0905123456)."
    return errors, stored_phone


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, admin: AdminPage, form: CsrfForm, db: SessionDep) -> Response:
    errors, phone = _check_new(db, form)
    if errors:  # every error at once, the form as typed
        return _page(request, db, form=form, errors=errors, status_code=422)
    password = random_password()
    user = create_user(db, username=form["username"].strip().lower(), password=password, role=form["role"],
                       full_name=form["full_name"].strip(), phone=phone)
    record_audit(db, actor=admin, action="user_add", target=f"user:{user.username}", ip=client_ip(request),
                 detail={"role": user.role})
    db.commit()
    return _page(request, db, secret=(user.username, password),
                 notice=f"Đã tạo tài khoản {user.username}. Mật khẩu chỉ hiện một lần, hãy trao tận tay.")


@router.post("/users/{username}/active", response_class=HTMLResponse)
def toggle_active(request: Request, username: str, admin: AdminPage, form: CsrfForm,
                  db: SessionDep) -> Response:
    user = _target(db, username)
    active = form.get("active") == "1"
    if not active and user.id == admin.id:
        return _page(request, db, errors={"": "Không thể tự khóa tài khoản của chính mình."}, status_code=409)
    set_active(db, user=user, active=active)
    record_audit(db, actor=admin, action="user_enable" if active else "user_disable",
                 target=f"user:{user.username}", ip=client_ip(request))
    db.commit()
    code = "enabled" if active else "disabled"
    return RedirectResponse(f"/console/users?notice={code}&u={user.username}", status_code=303)


@router.post("/users/{username}/password", response_class=HTMLResponse)
def new_password(request: Request, username: str, admin: AdminPage, form: CsrfForm,
                 db: SessionDep) -> Response:
    user = _target(db, username)
    password = reset_password(db, user=user)
    record_audit(db, actor=admin, action="user_reset_password", target=f"user:{user.username}",
                 ip=client_ip(request))
    db.commit()
    # Shown on this answer only: a redirect would have to carry it in a URL.
    return _page(request, db, secret=(user.username, password),
                 notice=f"Đã đặt mật khẩu mới cho {user.username}. Mật khẩu chỉ hiện một lần.")


@router.post("/users/{username}/unlock")
def unlock(request: Request, username: str, admin: AdminPage, form: CsrfForm, db: SessionDep) -> Response:
    user = _target(db, username)
    addresses = forget_failures(db, username=user.username)
    if addresses:
        record_audit(db, actor=admin, action="unlock", target=f"user:{user.username}", ip=client_ip(request),
                     detail={"addresses": addresses, "via": "console"})
    db.commit()
    try:  # as `tongdai users unlock`: the username's own rate too, so they may try at once
        forget_username_rate(request.app.state.rate_limiter, request.app.state.settings.login,
                             username=user.username)
    except RateLimitUnavailable:
        log.warning("unlock_rate_not_forgotten", username=user.username)
    code = "unlocked" if addresses else "not_locked"
    return RedirectResponse(f"/console/users?notice={code}&u={user.username}", status_code=303)
