"""The mobile site's session: a signed cookie with a CSRF token and, once a one-time code
was accepted, the verified phone. Its own audience (`tongdai-mobile`): neither a console
session nor a staff token, and the phone it names sees only its own dossiers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import jwt
from fastapi import Request, Response

from ivr.settings import Settings
from models.base import utcnow

COOKIE = "tongdai_m"
AUDIENCE = "tongdai-mobile"
ALGORITHM = "HS256"
ANONYMOUS_HOURS = 24


@dataclass(frozen=True)
class MobileSession:
    csrf_token: str
    expires_at: datetime
    phone: str | None = None

    @classmethod
    def new(cls) -> MobileSession:
        expires = utcnow() + timedelta(hours=ANONYMOUS_HOURS)
        return cls(csrf_token=secrets.token_urlsafe(24), expires_at=expires)

    def verified(self, phone: str, *, minutes: int) -> MobileSession:
        # A fresh CSRF token with the new privilege: one planted before is worthless after.
        return replace(self, phone=phone, csrf_token=secrets.token_urlsafe(24),
                       expires_at=utcnow() + timedelta(minutes=minutes))


def read(request: Request) -> MobileSession | None:
    if hasattr(request.state, "mobile_session"):
        cached: MobileSession | None = request.state.mobile_session
        return cached
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE)
    found = None
    if raw:
        try:
            claims = jwt.decode(raw, settings.secret_key, algorithms=[ALGORITHM], audience=AUDIENCE,
                                options={"require": ["exp", "csrf"]})
            phone = claims.get("phone")
            found = MobileSession(csrf_token=str(claims["csrf"]),
                                  expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=utcnow().tzinfo),
                                  phone=str(phone) if phone else None)
        except (jwt.InvalidTokenError, ValueError, TypeError):
            found = None
    request.state.mobile_session = found
    return found


def ensure(request: Request) -> MobileSession:
    found = read(request)
    if found is None:
        found = MobileSession.new()
        request.state.mobile_session = found
        request.state.mobile_session_new = True
    return found


def write(response: Response, session: MobileSession, *, settings: Settings) -> None:
    payload: dict[str, object] = {"aud": AUDIENCE, "csrf": session.csrf_token, "exp": session.expires_at}
    if session.phone:
        payload["phone"] = session.phone
    response.set_cookie(
        COOKIE, jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM), httponly=True, samesite="lax",
        secure=settings.public_base_url.startswith("https://"), path="/m",
        max_age=int((session.expires_at - utcnow()).total_seconds()),
    )


def clear(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(COOKIE, path="/m", httponly=True, samesite="lax",
                           secure=settings.public_base_url.startswith("https://"))


def csrf_ok(request: Request, sent: str | None) -> bool:
    found = read(request)
    return bool(found and sent and secrets.compare_digest(sent, found.csrf_token))
