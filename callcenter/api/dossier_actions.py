"""Operators act on dossiers; supervisors see and retry failed deliveries.

`POST /dossiers/{reference}/claim`, `PATCH /dossiers/{reference}`,
`POST /dossiers/{reference}/submit`, `POST /dossiers/{reference}/release`,
`GET /procedures`, `GET /outbox/failed`, `POST /outbox/{id}/retry`.
Each endpoint is the commit point of the service it calls; a service's refusal
(`DossierError`) is answered by `callcenter.api.errors`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.audit.log import record_audit
from callcenter.auth.deps import SupervisorUser, require_roles
from callcenter.dossiers import repository, service
from callcenter.dossiers.patch_schemas import DossierPatch
from callcenter.dossiers.schemas import DossierDetail
from callcenter.outbox.service import OutboxError, retry_failed
from callcenter.pagination import Cursor, Page, PageDep, encode_cursor, older_than
from callcenter.procedures import load_catalogue
from models.db import SessionDep
from models.dossier import Dossier
from models.message import Message
from models.outbox import OutboxEntry
from models.user import User

router = APIRouter(tags=["dossier actions"])

OperatorUser = Annotated[User, Depends(require_roles("operator"))]


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _detail(session: Session, reference: str) -> DossierDetail:
    session.expire_all()  # what was committed, history included
    row = repository.get_dossier(session, reference=reference)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Không tìm thấy hồ sơ số {reference}.")
    return DossierDetail.from_parts(
        row, messages=repository.list_messages(session, dossier_id=row.dossier.id)
    )


@router.post("/dossiers/{reference}/claim")
def claim(reference: str, user: OperatorUser, session: SessionDep, request: Request) -> DossierDetail:
    service.claim_dossier(session, reference=reference, user=user, ip=_ip(request))
    session.commit()
    return _detail(session, reference)


@router.post("/dossiers/{reference}/release")
def release(reference: str, user: OperatorUser, session: SessionDep, request: Request) -> DossierDetail:
    service.release_claim(session, reference=reference, user=user, ip=_ip(request))
    session.commit()
    return _detail(session, reference)


@router.patch("/dossiers/{reference}")
def update(
    reference: str, patch: DossierPatch, user: OperatorUser, session: SessionDep, request: Request
) -> DossierDetail:
    service.update_dossier(session, reference=reference, user=user, patch=patch, ip=_ip(request))
    session.commit()
    return _detail(session, reference)


@router.post("/dossiers/{reference}/submit", status_code=status.HTTP_202_ACCEPTED)
def submit(reference: str, user: OperatorUser, session: SessionDep, request: Request) -> DossierDetail:
    service.submit_dossier(session, reference=reference, user=user, ip=_ip(request))
    session.commit()
    return _detail(session, reference)


class FieldOut(BaseModel):
    name: str
    label: str
    type: str
    required: bool
    choices: list[str]
    variants: list[str] | None  # None: every variant


class ProcedureOut(BaseModel):
    code: str
    name: str
    variants: list[str]
    fields: list[FieldOut]


@router.get("/procedures")
def procedures(
    _user: Annotated[User, Depends(require_roles("operator", "supervisor", "admin"))],
) -> list[ProcedureOut]:
    return [
        ProcedureOut(
            code=p.code,
            name=p.name,
            variants=[v.code for v in p.variants],
            fields=[
                FieldOut(
                    name=f.name,
                    label=f.label,
                    type=f.type,
                    required=f.required,
                    choices=list(f.choices),
                    variants=list(f.variants) if f.variants is not None else None,
                )
                for f in p.fields
            ],
        )
        for p in load_catalogue().procedures
    ]


class FailedDeliveryOut(BaseModel):
    id: int
    kind: str
    reference: str | None  # the dossier it concerns, when it concerns one
    attempts: int
    reason: str | None
    created_at: datetime


def _reference(payload: dict[str, Any], session: Session) -> str | None:
    if isinstance(payload.get("reference"), str):
        return str(payload["reference"])
    message_id = payload.get("message_id")
    if message_id is None:
        return None
    return session.scalar(
        select(Dossier.reference)
        .join(Message, Message.dossier_id == Dossier.id)
        .where(Message.id == message_id)
    )


@router.get("/outbox/failed")
def failed_deliveries(_user: SupervisorUser, session: SessionDep, page: PageDep) -> Page[FailedDeliveryOut]:
    stmt = select(OutboxEntry).where(OutboxEntry.status == "failed")
    if page.after is not None:
        stmt = stmt.where(older_than(OutboxEntry.created_at, OutboxEntry.id, page.after))
    rows = session.scalars(
        stmt.order_by(OutboxEntry.created_at.desc(), OutboxEntry.id.desc()).limit(page.limit + 1)
    ).all()
    items = rows[: page.limit]
    next_cursor = (
        encode_cursor(Cursor(at=items[-1].created_at, id=items[-1].id)) if len(rows) > page.limit else None
    )
    return Page(
        items=[
            FailedDeliveryOut(
                id=e.id,
                kind=e.kind,
                reference=_reference(e.payload, session),
                attempts=e.attempts,
                reason=e.last_error,
                created_at=e.created_at,
            )
            for e in items
        ],
        next_cursor=next_cursor,
    )


@router.post("/outbox/{entry_id}/retry", status_code=status.HTTP_202_ACCEPTED)
def retry(entry_id: int, user: SupervisorUser, session: SessionDep, request: Request) -> FailedDeliveryOut:
    try:
        entry = retry_failed(session, entry_id=entry_id)
    except OutboxError as exc:
        exists = session.get(OutboxEntry, entry_id) is not None
        code = status.HTTP_409_CONFLICT if exists else status.HTTP_404_NOT_FOUND
        raise HTTPException(code, detail=f"Không thử lại được: {exc}.") from None
    reference = _reference(entry.payload, session)
    record_audit(
        session,
        actor=user,
        action="retry_outbox",
        target=f"outbox:{entry_id}",
        ip=_ip(request),
        detail={"kind": entry.kind, "reference": reference},
    )
    session.commit()
    return FailedDeliveryOut(
        id=entry.id,
        kind=entry.kind,
        reference=reference,
        attempts=entry.attempts,
        reason=entry.last_error,
        created_at=entry.created_at,
    )
