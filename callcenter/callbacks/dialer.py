"""Placing the operator's leg of a call-back through Twilio's Calls API.

The official SDK builds the request; the transport is our httpx client
(callcenter.twilio_http), so tests fake Twilio with httpx.MockTransport by overriding
`get_twilio_http`, never by patching the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Protocol

import httpx
from fastapi import Depends
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client as TwilioClient

from callcenter.twilio_http import DEFAULT_TIMEOUT_S, HttpxTwilioClient
from ivr.settings import Settings

# How long the operator's phone rings before Twilio gives up on them.
RING_SECONDS = 25


class DialFailed(Exception):
    """Twilio refused the call or could not be reached; the message is for the operator."""


class Dialer(Protocol):
    def dial(self, *, to: str, from_: str, url: str, status_callback: str) -> str:
        """Start the call; returns Twilio's CallSid."""
        ...


class TwilioDialer:
    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self.client = TwilioClient(
            settings.twilio_account_sid, settings.twilio_auth_token,
            http_client=HttpxTwilioClient(http, api_base_url=settings.twilio_api_base_url),
        )

    def dial(self, *, to: str, from_: str, url: str, status_callback: str) -> str:
        try:
            call = self.client.calls.create(
                to=to, from_=from_, url=url, method="POST", timeout=RING_SECONDS,
                status_callback=status_callback, status_callback_method="POST",
                status_callback_event=["completed"],
            )
        except httpx.TransportError as exc:
            raise DialFailed(f"không kết nối được Twilio ({type(exc).__name__})") from exc
        except TwilioRestException as exc:
            raise DialFailed(f"Twilio từ chối cuộc gọi (HTTP {exc.status}, mã {exc.code})") from exc
        except TwilioException as exc:
            raise DialFailed(f"Twilio trả lời không hợp lệ ({type(exc).__name__})") from exc
        return str(call.sid)


def get_twilio_http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=DEFAULT_TIMEOUT_S) as http:
        yield http


TwilioHttpDep = Annotated[httpx.Client, Depends(get_twilio_http)]
