"""Logging in and out of the console (the lock-out rules are callcenter.auth.service's)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from callcenter.audit.log import record_audit
from callcenter.auth.deps import SettingsDep
from callcenter.auth.service import AccountLocked, LoginFailed, log_in
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip, home_page
from callcenter.console.session import clear_session, ensure_session, write_session
from callcenter.console.templating import render
from models.db import SessionDep

log = structlog.get_logger(__name__)

router = APIRouter()

BAD_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu."


def _safe_next(value: str | None) -> str:
    # Only back into the console: never an open redirect to another site. Empty: the
    # user's own start page, decided once we know who they are.
    if value and value.startswith("/console/") and not value.startswith("//"):
        return value
    return ""


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: CsrfForm, db: SessionDep, settings: SettingsDep) -> Response:
    username = form.get("username", "").strip()
    target = _safe_next(form.get("next"))
    ip = client_ip(request)
    try:
        user = log_in(db, username=username, password=form.get("password", ""))
    except LoginFailed:
        record_audit(db, actor=None, actor_name=username, action="login_failed", ip=ip)
        db.commit()  # the failure counter must survive the refusal
        return render(request, "login.html", {"next": target, "username": username, "error": BAD_CREDENTIALS},
                      status_code=401)
    except AccountLocked as locked:
        record_audit(db, actor=None, actor_name=username, action="login_failed", ip=ip,
                     detail={"locked_until": locked.until.isoformat()})
        db.commit()
        until = locked.until.astimezone(ZoneInfo(settings.timezone)).strftime("%H:%M")
        message = (f"Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần liên tiếp. "
                   f"Vui lòng thử lại sau {until}.")
        return render(request, "login.html", {"next": target, "username": username, "error": message},
                      status_code=423)
    record_audit(db, actor=user, action="login", ip=ip, detail={"via": "console"})
    db.commit()
    log.info("console.login", user_id=user.id)
    session, _ = ensure_session(request)
    response = RedirectResponse(target or home_page(user.role), status_code=303)
    write_session(response, session.logged_in(user), settings=settings)
    return response


@router.post("/logout")
def logout(request: Request, user: StaffPage, form: CsrfForm, db: SessionDep,
           settings: SettingsDep) -> Response:
    # The audit row is also what ends every earlier session of this user (session.py).
    record_audit(db, actor=user, action="logout", ip=client_ip(request))
    db.commit()
    response = RedirectResponse("/console/login?bye=1", status_code=303)
    clear_session(response, settings=settings)
    return response
