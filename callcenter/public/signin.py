"""Asking for a code and trading it for a session: shared by the API and the mobile site.

The answer to a code request is the same whether or not the phone is known anywhere:
anyone may file, and the answer must not tell a stranger whose number is on record.
"""

from __future__ import annotations

import phonenumbers
import structlog
from fastapi import Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from callcenter.public.deps import client_address, take
from callcenter.public.otp import check_code, issue_code
from callcenter.public.texts import otp_sms, otp_sms_masked
from ivr.intake.messages import queue_sms
from ivr.settings import Settings
from models.domain.phone import InvalidPhone, mask_phone, normalize_phone
from models.message import Message

log = structlog.get_logger(__name__)

BAD_PHONE = "Số điện thoại di động không hợp lệ (VD: 0905 123 456)."
SENT = "Nếu số điện thoại đúng, mã xác thực 6 số đã được gửi bằng tin nhắn SMS."
WRONG_CODE = "Mã xác thực không đúng hoặc đã hết hạn. Xin ông/bà kiểm tra lại hoặc nhận mã mới."
TOO_MANY_CODES = "Ông/bà đã yêu cầu mã quá nhiều lần. Xin đợi ít phút rồi thử lại."
TOO_MANY_TRIES = "Nhập sai quá nhiều lần. Xin đợi ít phút rồi thử lại."
TOO_MANY_DOSSIERS = "Số điện thoại này đã gửi nhiều hồ sơ trong thời gian ngắn. Xin đợi rồi gửi tiếp."


def count_filing(request: Request, *, phone: str, settings: Settings) -> None:
    """One more dossier from this phone (TooMany past the limit): a verified phone is no
    licence to fill the operators' queue."""
    take(request, (settings.mobile.dossiers_per_phone, "web-dossier-phone", phone))


def mobile_phone(raw: str) -> str:
    """E.164 of a Vietnamese mobile number, or InvalidPhone: an SMS cannot reach a landline
    or a service number. Which ranges are mobile is `phonenumbers`' data, kept current."""
    phone = normalize_phone(raw)
    if phonenumbers.number_type(phonenumbers.parse(phone)) != phonenumbers.PhoneNumberType.MOBILE:
        raise InvalidPhone(BAD_PHONE)
    return phone


def send_code(request: Request, session: Session, *, phone: str, settings: Settings) -> None:
    """Count the request (TooMany when over a limit), issue a code, queue its SMS. Flushes."""
    take(request, (settings.mobile.otp_per_address, "otp-address", client_address(request)),
         (settings.mobile.otp_per_phone, "otp-phone", phone))
    code = issue_code(session, phone=phone, settings=settings)
    minutes = settings.mobile.otp_ttl_s // 60
    sending = settings.twilio_sending_enabled
    # A message that will never be sent (no Twilio) keeps no live code in the database.
    body = otp_sms(code, minutes=minutes) if sending else otp_sms_masked(minutes=minutes)
    queue_sms(session, to=phone, body=body, dossier_id=None, sending_enabled=sending)
    if not sending and settings.demo_mode:
        log.warning("demo_one_time_code", phone=mask_phone(phone), code=code,
                    note="DEMO_MODE without Twilio: the code is shown here instead of texted")


def verify_code(request: Request, session: Session, *, phone: str, code: str, settings: Settings) -> bool:
    """Count the try against the address (TooMany), then check the code. Flushes."""
    take(request, (settings.mobile.session_tries_per_address, "otp-check-address", client_address(request)))
    if not check_code(session, phone=phone, code=code, settings=settings):
        return False
    # The code has opened its session: the text of its SMS no longer needs it.
    minutes = settings.mobile.otp_ttl_s // 60
    session.execute(
        update(Message)
        .where(Message.to_number == phone, Message.dossier_id.is_(None), Message.body.like("%ma xac thuc%"))
        .values(body=otp_sms_masked(minutes=minutes))
        .execution_options(synchronize_session=False)
    )
    return True
