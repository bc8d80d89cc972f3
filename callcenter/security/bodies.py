"""Request bodies capped before they are read into memory, with Starlette's own limiter.

`DEFAULT_BODY_LIMIT` covers console forms and API JSON; `BODY_LIMITS` sets another limit
for every path under a prefix (Twilio's webhooks: small). A single endpoint that takes
more (an upload) says so itself, `@router.post(..., max_body_size=UPLOAD_BODY_LIMIT)`,
which wins over both (FastAPI's route limit runs innermost). Either way a body whose
Content-Length is over the limit is refused `413` before a byte of it is read, and one
without a Content-Length the moment it passes the limit.

The refusal is JSON in Vietnamese, naming the limit; a site of pages (the mobile site)
answers with a page of its own instead (`answer_too_large_with`).

Not `FastAPI(max_body_size=…)`: every route would inherit that app-wide value as its
own and so override the per-prefix limits here.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.applications import Starlette
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB = 1024
MB = 1024 * KB

DEFAULT_BODY_LIMIT = 256 * KB  # console forms, the mobile site's forms, API JSON

# The route ceiling of an upload endpoint (the public API's, the mobile site's): above any
# ATTACHMENTS_MAX_BYTES (at most 63 MB) and its form, so `read_upload`, which streams the
# body and cuts it at the configured size, is the one that refuses, in its own words.
UPLOAD_BODY_LIMIT = 64 * MB

# Path prefix → limit, for every route under it; the longest prefix wins. Twilio's
# largest webhook is a few KB (an SMS of 1,600 Vietnamese characters is ~15 KB encoded).
BODY_LIMITS: dict[str, int] = {
    "/twilio/": 32 * KB,
}

# A site's own answer to a body past its limit: (the request, the limit) → a page.
TooLargePage = Callable[[Request, int | None], Response]
_PAGES_STATE = "too_large_pages"


def answer_too_large_with(app: Starlette, prefix: str, page: TooLargePage) -> None:
    """Under `prefix`, a body past its limit is answered by `page` (the site's own page,
    in its language) rather than JSON; the longest prefix wins."""
    pages: dict[str, TooLargePage] = dict(getattr(app.state, _PAGES_STATE, {}))
    pages[prefix] = page
    setattr(app.state, _PAGES_STATE, dict(sorted(pages.items(), key=lambda item: -len(item[0]))))


def _page_for(scope: Scope) -> TooLargePage | None:
    app = scope.get("app")
    pages: dict[str, TooLargePage] = getattr(app.state, _PAGES_STATE, {}) if app is not None else {}
    path: str = scope["path"]
    return next((page for prefix, page in pages.items() if path.startswith(prefix)), None)


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


# What Starlette (and FastAPI's handler for its exception) say when a body is too large.
_STARLETTE_WORDS = (b"Content Too Large", b'{"detail":"Content Too Large"}')


def _in_vietnamese(scope: Scope, send: Send) -> Send:
    """Starlette answers a body past its limit with a plain "Content Too Large": say it
    in Vietnamese, naming the limit, whichever layer refused it (as the site's own page
    where one was given). A 413 the app wrote in its own words (an upload past
    ATTACHMENTS_MAX_BYTES) goes out as it is."""
    held: Message | None = None
    passing = True

    async def answer(message: Message) -> None:
        nonlocal held, passing
        if message["type"] == "http.response.start" and message["status"] == 413:
            held = message  # decided by its body
            return
        if held is not None and message["type"] == "http.response.body":
            start, held = held, None
            if message.get("body", b"") in _STARLETTE_WORDS and not message.get("more_body", False):
                passing = False
                limit = scope.get(MAX_BODY_SIZE_SCOPE_KEY)
                page = _page_for(scope)
                if page is not None:
                    await page(Request(scope), limit)(scope, _nothing, send)
                    return
                body = orjson.dumps({"detail": too_large_message(limit)})
                await send({"type": "http.response.start", "status": 413, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                ]})
                await send({"type": "http.response.body", "body": body})
                return
            await send(start)
        if passing:
            await send(message)

    return answer


async def _nothing() -> Message:
    return {"type": "http.disconnect"}  # a page answering a refused body reads none of it
