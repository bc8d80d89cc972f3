"""`POST /api/v1/auth/token`: OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from callcenter.audit.log import record_audit
from callcenter.auth.deps import SettingsDep, unauthorized
from callcenter.auth.service import AccountLocked, LoginFailed, log_in
from callcenter.auth.tokens import create_access_token
from models.base import utcnow
from models.db import SessionDep

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"])

BAD_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu."


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_in: int  # seconds


@router.post("/token")
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep,
    request: Request,
) -> Token:
    ip = request.client.host if request.client else None
    try:
        user = log_in(session, username=form.username, password=form.password)
    except LoginFailed:
        record_audit(session, actor=None, actor_name=form.username, action="login_failed", ip=ip)
        session.commit()  # the failure counter must survive the refusal
        log.info("auth.login_failed")
        raise unauthorized(BAD_CREDENTIALS) from None
    except AccountLocked as locked:
        record_audit(session, actor=None, actor_name=form.username, action="login_failed", ip=ip,
                     detail={"locked_until": locked.until.isoformat()})
        session.commit()
        log.warning("auth.account_locked", locked_until=locked.until.isoformat())
        until = locked.until.astimezone(ZoneInfo(settings.timezone)).strftime("%H:%M")
        retry_after = max(1, int((locked.until - utcnow()).total_seconds()))
        raise HTTPException(
            status_code=status.HTTP_423_LOCKED,
            headers={"Retry-After": str(retry_after)},
            detail=(
                "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần liên tiếp. "
                f"Vui lòng thử lại sau {until}."
            ),
        ) from None
    record_audit(session, actor=user, action="login", ip=ip, detail={"via": "api"})
    session.commit()
    log.info("auth.login", user_id=user.id)
    token = create_access_token(
        user=user, secret_key=settings.secret_key, minutes=settings.access_token_minutes
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)
