"""The emulated one-stop desk: receive, number, schedule, move on, ship.

Keyword-only functions that flush and never commit; the emulator's endpoints commit.
Time comes in as `now` so the same code runs on the wall clock and on a test's clock.
Dossiers move lazily: whoever reads one first after its next step is due applies the
steps it missed, each at the moment it was due. Every step is a pure function of the
stored times (the tracking number too), so two workers catching up on the same dossier
write the same thing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callcenter.onestop.procedures import BY_CODE
from callcenter.onestop.schemas import (
    DOSSIER_STATUSES,
    Application,
    DossierStatus,
    OneStopDossier,
    Postal,
    ProcedureRef,
)
from callcenter.onestop.working_days import add_working_days
from callcenter.postal.s10 import make_tracking_number
from ivr.settings import EmulatorConfig
from models.onestop_emulator import OneStopEmuDossier, OneStopEmuFile

# The steps the desk takes without being asked; the rest wait for a clerk (control API).
_AUTOMATIC_NEXT = {
    "received": "being_processed",
    "being_processed": "result_ready",
    "result_ready": "returned",
}
# The appointment on the receipt is for the end of the office day.
_APPOINTMENT_TIME = time(17, 0)


class IdempotencyConflict(Exception):
    """The key was used before for a different application: a caller bug, never retried."""


def dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """`000.00.53.H48-220921-0099`: agency, day received (YYMMDD), that day's sequence."""
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def application_hash(application: Application) -> str:
    canonical = json.dumps(
        application.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _by_key(session: Session, key: str) -> OneStopEmuDossier | None:
    return session.scalar(select(OneStopEmuDossier).where(OneStopEmuDossier.idempotency_key == key))


def _replay(existing: OneStopEmuDossier, digest: str) -> OneStopEmuDossier:
    if existing.application_hash != digest:
        raise IdempotencyConflict("Idempotency-Key đã dùng cho một hồ sơ khác")
    return existing


def apply_online(
    session: Session,
    *,
    application: Application,
    idempotency_key: str,
    now: datetime,
    config: EmulatorConfig,
) -> tuple[OneStopEmuDossier, bool]:
    """Receive an application already validated; (dossier, True if it is new)."""
    digest = application_hash(application)
    existing = _by_key(session, idempotency_key)
    if existing is not None:
        return _replay(existing, digest), False

    procedure = BY_CODE[application.procedure.code]
    day = now.astimezone(ZoneInfo(config.timezone)).date()
    due = add_working_days(day, procedure.total_working_days)
    for _ in range(20):
        last = session.scalar(
            select(func.max(OneStopEmuDossier.day_sequence)).where(OneStopEmuDossier.received_day == day)
        )
        sequence = (last or 0) + 1
        dossier = OneStopEmuDossier(
            code=dossier_code(config.agency_code, day, sequence),
            idempotency_key=idempotency_key,
            application_hash=digest,
            application=application.model_dump(mode="json", by_alias=True),
            procedure_code=procedure.code,
            received_day=day,
            day_sequence=sequence,
            applied_at=now,
            accepted_at=now,  # the emulated desk accepts online filings at once
            appointment_date=due,
            status="received",
            next_step_at=now + timedelta(seconds=config.step_seconds),
            delivery_method=application.result_delivery.method.value or "pickup",
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(dossier)
        except IntegrityError:
            # Another worker took this sequence number, or got the same retry first.
            existing = _by_key(session, idempotency_key)
            if existing is not None:
                return _replay(existing, digest), False
            continue
        return dossier, True
    raise RuntimeError("could not allocate a dossier sequence number")


def catch_up(dossier: OneStopEmuDossier, *, now: datetime, config: EmulatorConfig) -> None:
    """Apply every automatic step that fell due up to `now`, each at its own time."""
    step = timedelta(seconds=config.step_seconds)
    while dossier.next_step_at is not None and dossier.next_step_at <= now:
        at = dossier.next_step_at
        dossier.next_step_at = None
        if dossier.status in _AUTOMATIC_NEXT:
            dossier.status = _AUTOMATIC_NEXT[dossier.status]
            dossier.status_reason = None
            dossier.next_step_at = at + step
            if dossier.status == "result_ready":
                dossier.completed_at = at
            elif dossier.status == "returned":
                dossier.returned_at = at
                if dossier.delivery_method == "post":
                    dossier.tracking_number = tracking_number_for(dossier.code, config=config)
                    dossier.postal_status = "in_transit"
                else:
                    dossier.next_step_at = None  # handed over at the counter: done
        elif dossier.postal_status == "in_transit":
            dossier.postal_status = "delivered"
            dossier.delivered_at = at
        dossier.updated_at = at


def tracking_number_for(code: str, *, config: EmulatorConfig) -> str:
    """A valid S10 number derived from the dossier code, the same on every worker."""
    serial = int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big") % 10**8
    return make_tracking_number(serial, service=config.postal_service)


def find_by_code(
    session: Session, *, code: str, now: datetime, config: EmulatorConfig
) -> OneStopEmuDossier | None:
    # FOR UPDATE (PostgreSQL) so a clerk's action and a catch-up do not overwrite each other.
    dossier = session.scalar(
        select(OneStopEmuDossier).where(OneStopEmuDossier.code == code).with_for_update()
    )
    if dossier is not None:
        catch_up(dossier, now=now, config=config)
        session.flush()
    return dossier


def search(
    session: Session,
    *,
    code: str | None,
    identity_number: str | None,
    page: int,
    size: int,
    now: datetime,
    config: EmulatorConfig,
) -> tuple[list[OneStopEmuDossier], int]:
    query = select(OneStopEmuDossier)
    if code:
        query = query.where(OneStopEmuDossier.code == code)
    if identity_number:
        # The applicant lives in a JSON column; the emulator's volumes make a scan fine.
        applicant_id = OneStopEmuDossier.application[("applicant", "identityNumber")].as_string()
        query = query.where(applicant_id == identity_number)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(
            query.order_by(OneStopEmuDossier.applied_at.desc(), OneStopEmuDossier.id.desc())
            .offset(page * size)
            .limit(size)
        )
    )
    for dossier in rows:
        catch_up(dossier, now=now, config=config)
    session.flush()
    return rows, total


class StatusChangeRefused(Exception):
    pass


def change_status(
    session: Session,
    *,
    dossier: OneStopEmuDossier,
    status: str,
    reason: str | None,
    now: datetime,
    config: EmulatorConfig,
) -> None:
    """A clerk's decision: ask for documents, resume, refuse, or stop processing."""
    if dossier.status in ("returned", "refused", "processing_stopped"):
        raise StatusChangeRefused(f"hồ sơ đã kết thúc ({DOSSIER_STATUSES[dossier.status][1]})")
    if status == "being_processed" and dossier.status != "more_documents_requested":
        raise StatusChangeRefused("chỉ tiếp tục xử lý được hồ sơ đang chờ bổ sung")
    dossier.status = status
    dossier.status_reason = reason
    dossier.updated_at = now
    # Only resuming puts the dossier back on the clock; the others wait or end.
    resumed = status == "being_processed"
    dossier.next_step_at = now + timedelta(seconds=config.step_seconds) if resumed else None
    session.flush()


def to_wire(dossier: OneStopEmuDossier, *, config: EmulatorConfig) -> OneStopDossier:
    zone = ZoneInfo(config.timezone)
    application = Application.model_validate(dossier.application)
    status_id, status_name = DOSSIER_STATUSES[dossier.status]
    procedure = BY_CODE.get(dossier.procedure_code)

    def local(at: datetime | None) -> datetime | None:
        return at.astimezone(zone) if at else None

    return OneStopDossier(
        code=dossier.code,
        procedure=ProcedureRef(code=dossier.procedure_code, name=procedure.name if procedure else None),
        applicant=application.applicant,
        external_code=application.external_code,
        applied_date=dossier.applied_at.astimezone(zone),
        accepted_date=local(dossier.accepted_at),
        appointment_date=datetime.combine(dossier.appointment_date, _APPOINTMENT_TIME, tzinfo=zone),
        completed_date=local(dossier.completed_at),
        returned_date=local(dossier.returned_at),
        dossier_status=DossierStatus.model_validate(
            {"id": status_id, "code": dossier.status, "name": status_name}
        ),
        status_comment=dossier.status_reason,
        result_delivery=application.result_delivery,
        attachments=application.attachments,
        postal=(
            Postal.model_validate(
                {"tracking_number": dossier.tracking_number, "status": dossier.postal_status}
            )
            if dossier.tracking_number and dossier.postal_status
            else None
        ),
    )



def _file_by_key(session: Session, key: str) -> OneStopEmuFile | None:
    return session.scalar(select(OneStopEmuFile).where(OneStopEmuFile.idempotency_key == key))


def upload_file(
    session: Session, *, content: bytes, filename: str, content_type: str, idempotency_key: str,
    now: datetime,
) -> tuple[OneStopEmuFile, bool]:
    """Keep an uploaded file; (file, True if new). The same key returns the same file."""
    digest = hashlib.sha256(content).hexdigest()
    existing = _file_by_key(session, idempotency_key)
    if existing is not None:
        if existing.sha256 != digest:
            raise IdempotencyConflict("Idempotency-Key đã dùng cho một tệp khác")
        return existing, False
    stored = OneStopEmuFile(
        file_id=uuid.uuid4().hex, idempotency_key=idempotency_key, filename=filename[:200],
        content_type=content_type[:80], size=len(content), sha256=digest, content=content, uploaded_at=now,
    )
    try:
        with session.begin_nested():
            session.add(stored)
    except IntegrityError:  # the same retry reached another worker first
        again = _file_by_key(session, idempotency_key)
        if again is None or again.sha256 != digest:
            raise IdempotencyConflict("Idempotency-Key đã dùng cho một tệp khác") from None
        return again, False
    return stored, True


def known_file_ids(session: Session, file_ids: list[str]) -> frozenset[str]:
    if not file_ids:
        return frozenset()
    found = session.scalars(select(OneStopEmuFile.file_id).where(OneStopEmuFile.file_id.in_(file_ids)))
    return frozenset(found)


def find_file(session: Session, *, file_id: str) -> OneStopEmuFile | None:
    return session.scalar(select(OneStopEmuFile).where(OneStopEmuFile.file_id == file_id))
