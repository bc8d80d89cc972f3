"""The citizen's verified phone (from a session token) and the shared rate limits."""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from callcenter.auth.deps import SettingsDep
from callcenter.public.tokens import InvalidCitizenToken, citizen_phone
from callcenter.ratelimit import Limit, RateLimiter, RateLimitUnavailable

SIGN_IN = "Chưa xác thực số điện thoại hoặc phiên đã hết hạn. Xin ông/bà nhận mã SMS mới."
_bearer = HTTPBearer(auto_error=False)


def verified_phone(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, SIGN_IN, headers={"WWW-Authenticate": "Bearer"})
    try:
        return citizen_phone(credentials.credentials, secret_key=settings.secret_key)
    except InvalidCitizenToken:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, SIGN_IN, headers={"WWW-Authenticate": "Bearer"}
        ) from None


CitizenPhone = Annotated[str, Depends(verified_phone)]


@cache
def limit(text: str) -> Limit:
    return Limit.parse(text)


class TooMany(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("too many tries")
        self.retry_after = retry_after


def take(request: Request, *checks: tuple[str, str, str]) -> None:
    """Count one try against each (rate, kind, identifier), broadest first; TooMany with
    the wait when one is used up, HTTP 503 when the shared counters cannot be reached."""
    limiter: RateLimiter = request.app.state.rate_limiter
    try:
        for rate, kind, identifier in checks:
            if not limiter.hit(limit(rate), kind, identifier):
                raise TooMany(limiter.retry_after(limit(rate), kind, identifier))
    except RateLimitUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "Hệ thống đang bận, xin ông/bà thử lại sau ít phút."
        ) from None


def too_many(exc: TooMany, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, message,
        headers={"Retry-After": str(max(1, math.ceil(exc.retry_after)))},
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
