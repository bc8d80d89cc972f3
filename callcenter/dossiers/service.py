"""Working on dossiers (write side): claim, complete, submit, release; the operators' queue.

Interface (keyword-only; every function flushes and never commits: the endpoint or
command calling it is the single commit point; on an error nothing was changed, roll
back). `ip` (optional everywhere a user acts) goes into the audit trail; `now` is for
tests.

    claim_dossier(session, *, reference: str, user: User, now: datetime | None = None) -> Dossier
        The operator takes the dossier (draft → in_progress). Taking it again refreshes
        the claim. Raises ClaimConflict(holder_username) when another operator holds
        it and has touched it within CLAIM_IDLE; DossierNotFound; DossierNotEditable
        (already submitted …). Safe under concurrency: one conditional UPDATE.
    release_claim(session, *, reference: str, user: User, force: bool = False) -> Dossier
        Give the dossier back to the queue. Only the holder may, unless `force`
        (supervisors). Raises ClaimConflict when someone else holds it.
    release_idle_claims(session, *, idle: timedelta = CLAIM_IDLE, now: datetime | None = None) -> int
        Release every claim untouched for `idle`; returns how many. Run periodically by
        `callcenter.dossiers.ticker` (see there).
    update_dossier(session, *, reference: str, user: User, patch: DossierPatch,
                   now: datetime | None = None) -> Dossier
        Apply a PATCH (callcenter.dossiers.patch_schemas.DossierPatch). Claims the
        dossier for `user` if nobody holds it (ClaimConflict otherwise). Raises
        DossierInvalid(errors: dict[path, Vietnamese message]) naming every bad value,
        paths like "applicant.id_number", "applicant.address.commune",
        "fields.inspection_date", "delivery.method"; nothing is changed then.
    submit_dossier(session, *, reference: str, user: User, now: datetime | None = None) -> Dossier
        Check completeness (DossierInvalid listing every missing value), then status →
        submitting and one OutboxEntry "onestop.submit" in the same transaction; the
        claim is released, who handled it is kept (`handled_by_id`). ClaimConflict /
        DossierNotEditable as above.
    queue(session, *, limit: int, cursor: str | None = None, now: datetime | None = None) -> QueuePage
        Dossiers awaiting an operator (draft or in_progress, nobody holding them),
        oldest first, each with how long it has waited. `cursor` is the opaque
        `next_cursor` of the previous page.

Errors (all subclasses of DossierError):
    DossierNotFound(reference)            → 404
    ClaimConflict(holder_username)        → 409, `.holder` is the other operator's username
    DossierNotEditable(reference, status) → 409, `.status` is the dossier's status
    DossierInvalid(errors: dict[str, str]) → 422, `.errors` keyed by path
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from callcenter.attachments.service import attachment_payload, attachments_of
from callcenter.audit.log import record_audit
from callcenter.dossiers.checks import PatchErrors, check_patch, missing_for_submit
from callcenter.dossiers.notices import status_label
from callcenter.dossiers.patch_schemas import DossierPatch
from callcenter.onestop.application import IncompleteDossier, build_application
from callcenter.pagination import Cursor, InvalidCursor, decode_cursor, encode_cursor
from callcenter.procedures import Procedure, load_catalogue
from models.base import province_date, utcnow
from models.dossier import Dossier, DossierEvent
from models.outbox import OutboxEntry, enqueue
from models.user import User
from models.vessel import Vessel

# A claim nobody touched for this long is released (and may be taken by another operator).
CLAIM_IDLE = timedelta(minutes=30)
ONESTOP_SUBMIT = "onestop.submit"
EDITABLE = ("draft", "in_progress")


class DossierError(Exception):
    pass


class DossierNotFound(DossierError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"Không tìm thấy hồ sơ số {reference}.")
        self.reference = reference


class ClaimConflict(DossierError):
    def __init__(self, holder: str) -> None:
        super().__init__(f"Hồ sơ đang do điện thoại viên {holder} xử lý.")
        self.holder = holder


class DossierNotEditable(DossierError):
    def __init__(self, reference: str, status: str) -> None:
        super().__init__(
            f"Hồ sơ số {reference} đang ở trạng thái “{status_label(status)}”, không sửa hay nộp được nữa."
        )
        self.reference = reference
        self.status = status


class DossierInvalid(DossierError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class QueueItem:
    dossier: Dossier
    vessel: Vessel | None
    waiting: timedelta  # since the draft was created


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


def _load(session: Session, reference: str, *, lock: bool = False) -> Dossier:
    stmt = select(Dossier).where(Dossier.reference == reference).execution_options(populate_existing=True)
    if lock:
        stmt = stmt.with_for_update()  # PostgreSQL; SQLite has one writer anyway
    dossier = session.scalar(stmt)
    if dossier is None:
        raise DossierNotFound(reference)
    return dossier


def _procedure(dossier: Dossier) -> Procedure:
    procedure = load_catalogue().get(dossier.procedure)
    if procedure is None:
        raise DossierInvalid({"procedure": f"Thủ tục {dossier.procedure} không có trong danh mục."})
    return procedure


def _username(session: Session, user_id: int | None) -> str:
    name = session.scalar(select(User.username).where(User.id == user_id)) if user_id else None
    return name or "khác"


def _note(
    dossier: Dossier, *, by: str, what: str, at: datetime, detail: dict[str, Any] | None = None
) -> None:
    dossier.history.append(DossierEvent(by=by, what=what, at=at, detail=detail))


def _claimable(user: User, now: datetime) -> Any:
    return or_(
        Dossier.claimed_by_id.is_(None),
        Dossier.claimed_by_id == user.id,
        Dossier.claimed_at < now - CLAIM_IDLE,
    )


def _take(session: Session, dossier: Dossier, user: User, now: datetime) -> bool:
    """Claim in one conditional UPDATE: of two operators racing, the row lock lets one win.

    On PostgreSQL the loser's UPDATE waits for the winner's commit, re-reads the row and
    no longer matches, so it returns no row; SQLite runs writers one at a time.
    """
    taken = session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id, Dossier.status.in_(EDITABLE), _claimable(user, now))
        .values(
            claimed_by_id=user.id,
            claimed_at=now,
            # Who works on it, kept after submission; since when: a refresh by the holder
            # keeps the time they took it (SET reads the row's values before the update).
            handled_by_id=user.id,
            handled_at=case((Dossier.claimed_by_id == user.id, func.coalesce(Dossier.handled_at, now)),
                            else_=now),
            status=case((Dossier.status == "draft", "in_progress"), else_=Dossier.status),
        )
        .returning(Dossier.id)
        .execution_options(synchronize_session=False)
    ).first()
    return taken is not None


def _claim(session: Session, dossier: Dossier, user: User, now: datetime, ip: str | None) -> Dossier:
    """Take or refresh the claim; history and audit only when it changes hands."""
    before_holder, before_status = dossier.claimed_by_id, dossier.status
    if before_status not in EDITABLE:
        raise DossierNotEditable(dossier.reference, before_status)
    if not _take(session, dossier, user, now):
        fresh = _load(session, dossier.reference)
        if fresh.status not in EDITABLE:
            raise DossierNotEditable(fresh.reference, fresh.status)
        raise ClaimConflict(_username(session, fresh.claimed_by_id))
    dossier = _load(session, dossier.reference)
    if before_holder != user.id:
        what = "Nhận xử lý hồ sơ"  # the line's author (`by`) says who
        if before_holder is not None:
            what += f" (thay {_username(session, before_holder)}, đã để quá {_minutes(CLAIM_IDLE)} phút)"
        if before_status == "draft":
            what += "; trạng thái: nháp → đang hoàn thiện"
        _note(dossier, by=user.username, what=what, at=now)
        record_audit(session, actor=user, action="claim", target=f"dossier:{dossier.reference}", ip=ip)
    session.flush()
    return dossier


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def claim_dossier(
    session: Session, *, reference: str, user: User, now: datetime | None = None, ip: str | None = None
) -> Dossier:
    return _claim(session, _load(session, reference), user, now or utcnow(), ip)


def release_claim(
    session: Session, *, reference: str, user: User, force: bool = False, ip: str | None = None
) -> Dossier:
    dossier = _load(session, reference, lock=True)
    holder = dossier.claimed_by_id
    if holder is None:
        return dossier
    if holder != user.id and not force:
        raise ClaimConflict(_username(session, holder))
    dossier.claimed_by_id = None
    dossier.claimed_at = None
    what = "Trả hồ sơ về hàng chờ"
    if holder != user.id:
        what += f" (đang do {_username(session, holder)} giữ)"
    _note(dossier, by=user.username, what=what, at=utcnow())
    record_audit(session, actor=user, action="release", target=f"dossier:{reference}", ip=ip)
    session.flush()
    return dossier


def release_idle_claims(
    session: Session, *, idle: timedelta = CLAIM_IDLE, now: datetime | None = None
) -> int:
    now = now or utcnow()
    released = session.execute(
        update(Dossier)
        .where(Dossier.claimed_by_id.is_not(None), Dossier.claimed_at < now - idle)
        .values(claimed_by_id=None, claimed_at=None)
        .returning(Dossier.id, Dossier.reference)
        .execution_options(synchronize_session=False)
    ).all()
    for dossier_id, reference in released:
        dossier = session.get_one(Dossier, dossier_id, populate_existing=True)
        _note(
            dossier,
            by="system",
            at=now,
            what=f"Hồ sơ trở về hàng chờ vì để quá {_minutes(idle)} phút không ai thao tác",
        )
        record_audit(
            session, actor=None, action="release", target=f"dossier:{reference}", detail={"idle": True}
        )
    session.flush()
    return len(released)


def update_dossier(
    session: Session,
    *,
    reference: str,
    user: User,
    patch: DossierPatch,
    now: datetime | None = None,
    ip: str | None = None,
) -> Dossier:
    now = now or utcnow()
    dossier = _load(session, reference, lock=True)
    if dossier.status not in EDITABLE:
        raise DossierNotEditable(reference, dossier.status)
    holder = dossier.claimed_by_id
    if (
        holder not in (None, user.id)
        and dossier.claimed_at is not None
        and dossier.claimed_at >= now - CLAIM_IDLE
    ):
        raise ClaimConflict(_username(session, holder))  # before the work of checking values
    try:
        changes = check_patch(dossier, _procedure(dossier), patch, today=province_date(now))
    except PatchErrors as exc:
        raise DossierInvalid(exc.errors) from None
    dossier = _claim(session, dossier, user, now, ip)  # also refreshes the idle clock
    if not changes.paths:
        return dossier
    for column, value in changes.values.items():
        setattr(dossier, column, value)
    _note(
        dossier,
        by=user.username,
        at=now,
        what="Cập nhật " + "; ".join(changes.said),
        detail={"changed": changes.paths},
    )
    record_audit(
        session,
        actor=user,
        action="edit",
        target=f"dossier:{reference}",
        ip=ip,
        detail={"changed": changes.paths},
    )
    session.flush()
    return dossier


def _submission_key(session: Session, dossier: Dossier) -> str:
    """`onestop:<reference>:<n>`: stable for one submission, new after a rejection.

    The one-stop side refuses a key reused for a different application, and a dossier
    corrected after a refusal is a different application.
    """
    earlier = (
        session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(
                OutboxEntry.kind == ONESTOP_SUBMIT,
                OutboxEntry.idempotency_key.like(f"onestop:{dossier.reference}:%"),
            )
        )
        or 0
    )
    return f"onestop:{dossier.reference}:{earlier + 1}"


def submit_dossier(
    session: Session, *, reference: str, user: User, now: datetime | None = None, ip: str | None = None
) -> Dossier:
    now = now or utcnow()
    dossier = _load(session, reference, lock=True)
    if dossier.status not in EDITABLE:
        raise DossierNotEditable(reference, dossier.status)
    dossier = _claim(session, dossier, user, now, ip)
    procedure = _procedure(dossier)
    attached = attachments_of(session, dossier_id=dossier.id)
    errors = missing_for_submit(dossier, procedure, today=province_date(now),
                                attached=frozenset(a.name for a in attached))
    vessel = session.get(Vessel, dossier.vessel_id) if dossier.vessel_id else None
    if not errors:
        try:
            application = build_application(dossier, vessel)
        except IncompleteDossier as exc:
            errors = dict(exc.errors)
    if errors:
        raise DossierInvalid(errors)
    moved = session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id, Dossier.status.in_(EDITABLE), Dossier.claimed_by_id == user.id)
        .values(status="submitting", submitted_at=now, claimed_by_id=None, claimed_at=None)
        .returning(Dossier.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:  # someone else submitted or took it between our read and this write
        fresh = _load(session, reference)
        if fresh.status not in EDITABLE:
            raise DossierNotEditable(reference, fresh.status)
        raise ClaimConflict(_username(session, fresh.claimed_by_id))
    dossier = _load(session, reference)
    key = _submission_key(session, dossier)
    enqueue(session, kind=ONESTOP_SUBMIT, idempotency_key=key, at=now, payload={
        "dossier_id": dossier.id,
        "reference": reference,
        # Built once and resent as is: a retry must carry the very same body.
        "application": application.model_dump(mode="json", by_alias=True),
        # Uploaded before the application, each with a key of its own (onestop_sync).
        "attachments": [attachment_payload(a, procedure) for a in attached],
    })
    _note(
        dossier,
        by=user.username,
        at=now,
        what="Nộp hồ sơ lên hệ thống một cửa (đang gửi)",
        detail={"key": key},
    )
    record_audit(session, actor=user, action="submit", target=f"dossier:{reference}", ip=ip)
    session.flush()
    return dossier


def queue(
    session: Session, *, limit: int, cursor: str | None = None, now: datetime | None = None
) -> QueuePage:
    """Oldest first: the fisher who has waited longest is called back first."""
    now = now or utcnow()
    stmt = (
        select(Dossier, Vessel)
        .outerjoin(Vessel, Vessel.id == Dossier.vessel_id)
        .where(
            Dossier.status.in_(EDITABLE),
            or_(Dossier.claimed_by_id.is_(None), Dossier.claimed_at < now - CLAIM_IDLE),
        )
    )
    if cursor:
        after = _queue_cursor(cursor)
        stmt = stmt.where(
            or_(Dossier.created_at > after.at, and_(Dossier.created_at == after.at, Dossier.id > after.id))
        )
    rows = session.execute(stmt.order_by(Dossier.created_at, Dossier.id).limit(limit + 1)).all()
    items = [QueueItem(d, v, max(timedelta(0), now - d.created_at)) for d, v in rows[:limit]]
    last = items[-1].dossier if len(rows) > limit and items else None
    return QueuePage(
        items=items, next_cursor=encode_cursor(Cursor(at=last.created_at, id=last.id)) if last else None
    )


def _queue_cursor(value: str) -> Cursor:
    try:
        return decode_cursor(value)
    except InvalidCursor:
        raise DossierInvalid({"cursor": "Con trỏ trang (cursor) không hợp lệ."}) from None
