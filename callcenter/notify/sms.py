"""The `sms.send` outbox handler: one `Message` out through Twilio's Messages API."""

from __future__ import annotations

import re

import httpx
import structlog
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from callcenter.notify.segments import body_to_send
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.errors import PermanentFailure, RetryLater
from ivr.intake.messages import SMS_SEND
from models.domain.phone import mask_phone
from models.message import Message
from models.outbox import OutboxEntry

__all__ = ["SMS_SEND", "deliver_sms", "give_up_sms", "requeue_sms"]

log = structlog.get_logger(__name__)

# Twilio answers these when it is busy or briefly unwell; every other 4xx means the
# request itself is wrong (invalid number 21211, unsubscribed recipient 21610 …).
_TEMPORARY_4XX = frozenset({408, 429})
_PHONE_LIKE = re.compile(r"\+?\d{7,}")


def _message(session: Session, entry: OutboxEntry) -> Message:
    message = session.get(Message, entry.payload.get("message_id"))
    if message is None:
        raise PermanentFailure(f"không tìm thấy tin nhắn {entry.payload.get('message_id')}")
    return message


def deliver_sms(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
    message = _message(session, entry)
    if message.twilio_sid:
        return  # Twilio took it on an earlier try whose "done" was lost: never twice.
    settings = context.settings
    if not settings.twilio_sending_enabled:
        # Credentials were removed after it was queued; they may come back.
        raise RetryLater("chưa cấu hình tài khoản Twilio (TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER)")
    body = body_to_send(message.body)
    try:
        sent = context.twilio().messages.create(
            to=message.to_number, from_=settings.twilio_from_number, body=body
        )
    except httpx.TransportError as exc:
        raise RetryLater(f"không kết nối được Twilio: {type(exc).__name__}") from exc
    except (TwilioRestException, TwilioServiceException) as exc:
        reason = _describe(exc)
        if exc.status >= 500 or exc.status in _TEMPORARY_4XX:
            raise RetryLater(f"Twilio tạm thời lỗi: {reason}") from exc
        raise PermanentFailure(f"Twilio từ chối tin nhắn: {reason}") from exc
    message.status = "sent"
    message.twilio_sid = sent.sid
    message.from_number = settings.twilio_from_number or ""
    message.body = body  # what the fisher actually received, diacritics or not
    message.error = None
    log.info("sms_sent", message_id=message.id, to=mask_phone(message.to_number), sid=sent.sid)


def _describe(exc: TwilioRestException | TwilioServiceException) -> str:
    detail = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
    # Twilio quotes the recipient's number back; supervisors and logs get it masked.
    text = _PHONE_LIKE.sub(lambda m: mask_phone(m.group()), str(detail).split("\n")[0][:300])
    return f"HTTP {exc.status}, mã {exc.code}: {text}"


def give_up_sms(session: Session, entry: OutboxEntry, reason: str) -> None:
    message = session.get(Message, entry.payload.get("message_id"))
    if message is None:
        return
    message.status = "failed"
    message.error = reason
    log.warning("sms_failed", message_id=message.id, to=mask_phone(message.to_number), reason=reason)


def requeue_sms(session: Session, entry: OutboxEntry) -> None:
    message = session.get(Message, entry.payload.get("message_id"))
    if message is not None and message.status == "failed":
        message.status = "queued"
        message.error = None
