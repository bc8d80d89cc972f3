"""Draft dossiers, the same whether a caller, an SMS or an operator starts one.

Core statements, built once: a draft is written on the IVR's hot path once per call,
and the ORM's unit of work for two rows cost more than the rest of the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from models.base import utcnow
from models.db import core_connection, insert_on_conflict
from models.domain.reference import new_reference
from models.dossier import Dossier, DossierEvent

CHANNEL_LABELS = {"ivr": "tổng đài tự động", "sms": "tin nhắn SMS", "operator": "điện thoại viên"}
REFERENCE_ATTEMPTS = 20


class DraftVessel(Protocol):
    """What a draft takes from the registry (an ORM `Vessel` or a lighter row)."""

    @property
    def id(self) -> int: ...
    @property
    def registration_number(self) -> str: ...
    @property
    def owner_name(self) -> str: ...
    @property
    def owner_phone(self) -> str | None: ...


@dataclass(frozen=True)
class Draft:
    """The new draft, as its caller needs it (receipt, log, linking a message)."""

    id: int
    reference: str
    procedure: str
    variant: str | None
    vessel_registration: str | None
    vessel_verified: bool


def _insert_draft(dialect: str) -> Insert:
    # ON CONFLICT on the reference: a reference taken meanwhile by another worker is one
    # more try, not an aborted transaction (no savepoint needed).
    columns = ("reference", "procedure", "variant", "channel", "status", "vessel_id", "vessel_registration",
               "vessel_verified", "applicant_phone", "applicant_name", "call_sid", "fields", "created_at",
               "updated_at")
    return (
        insert_on_conflict(dialect, Dossier)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing(index_elements=["reference"])
        .returning(Dossier.id)
    )


_INSERT_DRAFT = {name: _insert_draft(name) for name in ("sqlite", "postgresql")}
_INSERT_HISTORY = insert(DossierEvent)


def create_draft(
    db: Session | Connection,
    *,
    procedure: str,
    variant: str | None,
    channel: str,
    vessel: DraftVessel | None,
    vessel_registration: str | None,
    applicant_phone: str | None,
    call_sid: str | None = None,
    by: str,
) -> Draft:
    """Insert a draft with a fresh random reference, and its first history line; never commits."""
    conn = core_connection(db)
    statement = _INSERT_DRAFT[conn.dialect.name]
    now = utcnow()
    registration = vessel.registration_number if vessel else vessel_registration
    row: dict[str, Any] = {
        "procedure": procedure, "variant": variant, "channel": channel, "status": "draft",
        "vessel_id": vessel.id if vessel else None,
        "vessel_registration": registration,
        "vessel_verified": vessel is not None, "applicant_phone": applicant_phone,
        "applicant_name": vessel.owner_name if vessel and vessel.owner_phone == applicant_phone else None,
        "call_sid": call_sid, "fields": {}, "created_at": now, "updated_at": now,
    }
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        dossier_id = conn.execute(statement, {**row, "reference": reference}).scalar_one_or_none()
        if dossier_id is None:
            continue  # that reference is taken: draw another
        conn.execute(_INSERT_HISTORY, {
            "dossier_id": dossier_id, "at": now, "by": by, "detail": None,
            "what": f"Tạo hồ sơ nháp qua {CHANNEL_LABELS.get(channel, channel)}",
        })
        return Draft(dossier_id, reference, procedure, variant, registration, vessel is not None)
    raise RuntimeError("could not allocate a unique dossier reference")
