"""Apply the retention policy: remove old recordings, mask old personal data.

A dry run counts and lists what a real run would change, and changes nothing but the
audit trail. Services flush; the command commits. Masking is idempotent: a masked
number is never selected again (it contains `***`), a masked dossier carries a history
line that keeps it out of the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, not_, select, update
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.retention.masks import mask_address, mask_fields, mask_name
from ivr.settings import RetentionPolicy
from models.call import Call
from models.domain.citizen_id import mask_citizen_id
from models.domain.phone import mask_phone
from models.dossier import Dossier, DossierEvent
from models.message import Message
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
    callers_masked: int = 0
    messages_masked: int = 0
    dossiers_masked: int = 0
    sample_calls: list[str] = field(default_factory=list)
    sample_dossiers: list[str] = field(default_factory=list)


def _masked_sql(column: object) -> object:
    """mask_phone in SQL: all but the last 6 characters, `***`, the last 3."""
    length = func.length(column)
    return func.substr(column, 1, length - 6).concat("***").concat(func.substr(column, length - 2))


def apply_retention(
    session: Session, *, policy: RetentionPolicy, now: datetime, dry_run: bool,
    actor: User | None = None, actor_name: str = RETENTION_ACTOR, ip: str | None = None,
) -> RetentionReport:
    report = RetentionReport(
        dry_run=dry_run,
        recording_cutoff=now - timedelta(days=policy.recording_days),
        personal_cutoff=now - timedelta(days=policy.personal_days),
    )
    old_recording = and_(Call.recording_url.is_not(None), Call.started_at < report.recording_cutoff)
    old_caller = and_(Call.started_at < report.personal_cutoff, func.length(Call.from_number) > 6,
                      not_(Call.from_number.contains("***")))
    # SMS in both directions carry the fisher's number; the text itself (references,
    # vessel numbers) is kept for the dossier's history.
    old_message = and_(Message.created_at < report.personal_cutoff, not_(Message.to_number.contains("***")),
                       not_(Message.from_number.contains("***")),
                       (func.length(Message.to_number) > 6) | (func.length(Message.from_number) > 6))
    already_masked = exists().where(DossierEvent.dossier_id == Dossier.id, DossierEvent.what == MASKED_NOTE)
    old_dossier = and_(Dossier.status.in_(CLOSED_STATUSES), Dossier.updated_at < report.personal_cutoff,
                       not_(already_masked))

    report.recordings_removed = session.scalar(select(func.count(Call.id)).where(old_recording)) or 0
    report.callers_masked = session.scalar(select(func.count(Call.id)).where(old_caller)) or 0
    report.messages_masked = session.scalar(select(func.count(Message.id)).where(old_message)) or 0
    report.sample_calls = list(session.scalars(
        select(Call.call_sid).where(old_recording | old_caller).order_by(Call.started_at).limit(_SAMPLE)
    ))
    dossiers = list(session.scalars(select(Dossier).where(old_dossier).order_by(Dossier.id)))
    report.dossiers_masked = len(dossiers)
    report.sample_dossiers = [d.reference for d in dossiers[:_SAMPLE]]

    if not dry_run:
        session.execute(update(Call).where(old_recording).values(recording_url=None)
                        .execution_options(synchronize_session=False))
        session.execute(update(Call).where(old_caller).values(from_number=_masked_sql(Call.from_number))
                        .execution_options(synchronize_session=False))
        session.execute(update(Message).where(old_message).values(
            to_number=case((func.length(Message.to_number) > 6, _masked_sql(Message.to_number)),
                           else_=Message.to_number),
            from_number=case((func.length(Message.from_number) > 6, _masked_sql(Message.from_number)),
                             else_=Message.from_number),
        ).execution_options(synchronize_session=False))
        for dossier in dossiers:  # closed dossiers: few, and each needs Python's masks
            _mask_dossier(dossier, now=now)
    record_audit(
        session, actor=actor, actor_name=actor_name, action="retention_run", ip=ip,
        detail={"dry_run": dry_run, "recordings_removed": report.recordings_removed,
                "callers_masked": report.callers_masked, "messages_masked": report.messages_masked,
                "dossiers_masked": report.dossiers_masked,
                "recording_days": policy.recording_days,
                "personal_days": policy.personal_days},
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
