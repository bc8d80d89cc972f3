"""Request bodies capped before they are read into memory, with Starlette's own limiter.

`DEFAULT_BODY_LIMIT` covers console forms and API JSON; `BODY_LIMITS` sets another limit
for every path under a prefix (Twilio's webhooks: small). A single endpoint that takes
more (an upload) says so itself, `@router.post(..., max_body_size=10 * MB)`, which wins
over both (FastAPI's route limit runs innermost). Either way a body whose Content-Length
is over the limit is refused `413` before a byte of it is read, and one without a
Content-Length the moment it passes the limit.

Not `FastAPI(max_body_size=…)`: every route would inherit that app-wide value as its
own and so override the per-prefix limits here.
"""

from __future__ import annotations

import orjson
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB = 1024
MB = 1024 * KB

DEFAULT_BODY_LIMIT = 256 * KB  # console forms and API JSON: a few hundred KB at most

# Path prefix → limit, for every route under it; the longest prefix wins. Twilio's
# largest webhook is a few KB (an SMS of 1,600 Vietnamese characters is ~15 KB encoded).
BODY_LIMITS: dict[str, int] = {
    "/twilio/": 32 * KB,
    "/m/": 10 * MB,  # the mobile site's forms with photos
}


def too_large_message(limit: int | None) -> str:
    if limit is None:
        return "Nội dung gửi lên quá lớn."
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // KB} KB"
    return f"Nội dung gửi lên quá lớn (tối đa {size} cho địa chỉ này)."


class BodyLimitByPath:
    """Pure ASGI middleware: the limit of the longest matching prefix of `limits`, or
    `default`, enforced by Starlette's `RequestBodyLimitMiddleware`."""

    def __init__(self, app: ASGIApp, limits: dict[str, int], default: int) -> None:
        self.app = app
        longest_first = sorted(limits.items(), key=lambda item: -len(item[0]))
        self._limited = [
            (prefix, RequestBodyLimitMiddleware(app, max_body_size=limit)) for prefix, limit in longest_first
        ]
        self._default = RequestBodyLimitMiddleware(app, max_body_size=default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limited = next((m for prefix, m in self._limited if path.startswith(prefix)), self._default)
        await limited(scope, receive, _in_vietnamese(scope, send))


def _in_vietnamese(scope: Scope, send: Send) -> Send:
    """Starlette answers a body past its limit with a plain "Content Too Large": say it
    in Vietnamese, naming the limit, whichever layer refused it."""
    replaced = False

    async def answer(message: Message) -> None:
        nonlocal replaced
        if message["type"] == "http.response.start" and message["status"] == 413:
            replaced = True
            body = orjson.dumps({"detail": too_large_message(scope.get(MAX_BODY_SIZE_SCOPE_KEY))})
            await send({"type": "http.response.start", "status": 413, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            ]})
            await send({"type": "http.response.body", "body": body})
            return
        if not replaced:
            await send(message)

    return answer
