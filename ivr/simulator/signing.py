"""One webhook request as Twilio sends it: its parameters, and its signature.

Twilio signs the URL it was configured with: for POST the URL plus the form parameters
sorted by name; for GET the parameters travel in the query string and the full URL alone
is signed. The signing is the `twilio` library's, so a mismatch is the server's bug.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

TEST_ACCOUNT_SID = "AC" + "0" * 32


def new_sid(prefix: str) -> str:
    """A Twilio-shaped identifier: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass(frozen=True)
class CallIdentity:
    """What stays the same in every webhook of one call."""

    caller: str
    hotline: str
    call_sid: str = field(default_factory=lambda: new_sid("CA"))
    account_sid: str = TEST_ACCOUNT_SID

    def params(self, call_status: str = "in-progress", **extra: str) -> dict[str, str]:
        params = {
            "CallSid": self.call_sid,
            "AccountSid": self.account_sid,
            "From": self.caller,
            "To": self.hotline,
            "Caller": self.caller,
            "Called": self.hotline,
            "CallStatus": call_status,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "FromCountry": "VN",
            "ToCountry": "VN",
        }
        params.update(extra)
        return params


@dataclass(frozen=True)
class WebhookRequest:
    """Ready to send: `url` already carries the query of a GET; `form` is the POST body."""

    method: str
    url: str
    form: dict[str, str]
    headers: dict[str, str]


def signed_request(method: str, url: str, params: dict[str, str], token: str | None) -> WebhookRequest:
    """The request Twilio would send; unsigned when there is no token (a local demo)."""
    method = method.upper()
    if method == "GET":
        full = url + ("&" if "?" in url else "?") + urlencode(params)
        signed_url, form, signed_params = full, {}, {}
    else:
        signed_url, form, signed_params = url, dict(params), params
    headers: dict[str, str] = {}
    if token:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(signed_url, signed_params)
    return WebhookRequest(method=method, url=signed_url, form=form, headers=headers)
