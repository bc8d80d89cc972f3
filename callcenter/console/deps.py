"""Who is using the console, and whether their role may see the page.

Not logged in → the login page (and back here afterwards); logged in with a role that may
not see the page → a 403 page in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from callcenter.console.errors import ConsoleError, LoginRequired
from callcenter.console.session import logged_out_since, read_session
from models.db import SessionDep
from models.user import User


@dataclass(frozen=True)
class Identity:
    username: str
    full_name: str
    role: str


FORBIDDEN_TITLE = "Không có quyền truy cập"
FORBIDDEN = "Trang này dành cho giám sát viên và quản trị viên. Tài khoản của bạn không có quyền xem."
FORBIDDEN_ADMIN = "Trang này chỉ dành cho quản trị viên. Tài khoản của bạn không có quyền xem."


def home_page(role: str) -> str:
    """Where a user starts: supervisors and admins on the dashboard, operators at the queue."""
    return "/console/supervisor" if role in ("supervisor", "admin") else "/console/queue"


def _next_path(request: Request) -> str:
    # Only GET pages are worth coming back to; a POST's page is its referrer's business
    # (the login then sends the user to their own start page).
    if request.method != "GET":
        return ""
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


def console_user(request: Request, db: SessionDep) -> User:
    session = read_session(request)
    if session is None or session.user_id is None:
        raise LoginRequired(_next_path(request))
    user = db.get(User, session.user_id)
    # Reloaded every request: a deactivated account or a logout elsewhere ends the session.
    if user is None or not user.active or logged_out_since(db, user=user, issued_at=session.issued_at):
        raise LoginRequired(_next_path(request))
    # Pages (error pages too, drawn after the request's session is gone) read this copy.
    request.state.console_user = Identity(username=user.username, full_name=user.full_name, role=user.role)
    return user


def require_console_roles(*roles: str, message: str = FORBIDDEN) -> Callable[[User], User]:
    allowed = frozenset(roles)

    def check(user: Annotated[User, Depends(console_user)]) -> User:
        if user.role not in allowed:
            raise ConsoleError(403, FORBIDDEN_TITLE, message)
        return user

    return check


StaffPage = Annotated[User, Depends(require_console_roles("operator", "supervisor", "admin"))]
SupervisorPage = Annotated[User, Depends(require_console_roles("supervisor", "admin"))]
AdminPage = Annotated[User, Depends(require_console_roles("admin", message=FORBIDDEN_ADMIN))]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
