"""Signed access tokens (JWT, HS256) for the JSON API and the console.

The token carries the user id and role so a client can show who is logged in, but every
request reloads the user: a deactivated or deleted account stops working at once, and a
changed role takes effect without waiting for the token to expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from models.base import utcnow
from models.user import User

ALGORITHM = "HS256"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    role: str


def create_access_token(
    *, user: User, secret_key: str, minutes: int, now: datetime | None = None
) -> str:
    issued = now or utcnow()
    payload = {
        "sub": str(user.id),
        "role": user.role,
        "iat": issued,
        "exp": issued + timedelta(minutes=minutes),
    }
    return jwt.encode(payload, secret_key, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret_key: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token, secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
        return TokenClaims(user_id=int(payload["sub"]), role=str(payload.get("role", "")))
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
