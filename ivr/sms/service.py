"""An SMS to the hotline: claimed once, recorded, understood, answered in TwiML.

The same draft dossier as a call leaves (`channel=sms`), the same vessel check. A
MessageSid Twilio repeats gets the first answer and changes nothing; a sender who
floods is slowed (counted in the database, so across workers), never served a draft
per message. Services flush; the webhook commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse

from ivr.hours import callback_promise
from ivr.intake.claims import claim_webhook, store_answer
from ivr.intake.drafts import Draft, create_draft
from ivr.prompts import Catalogue
from ivr.settings import Settings
from ivr.sms import replies
from ivr.sms.parser import SmsRequest, parse_sms
from ivr.sms.repository import (
    count_inbound_since,
    count_sms_drafts_since,
    dossier_by_reference,
    newest_dossiers,
    vessel_by_registration,
    waiting_same_request,
)
from models.domain.phone import mask_phone, try_normalize_phone
from models.dossier import Dossier
from models.message import Message

log = structlog.get_logger(__name__)

BODY_LIMIT = 1600  # Twilio's own maximum for a concatenated message


# The tracking number means something once the result is on its way, not before.
POSTAL_STATUSES = frozenset({"result_ready", "in_transit", "delivered"})


class BadMessage(ValueError):
    """A webhook without what Twilio always sends (MessageSid)."""


@dataclass(frozen=True)
class SmsLimits:
    # Answered messages per sender per minute; the next one is told to wait, later ones
    # get no reply at all (an auto-responder must not be able to ping-pong with us).
    messages_per_minute: int = 5
    drafts_per_window: int = 3
    drafts_window: timedelta = timedelta(minutes=10)
    # The same procedure for the same vessel while the first draft still waits: its reference.
    same_request_window: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class SmsContext:
    settings: Settings
    catalogue: Catalogue
    now: datetime
    limits: SmsLimits = field(default_factory=SmsLimits)


@dataclass
class Reply:
    text: str | None  # None: deliberately silent
    dossier: Dossier | Draft | None = None


def twiml(text: str | None) -> str:
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)


def _fingerprint(body: str) -> str:
    return "b:" + hashlib.sha256(body.encode("utf-8", "replace")).hexdigest()[:40]


def answer_sms(session: Session, *, params: dict[str, str], ctx: SmsContext) -> str:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sid or len(sid) > 64:
        raise BadMessage("MessageSid missing or malformed")
    body = "".join(ch for ch in params.get("Body", "")[:BODY_LIMIT] if ch.isprintable() or ch in "\n\t")
    key = f"sms:{sid}"
    previous = claim_webhook(session, key=key, fingerprint=_fingerprint(body))
    if previous is not None:
        return previous.response  # Twilio repeated itself: the same answer, no second effect

    raw_from = params.get("From", "")[:32]
    sender = try_normalize_phone(raw_from) or raw_from
    hotline = params.get("To", "")[:32]
    window_start = ctx.now - timedelta(minutes=1)
    earlier = count_inbound_since(session, sender=sender, since=window_start)
    inbound = Message(direction="in", status="received", from_number=sender, to_number=hotline,
                      body=body, twilio_sid=sid, created_at=ctx.now)
    session.add(inbound)

    if earlier >= ctx.limits.messages_per_minute:
        reply = Reply(replies.slow_down() if earlier == ctx.limits.messages_per_minute else None)
        request: SmsRequest | None = None
    else:
        request = parse_sms(body, province=ctx.settings.hotline_province)
        reply = _serve(session, request=request, sender=sender, ctx=ctx)

    if reply.dossier is not None:
        inbound.dossier_id = reply.dossier.id
    if reply.text:
        session.add(Message(direction="out", status="sent", to_number=sender, from_number=hotline,
                            body=reply.text, dossier_id=reply.dossier.id if reply.dossier else None,
                            created_at=ctx.now))
    session.flush()
    answer = twiml(reply.text)
    store_answer(session, key=key, response=answer)
    log.info("sms_answered", sender=mask_phone(sender), keyword=request.keyword.code if request else None,
             understood=request.understood if request else None, throttled=request is None,
             reference=reply.dossier.reference if reply.dossier else None)
    return answer


def _serve(session: Session, *, request: SmsRequest, sender: str, ctx: SmsContext) -> Reply:
    hotline = ctx.settings.hotline_display
    if request.problem is not None:
        return Reply(replies.problem(request.problem, request.keyword))
    if request.action == "status":
        return _status(session, request=request, sender=sender, ctx=ctx)
    if request.action == "draft" and request.vessel:
        return _draft(session, request=request, sender=sender, ctx=ctx)
    return Reply(replies.help_text(hotline))


def _draft(session: Session, *, request: SmsRequest, sender: str, ctx: SmsContext) -> Reply:
    hotline = ctx.settings.hotline_display
    keyword, vessel_number = request.keyword, request.vessel or ""
    procedure = keyword.procedure or ""
    if not sender.startswith("+"):  # nobody could call this sender back about the draft
        return Reply(replies.fault(hotline))
    same = waiting_same_request(
        session, phone=sender, procedure=procedure, variant=keyword.variant, vessel=vessel_number,
        since=ctx.now - ctx.limits.same_request_window,
    )
    if same is not None:
        return Reply(replies.draft_repeated(reference=same.reference, vessel=vessel_number), same)
    recent = count_sms_drafts_since(session, phone=sender, since=ctx.now - ctx.limits.drafts_window)
    if recent >= ctx.limits.drafts_per_window:
        return Reply(replies.too_many_drafts(hotline))
    vessel = vessel_by_registration(session, vessel_number)
    dossier = create_draft(
        session, procedure=procedure, variant=keyword.variant, channel="sms", vessel=vessel,
        vessel_registration=vessel_number, applicant_phone=sender, by="sms",
    )
    log.info("dossier_created", channel="sms", reference=dossier.reference, procedure=procedure,
             verified=dossier.vessel_verified)
    text = replies.draft_created(reference=dossier.reference, procedure=procedure, variant=keyword.variant,
                                 vessel=dossier.vessel_registration or vessel_number,
                                 verified=dossier.vessel_verified, catalogue=ctx.catalogue,
                                 when=callback_promise(ctx.now, ctx.settings).sms)
    return Reply(text, dossier)


def _status(session: Session, *, request: SmsRequest, sender: str, ctx: SmsContext) -> Reply:
    phrases = ctx.catalogue.phrases["status"]
    if request.reference is not None:
        dossier = dossier_by_reference(session, request.reference)
        if dossier is None:
            return Reply(replies.dossier_not_found(request.reference))
        others: list[str] = []
    else:
        mine = newest_dossiers(session, phone=sender, limit=3) if sender.startswith("+") else []
        if not mine:
            return Reply(replies.no_dossier(ctx.settings.hotline_display))
        dossier, others = mine[0], [d.reference for d in mine[1:]]
    # Someone else's reference: status and dates only, nothing that says whose it is.
    own = sender.startswith("+") and dossier.applicant_phone == sender
    text = replies.status(
        reference=dossier.reference, procedure=dossier.procedure, variant=dossier.variant,
        status_phrase=phrases.get(dossier.status, dossier.status), due_date=dossier.onestop_due_date,
        tracking_number=dossier.postal_tracking_number if own and dossier.status in POSTAL_STATUSES else None,
        others=others, catalogue=ctx.catalogue,
    )
    return Reply(text, dossier if own else None)
