"""A citizen's session token: a JWT for one verified phone, scoped to its own dossiers.

Not a staff token: its audience (`tongdai-citizen`) and scope differ from the console's
and the API's (`callcenter.auth.tokens`, no audience), so neither is accepted where the
other is expected, and its subject is a phone number, never a user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from models.base import utcnow

AUDIENCE = "tongdai-citizen"
SCOPE = "own-dossiers"
ALGORITHM = "HS256"


class InvalidCitizenToken(Exception):
    pass


@dataclass(frozen=True)
class CitizenToken:
    token: str
    phone: str
    expires_at: datetime


def issue_citizen_token(
    *, phone: str, secret_key: str, minutes: int, now: datetime | None = None
) -> CitizenToken:
    issued = now or utcnow()
    expires = issued + timedelta(minutes=minutes)
    payload = {"aud": AUDIENCE, "sub": phone, "scope": SCOPE, "iat": issued, "exp": expires}
    return CitizenToken(jwt.encode(payload, secret_key, algorithm=ALGORITHM), phone, expires)


def citizen_phone(token: str, *, secret_key: str) -> str:
    """The verified phone (E.164) the token stands for, or InvalidCitizenToken."""
    try:
        claims = jwt.decode(token, secret_key, algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud", "scope"]})
    except jwt.InvalidTokenError as exc:
        raise InvalidCitizenToken(str(exc)) from exc
    if claims.get("scope") != SCOPE or not str(claims["sub"]).startswith("+"):
        raise InvalidCitizenToken("not a citizen session")
    return str(claims["sub"])
