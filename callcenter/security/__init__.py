"""What every browser-facing answer carries, and how large a request body may be.

`install_security(app)` adds two pure ASGI middlewares (no task per request, unlike
`@app.middleware`): `BodyLimitByPath` (bodies.py: Starlette's body limiter, per path
prefix or the default) and `BrowserHeaders` (headers.py: the
Content-Security-Policy and friends). Their tables are here to be extended by the part
of the service that needs more: a prefix's body limit in `BODY_LIMITS` (or
`max_body_size=` on one route), a page's extra sources in `CSP_BY_PATH`.
"""

from __future__ import annotations

from fastapi import FastAPI

from callcenter.security.bodies import (
    BODY_LIMITS,
    DEFAULT_BODY_LIMIT,
    KB,
    MB,
    BodyLimitByPath,
)
from callcenter.security.headers import CSP_BY_PATH, BrowserHeaders, content_security_policy


def install_security(app: FastAPI) -> None:
    app.add_middleware(BrowserHeaders, policies=CSP_BY_PATH)
    app.add_middleware(BodyLimitByPath, limits=BODY_LIMITS, default=DEFAULT_BODY_LIMIT)


__all__ = [
    "BODY_LIMITS", "CSP_BY_PATH", "DEFAULT_BODY_LIMIT", "KB", "MB", "BodyLimitByPath", "BrowserHeaders",
    "content_security_policy", "install_security",
]
