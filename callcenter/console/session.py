"""The console's session: a signed cookie carrying the user id and the CSRF token.

Stateless, so any app worker reads it. Signed with SECRET_KEY as a JWT whose audience is
the console, so an API bearer token is not a console session and the reverse. Logging out
ends every session of that user issued before it: the check reads the audit trail's
"logout" rows (indexed by actor and time), so a copied cookie dies with the logout too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import jwt
from fastapi import Request, Response
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.audit import AuditEntry
from models.base import utcnow
from models.user import User

COOKIE_NAME = "tongdai_console"
AUDIENCE = "tongdai-console"
ALGORITHM = "HS256"
# A visitor who has not logged in yet gets a short session: just long enough to fill in
# the login form with its CSRF token.
ANONYMOUS_MINUTES = 60


@dataclass(frozen=True)
class ConsoleSession:
    csrf_token: str
    issued_at: datetime
    user_id: int | None = None

    @classmethod
    def anonymous(cls) -> ConsoleSession:
        return cls(csrf_token=secrets.token_urlsafe(32), issued_at=utcnow())

    def logged_in(self, user: User) -> ConsoleSession:
        # A fresh CSRF token at login: one planted before login is worthless after it.
        return replace(self, user_id=user.id, csrf_token=secrets.token_urlsafe(32), issued_at=utcnow())


def encode_session(session: ConsoleSession, *, settings: Settings) -> str:
    minutes = settings.access_token_minutes if session.user_id is not None else ANONYMOUS_MINUTES
    payload: dict[str, object] = {
        "aud": AUDIENCE,
        "csrf": session.csrf_token,
        "iat": session.issued_at,
        "issued": session.issued_at.isoformat(),  # to the microsecond, for the logout check
        "exp": session.issued_at + timedelta(minutes=minutes),
    }
    if session.user_id is not None:
        payload["sub"] = str(session.user_id)
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


def decode_session(value: str, *, settings: Settings) -> ConsoleSession | None:
    try:
        claims = jwt.decode(value, settings.secret_key, algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": ["exp", "csrf", "issued"]})
        return ConsoleSession(
            csrf_token=str(claims["csrf"]),
            issued_at=datetime.fromisoformat(str(claims["issued"])),
            user_id=int(claims["sub"]) if "sub" in claims else None,
        )
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None


def read_session(request: Request) -> ConsoleSession | None:
    """The session the browser sent, or None; cached on the request."""
    if hasattr(request.state, "console_session"):
        cached: ConsoleSession | None = request.state.console_session
        return cached
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE_NAME)
    found = decode_session(raw, settings=settings) if raw else None
    request.state.console_session = found
    return found


def ensure_session(request: Request) -> tuple[ConsoleSession, bool]:
    """The session, or a new anonymous one; the flag says whether a cookie must be set."""
    found = read_session(request)
    if found is not None:
        return found, False
    created = ConsoleSession.anonymous()
    request.state.console_session = created
    return created, True


def write_session(response: Response, session: ConsoleSession, *, settings: Settings) -> None:
    response.set_cookie(
        COOKIE_NAME,
        encode_session(session, settings=settings),
        httponly=True,
        samesite="lax",
        secure=settings.public_base_url.startswith("https://"),
        path="/",
    )


def clear_session(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="lax",
        secure=settings.public_base_url.startswith("https://"),
    )


def logged_out_since(db: Session, *, user: User, issued_at: datetime) -> bool:
    stmt = select(exists().where(
        AuditEntry.actor == user.username, AuditEntry.action == "logout", AuditEntry.at >= issued_at,
    ))
    return bool(db.scalar(stmt))
