"""Apply the retention policy: remove old recordings, mask old personal data.

What goes, and when (`RETENTION_RECORDING_DAYS`, `RETENTION_PERSONAL_DAYS`):

- recordings: the link on the call and its copy on the call-back request, after the
  recording days — and the audio itself at Twilio: each Twilio recording behind a removed
  link gets one outbox entry that deletes it there (`callcenter/retention/recordings.py`);
- after the personal days: the caller's number on calls; the numbers on SMS; the phone of
  a call-back request once it is closed (done or unreachable: an open one is a promise
  still to keep) and the number each call-back attempt dialled; the phone a one-time
  code was sent to; the operator's free-text wrap-up note on a queue entry (its code
  stays; a queue entry keeps no phone); the applicant's data on dossiers closed that long
  ago — and then their attachments (photos of ID cards…), row and file.

A dry run counts and lists what a real run would change, and changes nothing but the
audit trail. Services flush; the command commits. Masking is idempotent: a masked
number is never selected again (it contains `***`), a masked dossier carries a history
line that keeps it out of the next run, and a masked dossier's attachments are removed
whenever they are found (so a dossier masked before attachments were covered loses them
too). Attachment files are deleted after their rows, before the commit: should the commit
fail, the dossier is still unmasked, the next run selects it again, and deleting a file
already gone is a no-op — whereas deleting after the commit could leave an ID card's photo
that no row names, for ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, not_, or_, select, update
from sqlalchemy.orm import Session

from callcenter.attachments.storage import AttachmentStore
from callcenter.audit.log import record_audit
from callcenter.retention.masks import mask_address, mask_fields, mask_name
from callcenter.retention.recordings import plan_deletions, queue_deletions
from ivr.settings import RetentionPolicy
from models.attachment import Attachment
from models.call import Call
from models.callback import CallbackAttempt, CallbackRequest
from models.domain.citizen_id import mask_citizen_id
from models.domain.phone import mask_phone
from models.dossier import Dossier, DossierEvent
from models.message import Message
from models.otp import OneTimeCode
from models.queue import QueueEntry
from models.user import User

CLOSED_STATUSES = ("delivered", "cancelled", "rejected")
MASKED_NOTE = "Ẩn dữ liệu cá nhân theo chính sách lưu trữ"
RETENTION_ACTOR = "retention"
_SAMPLE = 10  # how many examples a report lists


@dataclass
class RetentionReport:
    dry_run: bool
    recording_cutoff: datetime
    personal_cutoff: datetime
    recordings_removed: int = 0
    callback_recordings_removed: int = 0
    # Recordings whose deletion at Twilio this run queues (or, dry, would queue); links that
    # name no Twilio recording (nothing to delete remotely); those queued by an earlier run.
    twilio_deletions_queued: int = 0
    recording_links_elsewhere: int = 0
    twilio_deletions_already_queued: int = 0
    callers_masked: int = 0
    messages_masked: int = 0
    callback_requests_masked: int = 0
    callback_attempts_masked: int = 0
    codes_masked: int = 0
    wrap_up_notes_removed: int = 0
    dossiers_masked: int = 0
    attachments_removed: int = 0
    sample_calls: list[str] = field(default_factory=list)
    sample_dossiers: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Every count by name (the audit entry keeps them)."""
        return {name: value for name, value in vars(self).items()
                if isinstance(value, int) and not isinstance(value, bool)}


def _masked_sql(column: Any) -> Any:
    """mask_phone in SQL: all but the last 6 characters, `***`, the last 3."""
    length = func.length(column)
    return func.substr(column, 1, length - 6).concat("***").concat(func.substr(column, length - 2))


def _unmasked_phone(column: Any) -> ColumnElement[bool]:
    return and_(func.length(column) > 6, not_(column.contains("***")))


def _count(session: Session, column: Any, condition: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count(column)).where(condition)) or 0)


def _mask_phones(session: Session, model: Any, column: Any, condition: ColumnElement[bool]) -> None:
    session.execute(update(model).where(condition).values({column.key: _masked_sql(column)})
                    .execution_options(synchronize_session=False))


def apply_retention(
    session: Session, *, policy: RetentionPolicy, now: datetime, dry_run: bool, store: AttachmentStore,
    actor: User | None = None, actor_name: str = RETENTION_ACTOR, ip: str | None = None,
) -> RetentionReport:
    report = RetentionReport(
        dry_run=dry_run,
        recording_cutoff=now - timedelta(days=policy.recording_days),
        personal_cutoff=now - timedelta(days=policy.personal_days),
    )
    personal = report.personal_cutoff
    old_recording = and_(Call.recording_url.is_not(None), Call.started_at < report.recording_cutoff)
    old_callback_recording = and_(CallbackRequest.recording_url.is_not(None),
                                  CallbackRequest.created_at < report.recording_cutoff)
    old_caller = and_(Call.started_at < personal, _unmasked_phone(Call.from_number))
    # SMS in both directions carry the fisher's number; the text itself (references,
    # vessel numbers) is kept for the dossier's history.
    old_message = and_(Message.created_at < personal, not_(Message.to_number.contains("***")),
                       not_(Message.from_number.contains("***")),
                       (func.length(Message.to_number) > 6) | (func.length(Message.from_number) > 6))
    old_request = and_(CallbackRequest.status != "open",
                       func.coalesce(CallbackRequest.closed_at, CallbackRequest.created_at) < personal,
                       _unmasked_phone(CallbackRequest.phone))
    old_attempt = and_(CallbackAttempt.at < personal, _unmasked_phone(CallbackAttempt.fisher_number))
    old_code = and_(OneTimeCode.created_at < personal, _unmasked_phone(OneTimeCode.phone))
    old_note = and_(QueueEntry.wrap_up_note.is_not(None), QueueEntry.joined_at < personal)
    already_masked = exists().where(DossierEvent.dossier_id == Dossier.id, DossierEvent.what == MASKED_NOTE)
    old_dossier = and_(Dossier.status.in_(CLOSED_STATUSES), Dossier.updated_at < personal,
                       not_(already_masked))
    # The attachments of dossiers masked now or before.
    old_attachment = Attachment.dossier_id.in_(select(Dossier.id).where(or_(old_dossier, already_masked)))

    report.recordings_removed = _count(session, Call.id, old_recording)
    report.callback_recordings_removed = _count(session, CallbackRequest.id, old_callback_recording)
    deletions = plan_deletions(session, [
        *session.scalars(select(Call.recording_url).where(old_recording)),
        *session.scalars(select(CallbackRequest.recording_url).where(old_callback_recording)),
    ])
    report.twilio_deletions_queued = len(deletions.recordings)
    report.recording_links_elsewhere = deletions.elsewhere
    report.twilio_deletions_already_queued = deletions.already_queued
    report.callers_masked = _count(session, Call.id, old_caller)
    report.messages_masked = _count(session, Message.id, old_message)
    report.callback_requests_masked = _count(session, CallbackRequest.id, old_request)
    report.callback_attempts_masked = _count(session, CallbackAttempt.id, old_attempt)
    report.codes_masked = _count(session, OneTimeCode.id, old_code)
    report.wrap_up_notes_removed = _count(session, QueueEntry.id, old_note)
    report.sample_calls = list(session.scalars(
        select(Call.call_sid).where(old_recording | old_caller).order_by(Call.started_at).limit(_SAMPLE)
    ))
    dossiers = list(session.scalars(select(Dossier).where(old_dossier).order_by(Dossier.id)))
    report.dossiers_masked = len(dossiers)
    report.sample_dossiers = [d.reference for d in dossiers[:_SAMPLE]]
    files = list(session.scalars(select(Attachment.storage_key).where(old_attachment)))
    report.attachments_removed = len(files)

    if not dry_run:
        session.execute(update(Call).where(old_recording).values(recording_url=None)
                        .execution_options(synchronize_session=False))
        session.execute(update(CallbackRequest).where(old_callback_recording).values(recording_url=None)
                        .execution_options(synchronize_session=False))
        # With the links, in this transaction: no link goes without its audio's deletion.
        report.twilio_deletions_queued = queue_deletions(session, deletions, at=now)
        _mask_phones(session, Call, Call.from_number, old_caller)
        session.execute(update(Message).where(old_message).values(
            to_number=case((func.length(Message.to_number) > 6, _masked_sql(Message.to_number)),
                           else_=Message.to_number),
            from_number=case((func.length(Message.from_number) > 6, _masked_sql(Message.from_number)),
                             else_=Message.from_number),
        ).execution_options(synchronize_session=False))
        _mask_phones(session, CallbackRequest, CallbackRequest.phone, old_request)
        _mask_phones(session, CallbackAttempt, CallbackAttempt.fisher_number, old_attempt)
        _mask_phones(session, OneTimeCode, OneTimeCode.phone, old_code)
        session.execute(update(QueueEntry).where(old_note).values(wrap_up_note=None)
                        .execution_options(synchronize_session=False))
        session.execute(delete(Attachment).where(old_attachment).execution_options(synchronize_session=False))
        for dossier in dossiers:  # closed dossiers: few, and each needs Python's masks
            _mask_dossier(dossier, now=now)
        session.flush()  # the rows go first: a database that refuses keeps every file
        # A store that fails midway raises StoreError and nothing is committed: every row
        # stays, and the next run deletes what is left (a key already gone is no error).
        for key in files:
            store.delete(key)
    record_audit(
        session, actor=actor, actor_name=actor_name, action="retention_run", ip=ip,
        detail={"dry_run": dry_run, **report.counts(),
                "recording_days": policy.recording_days, "personal_days": policy.personal_days},
    )
    session.flush()
    return report


def _mask_dossier(dossier: Dossier, *, now: datetime) -> None:
    dossier.applicant_name = mask_name(dossier.applicant_name)
    dossier.applicant_id_number = mask_citizen_id(dossier.applicant_id_number) or None
    dossier.applicant_phone = mask_phone(dossier.applicant_phone) or None
    dossier.applicant_address = mask_address(dossier.applicant_address)
    dossier.fields = mask_fields(dossier.fields)
    dossier.history.append(DossierEvent(at=now, by=RETENTION_ACTOR, what=MASKED_NOTE))
