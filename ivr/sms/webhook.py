"""`POST /twilio/sms` (contract sections 2 and 7): signature checked, TwiML out, never a 5xx.

The endpoint is the commit point. Whatever fails inside, the sender gets a short
apology with the hotline number, and the fault is logged for us.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, Request, Response

from ivr.runtime import HotlineRuntime
from ivr.settings import Settings
from ivr.signature import TwilioForm
from ivr.sms.replies import fault
from ivr.sms.service import BadMessage, SmsContext, answer_sms, twiml
from ivr.unit import committed, log_fault
from models.db import SessionDep

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])


@router.post("/sms")
def incoming_sms(request: Request, params: TwilioForm, session: SessionDep) -> Response:
    settings: Settings = request.app.state.settings
    runtime: HotlineRuntime = request.app.state.hotline
    ctx = SmsContext(settings=settings, catalogue=runtime.catalogue, now=datetime.now(UTC))
    try:
        body = committed(session, lambda: answer_sms(session, params=params, ctx=ctx),
                         retried="sms_webhook_retried", message_sid=params.get("MessageSid", "")[:64])
    except BadMessage as exc:  # not a message Twilio would send: nobody to answer
        session.rollback()
        log.warning("sms_webhook_refused", detail=str(exc))
        body = twiml(None)
    except Exception as exc:  # Twilio retries a 5xx; the sender gets an apology instead
        session.rollback()
        log_fault("sms_webhook_fault", exc, message_sid=params.get("MessageSid", "")[:64])
        body = twiml(fault(settings.hotline_display))
    return Response(content=body, media_type="text/xml")
