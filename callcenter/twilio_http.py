"""The Twilio SDK's HTTP layer on httpx instead of requests.

`twilio.rest.Client(http_client=HttpxTwilioClient(...))` keeps the official SDK for
building requests and parsing answers, while the transport is ours: one shared
httpx.Client, `TWILIO_API_BASE_URL` to reach a stand-in for api.twilio.com, and tests
that fake Twilio with httpx.MockTransport instead of patching the SDK.
"""

from __future__ import annotations

import logging

import httpx
from twilio.http import HttpClient
from twilio.http.response import Response

TWILIO_API_ORIGIN = "https://api.twilio.com"
DEFAULT_TIMEOUT_S = 15.0

_logger = logging.getLogger(__name__)


class HttpxTwilioClient(HttpClient):  # type: ignore[misc]  # the SDK ships no type hints
    def __init__(
        self,
        http: httpx.Client,
        *,
        api_base_url: str = TWILIO_API_ORIGIN,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        super().__init__(_logger, is_async=False, timeout=timeout)
        self.http = http
        self.api_base_url = api_base_url.rstrip("/")

    def rewrite(self, url: str) -> str:
        if url.startswith(TWILIO_API_ORIGIN):
            return self.api_base_url + url[len(TWILIO_API_ORIGIN):]
        return url

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one SDK request; transport errors (httpx.TransportError) reach the caller."""
        if timeout is not None and timeout <= 0:
            raise ValueError(timeout)
        is_json = (headers or {}).get("Content-Type", "").endswith("json")
        answer = self.http.request(
            method.upper(),
            self.rewrite(url),
            params=params,  # type: ignore[arg-type]  # the SDK passes str/list values
            data=None if is_json else data,
            json=data if is_json else None,
            headers=headers,
            auth=httpx.BasicAuth(*auth) if auth else None,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        self._test_only_last_response = Response(answer.status_code, answer.text, answer.headers)
        return self._test_only_last_response
