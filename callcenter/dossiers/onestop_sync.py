"""Our dossiers and the province's one-stop system: filing (outbox handler) and following.

Filing. `submit_dossier` queues one `onestop.submit` outbox entry holding the application
body and an idempotency key. `deliver_submission` (registered in
`callcenter/outbox/handlers.py`) sends it with that key, so a retry after a lost answer
gets the same one-stop dossier back, never a second one:

- accepted → the dossier stores the one-stop code and due date, `submitting → submitted`,
  a history line, and the receipt SMS (code + due date) to the fisher;
- `OneStopUnavailable` → `RetryLater` (the outbox backs off and tries again);
- `OneStopRejected` → `PermanentFailure`: the entry is `failed` with the reason (shown
  to supervisors, who may retry it), and `give_up_submission` puts the dossier back to
  `in_progress` with the reason in its history, in the queue for an operator. Running out
  of retries after a long outage does the same.

Following. `poll_statuses` asks the one-stop system where each filed dossier stands
(`submitted`, `processing`, `result_ready`, `in_transit`) and records every change: the
status, the S10 tracking number once the result is posted, a history line and an SMS.
It runs every `DOSSIER_STATUS_POLL_S` seconds in `callcenter.dossiers.ticker`, started
next to the outbox worker. Each change is one conditional UPDATE on the old status, so
several app workers polling at once record it, and text the fisher, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.attachments.storage import AttachmentStore, StoreError, open_store
from callcenter.dossiers.notices import receipt_sms, status_history, status_label, status_sms
from callcenter.dossiers.service import ONESTOP_SUBMIT
from callcenter.onestop.client import (
    HttpOneStopClient,
    OneStopClient,
    OneStopError,
    OneStopNotFound,
    OneStopRejected,
    OneStopStatus,
    OneStopUnavailable,
)
from callcenter.onestop.schemas import Application, AttachmentRef
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.errors import PermanentFailure, RetryLater
from callcenter.postal.s10 import InvalidTrackingNumber, normalize_tracking_number
from ivr.intake.messages import queue_sms
from models.base import utcnow
from models.domain.phone import mask_phone
from models.dossier import Dossier, DossierEvent
from models.outbox import OutboxEntry

log = structlog.get_logger(__name__)

POLLED_STATUSES = ("submitted", "processing", "result_ready", "in_transit")
# A dossier only moves forward; an older answer (a lagging replica) is not a step back.
_RANK = {"submitted": 0, "processing": 1, "result_ready": 2, "in_transit": 3, "delivered": 4, "rejected": 4}
_NUMBERS = re.compile(r"\+?\d{7,}")


def _masked(text: str) -> str:
    """Supervisors read outbox reasons: no citizen ID or phone number in them."""
    return _NUMBERS.sub(lambda m: mask_phone(m.group()), text)[:500]


def _note(
    session: Session, dossier: Dossier, what: str, at: datetime, detail: dict[str, object] | None = None
) -> None:
    session.add(DossierEvent(dossier_id=dossier.id, by="system", what=what, at=at, detail=detail))


def client_for(context: OutboxContext) -> OneStopClient:
    return HttpOneStopClient.from_settings(context.settings, http=context.http)


def _superseded(session: Session, entry: OutboxEntry, reference: str) -> bool:
    """A later submission of the same dossier exists (corrected after a refusal)."""
    later = session.scalar(
        select(func.count())
        .select_from(OutboxEntry)
        .where(
            OutboxEntry.kind == ONESTOP_SUBMIT,
            OutboxEntry.idempotency_key.like(f"onestop:{reference}:%"),
            OutboxEntry.id > entry.id,
        )
    )
    return bool(later)


def upload_attachments(
    client: OneStopClient, attachments: list[dict[str, object]], *, key: str, store: AttachmentStore
) -> list[AttachmentRef]:
    refs = []
    for item in attachments:
        try:
            content = store.get(str(item["storage_key"]))
        except StoreError as exc:  # the store is shared storage: down now, back later
            raise OneStopUnavailable(f"attachment store: {exc}") from exc
        extension = str(item["storage_key"]).rsplit(".", 1)[-1]
        file_id = client.upload(
            content, filename=f"{item['name']}-{item['id']}.{extension}",
            content_type=str(item["content_type"]), idempotency_key=f"{key}:file:{item['id']}",
        )
        refs.append(AttachmentRef(file_id=file_id, name=str(item["name"]), label=str(item["label"])))
    return refs


def deliver_submission(
    session: Session, entry: OutboxEntry, context: OutboxContext, *, client: OneStopClient | None = None
) -> None:
    dossier = session.get(Dossier, entry.payload.get("dossier_id"))
    if dossier is None:
        raise PermanentFailure(f"không tìm thấy hồ sơ {entry.payload.get('reference')}")
    if dossier.status != "submitting" or _superseded(session, entry, dossier.reference):
        return  # filed on an earlier try whose "done" was lost, or replaced: never twice
    application = Application.model_validate(entry.payload["application"])
    desk = client or client_for(context)
    try:
        # Documents go up first, each under a key of its own, so a retry gets the same
        # file ids back and the application it sends is the very same body.
        application.attachments = upload_attachments(
            desk, entry.payload.get("attachments") or [], key=entry.idempotency_key,
            store=open_store(context.settings.attachments.store_url),
        )
        receipt = desk.apply(application, idempotency_key=entry.idempotency_key)
    except OneStopRejected as exc:
        raise PermanentFailure(_masked(f"Hệ thống một cửa từ chối hồ sơ: {exc.reason}")) from exc
    except OneStopUnavailable as exc:
        raise RetryLater(_masked(f"Hệ thống một cửa tạm thời không trả lời: {exc}")) from exc
    now = utcnow()
    moved = session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id, Dossier.status == "submitting")
        .values(status="submitted", onestop_code=receipt.code, onestop_due_date=receipt.due_date)
        .returning(Dossier.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        return
    due = f", hẹn trả ngày {receipt.due_date:%d/%m/%Y}" if receipt.due_date else ""
    _note(session, dossier, f"Hệ thống một cửa đã tiếp nhận hồ sơ, mã {receipt.code}{due}.", now)
    if dossier.applicant_phone:
        queue_sms(
            session,
            to=dossier.applicant_phone,
            body=receipt_sms(dossier.reference, receipt.code, receipt.due_date),
            dossier_id=dossier.id,
            sending_enabled=context.settings.twilio_sending_enabled,
        )
    log.info("dossier_submitted", reference=dossier.reference, code=receipt.code)


def give_up_submission(session: Session, entry: OutboxEntry, reason: str) -> None:
    """The entry failed for good: the dossier goes back to the operators with the reason."""
    dossier = session.get(Dossier, entry.payload.get("dossier_id"))
    if dossier is None or dossier.status != "submitting":
        return
    dossier.status = "in_progress"
    _note(session, dossier, f"Chưa nộp được, hồ sơ trở lại để hoàn thiện. {reason}", utcnow())
    log.warning("dossier_submission_failed", reference=dossier.reference)


def requeue_submission(session: Session, entry: OutboxEntry) -> None:
    """A supervisor retried the failed entry: the dossier is on its way again."""
    dossier = session.get(Dossier, entry.payload.get("dossier_id"))
    if dossier is None or dossier.status != "in_progress" or _superseded(session, entry, dossier.reference):
        return
    dossier.status = "submitting"
    dossier.claimed_by_id = dossier.claimed_at = None
    _note(session, dossier, "Gửi lại hồ sơ lên hệ thống một cửa.", utcnow())


def _tracking(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_tracking_number(raw)
    except InvalidTrackingNumber:
        log.warning("onestop_bad_tracking_number")
        return None


def record_status(
    session: Session,
    *,
    dossier_id: int,
    seen: OneStopStatus,
    sending_enabled: bool,
    now: datetime | None = None,
) -> bool:
    """Record what the one-stop system says; True when the dossier moved (history, SMS)."""
    now = now or utcnow()
    dossier = session.get(Dossier, dossier_id, populate_existing=True)
    if dossier is None or dossier.status not in POLLED_STATUSES:
        return False
    old, new = dossier.status, seen.status
    if dossier.onestop_due_date is None and seen.due_date is not None:
        dossier.onestop_due_date = seen.due_date  # a desk that accepted the filing later
    if new not in _RANK or _RANK[new] <= _RANK[old]:
        session.flush()
        return False
    tracking = _tracking(seen.tracking_number)
    moved = session.execute(
        update(Dossier)
        .where(Dossier.id == dossier_id, Dossier.status == old)
        .values(
            status=new,
            postal_tracking_number=tracking or dossier.postal_tracking_number,
            postal_status=seen.postal_status or dossier.postal_status,
        )
        .returning(Dossier.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:  # another poller recorded it first
        return False
    comment = seen.comment if new == "rejected" else None
    _note(
        session,
        dossier,
        status_history(new, code=seen.code, tracking_number=tracking, comment=comment),
        now,
        detail={"from": old, "to": new, "onestop_status": seen.onestop_status},
    )
    if seen.tracking_number and tracking is None:
        _note(session, dossier, "Mã bưu gửi từ hệ thống một cửa sai định dạng S10, chưa lưu.", now)
    by_post = (dossier.delivery or {}).get("method", "post") == "post"
    body = status_sms(dossier.reference, new, tracking_number=tracking, by_post=by_post, comment=comment)
    if body and dossier.applicant_phone:
        queue_sms(
            session,
            to=dossier.applicant_phone,
            body=body,
            dossier_id=dossier.id,
            sending_enabled=sending_enabled,
        )
    session.flush()
    log.info("dossier_status", reference=dossier.reference, status=new, was=status_label(old))
    return True


@dataclass
class PollReport:
    checked: int = 0
    moved: int = 0
    errors: int = 0


def poll_statuses(
    sessions: sessionmaker[Session], *, client: OneStopClient, sending_enabled: bool, limit: int = 200
) -> PollReport:
    """One round over the filed dossiers; each recorded change commits on its own."""
    report = PollReport()
    with sessions() as session:
        due = session.execute(
            select(Dossier.id, Dossier.onestop_code)
            .where(Dossier.status.in_(POLLED_STATUSES), Dossier.onestop_code.is_not(None))
            .order_by(Dossier.updated_at, Dossier.id)
            .limit(limit)
        ).all()
    for dossier_id, code in due:
        if code is None:
            continue
        try:
            seen = client.get(code)
        except OneStopUnavailable:
            report.errors += 1
            break  # the system is down: the next round tries them all again
        except (OneStopNotFound, OneStopError):
            report.errors += 1
            log.warning("onestop_poll_failed", code=code)
            continue
        report.checked += 1
        with sessions() as session:
            if record_status(session, dossier_id=dossier_id, seen=seen, sending_enabled=sending_enabled):
                report.moved += 1
            session.commit()
    return report
