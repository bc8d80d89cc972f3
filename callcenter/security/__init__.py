"""What every browser-facing answer carries, and how large a request body may be.

`install_security(app)` adds two pure ASGI middlewares (no task per request, unlike
`@app.middleware`): `BodyLimitByPath` (bodies.py: Starlette's body limiter, per path
prefix or the default) and `BrowserHeaders` (headers.py: the
Content-Security-Policy and friends). Their tables are here to be extended by the part
of the service that needs more: a prefix's body limit in `BODY_LIMITS` (or
`max_body_size=` on one route, `UPLOAD_BODY_LIMIT` for an upload), a page's extra sources
in `CSP_BY_PATH`; a site of pages answers a body too large with its own page
(`answer_too_large_with`).
"""

from __future__ import annotations

from fastapi import FastAPI

from callcenter.security.bodies import (
    BODY_LIMITS,
    DEFAULT_BODY_LIMIT,
    KB,
    MB,
    UPLOAD_BODY_LIMIT,
    BodyLimitByPath,
    answer_too_large_with,
)
from callcenter.security.headers import CSP_BY_PATH, BrowserHeaders, content_security_policy


def install_security(app: FastAPI) -> None:
    app.add_middleware(BodyLimitByPath, limits=BODY_LIMITS, default=DEFAULT_BODY_LIMIT)
    # Outermost (added last): a page refusing a body too large gets the headers too.
    app.add_middleware(BrowserHeaders, policies=CSP_BY_PATH)


__all__ = [
    "BODY_LIMITS", "CSP_BY_PATH", "DEFAULT_BODY_LIMIT", "KB", "MB", "UPLOAD_BODY_LIMIT", "BodyLimitByPath",
    "BrowserHeaders", "answer_too_large_with", "content_security_policy", "install_security",
]
