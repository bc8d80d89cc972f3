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
        claim is released. ClaimConflict / DossierNotEditable as above.
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

from sqlalchemy.orm import Session

from callcenter.dossiers.patch_schemas import DossierPatch
from models.dossier import Dossier
from models.user import User
from models.vessel import Vessel

# A claim nobody touched for this long is released (and may be taken by another operator).
CLAIM_IDLE = timedelta(minutes=30)
ONESTOP_SUBMIT = "onestop.submit"


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
        super().__init__(f"Hồ sơ số {reference} đang ở trạng thái {status}, không sửa được nữa.")
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


def claim_dossier(
    session: Session, *, reference: str, user: User, now: datetime | None = None, ip: str | None = None
) -> Dossier:
    raise NotImplementedError


def release_claim(
    session: Session, *, reference: str, user: User, force: bool = False, ip: str | None = None
) -> Dossier:
    raise NotImplementedError


def release_idle_claims(
    session: Session, *, idle: timedelta = CLAIM_IDLE, now: datetime | None = None
) -> int:
    raise NotImplementedError


def update_dossier(
    session: Session,
    *,
    reference: str,
    user: User,
    patch: DossierPatch,
    now: datetime | None = None,
    ip: str | None = None,
) -> Dossier:
    raise NotImplementedError


def submit_dossier(
    session: Session, *, reference: str, user: User, now: datetime | None = None, ip: str | None = None
) -> Dossier:
    raise NotImplementedError


def queue(
    session: Session, *, limit: int, cursor: str | None = None, now: datetime | None = None
) -> QueuePage:
    raise NotImplementedError
