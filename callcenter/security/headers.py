"""Headers for browsers: what a page may load and run, and what may frame or cache it.

Every HTML answer: a Content-Security-Policy with no inline script (scripts come from
the service's own static files; `frame-ancestors 'none'`), `X-Frame-Options: DENY` for
older browsers, and `Referrer-Policy`. Every answer: `X-Content-Type-Options: nosniff`,
and `Cache-Control: no-store` unless the endpoint set its own (pages and API answers
carry personal data; static files and the public guide set theirs). Twilio's webhooks
are left as they are: no browser reads them.

Inline `<style>` blocks are allowed (the guide and the printable report are single
files on purpose); with images, fonts and connections limited to the service itself,
a style cannot carry data anywhere else.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BASE: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    # Call recordings are played from Twilio, where they are kept.
    "media-src": ("'self'", "https://api.twilio.com"),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}


def content_security_policy(**extra: tuple[str, ...]) -> str:
    """The service's policy with more sources for some directives:
    `content_security_policy(connect_src=("wss://voice-js.roaming.twilio.com",))`."""
    directives = dict(_BASE)
    for name, sources in extra.items():
        key = name.replace("_", "-")
        known = directives.get(key, ())
        directives[key] = known + tuple(s for s in sources if s not in known)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


DEFAULT_CSP = content_security_policy()
# Path prefix → the policy of the pages under it, longest prefix first; a page that needs
# more (a softphone's Twilio connections) gets a line here, built with the function above.
CSP_BY_PATH: dict[str, str] = {
    # The console's softphone (Twilio's Voice SDK) signals over Twilio's WebSockets (any
    # edge, `voice-js.<edge>.twilio.com`) and reports call quality to Twilio's event
    # gateway; its media is WebRTC, which CSP does not govern, and its sounds are ours.
    "/console/": content_security_policy(connect_src=("wss://*.twilio.com", "https://eventgw.twilio.com")),
}

# Where files are served as they are, with their own caching headers.
STATIC_PREFIXES = ("/console/static/", "/voice-prompts/", "/static/", "/m/static/")

_HTML_HEADERS = (("x-frame-options", "DENY"), ("referrer-policy", "same-origin"))


class BrowserHeaders:
    """Pure ASGI middleware adding the headers above to every answer but a webhook's."""

    def __init__(self, app: ASGIApp, policies: dict[str, str] | None = None) -> None:
        self.app = app
        self.policies = sorted((policies or {}).items(), key=lambda item: -len(item[0]))

    def policy_for(self, path: str) -> str:
        return next((policy for prefix, policy in self.policies if path.startswith(prefix)), DEFAULT_CSP)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/twilio/"):
            await self.app(scope, receive, send)
            return
        static = path.startswith(STATIC_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI; Starlette's helper needs it
                headers = MutableHeaders(scope=message)
                headers.append("x-content-type-options", "nosniff")
                if not static:
                    headers.setdefault("cache-control", "no-store")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("content-security-policy", self.policy_for(path))
                    for name, value in _HTML_HEADERS:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
