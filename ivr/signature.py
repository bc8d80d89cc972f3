"""Twilio signature check, as a dependency every webhook declares.

The URL Twilio signed is the public one it was configured with; behind a proxy the
request we see has another host and scheme, so the check rebuilds the URL from
PUBLIC_BASE_URL + path + query and never trusts the Host header.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request
from twilio.request_validator import RequestValidator

from ivr.settings import HotlineSettings

log = structlog.get_logger(__name__)


def public_url(settings: HotlineSettings, request: Request) -> str:
    url = settings.public_base_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def twilio_form(request: Request) -> dict[str, str]:
    """The webhook's form fields, after the signature has been verified against them."""
    settings: HotlineSettings = request.app.state.settings
    form = await request.form()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    if settings.twilio_validate:
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(settings.twilio_auth_token)
        if not signature or not validator.validate(public_url(settings, request), params, signature):
            log.warning("twilio_signature_rejected", path=request.url.path)
            raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return params


TwilioForm = Annotated[dict[str, str], Depends(twilio_form)]
