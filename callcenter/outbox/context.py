"""What a handler gets besides its session and entry: settings and outside clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from twilio.rest import Client as TwilioClient

from callcenter.twilio_http import DEFAULT_TIMEOUT_S, HttpxTwilioClient
from ivr.settings import Settings


@dataclass
class OutboxContext:
    settings: Settings
    # One connection pool for every outside system; tests pass a MockTransport-backed one.
    http: httpx.Client
    _twilio: Any = field(default=None, init=False, repr=False)

    def twilio(self) -> Any:
        """The official Twilio client over our httpx transport (built on first use)."""
        if self._twilio is None:
            self._twilio = TwilioClient(
                self.settings.twilio_account_sid,
                self.settings.twilio_auth_token,
                http_client=HttpxTwilioClient(
                    self.http, api_base_url=self.settings.twilio_api_base_url
                ),
            )
        return self._twilio

    def close(self) -> None:
        self.http.close()


def build_context(settings: Settings, *, transport: httpx.BaseTransport | None = None) -> OutboxContext:
    return OutboxContext(
        settings=settings, http=httpx.Client(timeout=DEFAULT_TIMEOUT_S, transport=transport)
    )
