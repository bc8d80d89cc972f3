"""Promises to call a caller back (`models.callback.CallbackRequest`), whatever made them.

The hotline says "we will call you back" when a caller leaves a message out of hours,
leaves the operators' queue, or meets a fault; each time one open request stands for
the promise until an operator keeps it. A caller is owed one call-back per call: a
second reason in the same call (their message after the queue) joins the first.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.callback import CallbackRequest
from models.domain.phone import mask_phone

log = structlog.get_logger(__name__)


def promise_callback(
    session: Session, *, call_id: int | None, phone: str, reason: str, requested_at: datetime,
    vessel_registration: str | None = None, dossier_id: int | None = None,
) -> CallbackRequest:
    """The call's open request, made now if it has none; flushes, never commits."""
    request = None
    if call_id is not None:
        request = session.scalars(
            select(CallbackRequest)
            .where(CallbackRequest.call_id == call_id, CallbackRequest.status == "open")
            .order_by(CallbackRequest.id).limit(1)
        ).first()
    if request is None:
        request = CallbackRequest(
            call_id=call_id, phone=phone, reason=reason, requested_at=requested_at,
            vessel_registration=vessel_registration, dossier_id=dossier_id,
        )
        session.add(request)
        session.flush()
        log.info("callback_promised", request_id=request.id, reason=reason, caller=mask_phone(phone))
    else:
        # The earliest moment the caller asked keeps their place.
        request.requested_at = min(request.requested_at, requested_at)
        request.vessel_registration = request.vessel_registration or vessel_registration
        request.dossier_id = request.dossier_id or dossier_id
    return request
