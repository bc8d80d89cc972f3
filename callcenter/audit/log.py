"""Recording an action in the audit trail, in the same transaction as the action."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.user import User


def record_audit(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    """`actor_name` names someone who is not (yet) a user, e.g. a failed login's username."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else (actor_name or "system")[:64],
        role=actor.role if actor else None,
        action=action,
        target=target,
        ip=ip,
        detail=detail,
    )
    session.add(entry)
    return entry
