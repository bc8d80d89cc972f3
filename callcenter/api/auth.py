"""`POST /api/v1/auth/token`: OAuth2 password flow (the checks are callcenter.auth.login's)."""

from __future__ import annotations

from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from callcenter.auth.deps import SettingsDep
from callcenter.auth.login import LoginAttempt, LoginGate, LoginRefused
from callcenter.auth.tokens import create_access_token

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_in: int  # seconds


@router.post(
    "/token",
    responses={
        401: {"description": "unknown user, wrong password or inactive account (one answer for all)"},
        429: {"description": "too many tries from this address or at this username; see Retry-After"},
        503: {"description": "the database or the rate limiter does not answer"},
    },
)
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], settings: SettingsDep, request: Request
) -> Token:
    # async: the checks go to threads themselves, the hash to a bounded pool of its own,
    # so a flood of logins never holds the server's thread pool.
    gate: LoginGate = request.app.state.login_gate
    address = request.client.host if request.client else "unknown"
    try:
        user = await gate.log_in(
            LoginAttempt(username=form.username, password=form.password, address=address, via="api")
        )
    except LoginRefused as refused:
        headers = refused.headers
        if refused.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        raise HTTPException(refused.status_code, detail=refused.message, headers=headers) from None
    log.info("auth.login", user_id=user.id)
    token = create_access_token(
        user=user, secret_key=settings.secret_key, minutes=settings.access_token_minutes
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)
