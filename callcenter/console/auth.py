"""Logging in and out of the console (the checks are callcenter.auth.login's, as the API's)."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from callcenter.audit.log import record_audit
from callcenter.auth.deps import SettingsDep
from callcenter.auth.login import LoginAttempt, LoginGate, LoginRefused
from callcenter.console.csrf import CsrfForm
from callcenter.console.deps import StaffPage, client_ip, home_page
from callcenter.console.session import clear_session, ensure_session, write_session
from callcenter.console.templating import render
from models.db import SessionDep

log = structlog.get_logger(__name__)

router = APIRouter()



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
async def login(request: Request, form: CsrfForm, settings: SettingsDep) -> Response:
    username = form.get("username", "").strip()
    target = _safe_next(form.get("next"))
    gate: LoginGate = request.app.state.login_gate
    attempt = LoginAttempt(username=username, password=form.get("password", ""),
                           address=client_ip(request) or "unknown", via="console")
    try:
        user = await gate.log_in(attempt)
    except LoginRefused as refused:
        page = render(request, "login.html", {"next": target, "username": username, "error": refused.message},
                      status_code=refused.status_code)
        page.headers.update(refused.headers)
        return page
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
