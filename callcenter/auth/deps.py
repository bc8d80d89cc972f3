"""Reusable dependencies: the settings, the current user, and role requirements.

    @router.get("/calls")
    def list_calls(user: SupervisorUser) -> ...

    @router.get("/x", dependencies=[Depends(require_roles("admin"))])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from callcenter.auth.tokens import InvalidToken, decode_access_token
from ivr.settings import Settings
from models.db import SessionDep
from models.user import User

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 (a path, not a secret)

# auto_error=False: a missing token gets the same Vietnamese 401 as a bad one.
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)

NOT_AUTHENTICATED = "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
FORBIDDEN = "Tài khoản của bạn không có quyền xem hoặc làm việc này."


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def unauthorized(detail: str = NOT_AUTHENTICATED) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    if not token:
        raise unauthorized()
    try:
        claims = decode_access_token(token, secret_key=settings.secret_key)
    except InvalidToken:
        raise unauthorized() from None
    user = session.get(User, claims.user_id)
    # Reloaded on every request: deleting or deactivating an account ends its tokens.
    if user is None or not user.active:
        raise unauthorized()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: str) -> Callable[[User], User]:
    """A dependency that lets through only users whose role is one of `roles`."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)
        return user

    return check


StaffUser = Annotated[User, Depends(require_roles("operator", "supervisor", "admin"))]
SupervisorUser = Annotated[User, Depends(require_roles("supervisor", "admin"))]
AdminUser = Annotated[User, Depends(require_roles("admin"))]
