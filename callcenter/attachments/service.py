"""Attachment rows beside their bytes in the store; flushes, never commits.

The bytes are written first and the row after: a row always has its file. Should the
transaction then roll back, the endpoint removes the file again (`discard`), so nothing
is left behind that no row names.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.attachments.content import PreparedDocument
from callcenter.attachments.storage import AttachmentStore
from callcenter.procedures import Procedure
from models.attachment import Attachment
from models.dossier import Dossier


class TooManyAttachments(Exception):
    pass


def attachments_of(session: Session, *, dossier_id: int) -> list[Attachment]:
    return list(session.scalars(
        select(Attachment).where(Attachment.dossier_id == dossier_id).order_by(Attachment.id)
    ))


def attached_names(session: Session, *, dossier_id: int) -> frozenset[str]:
    return frozenset(session.scalars(select(Attachment.name).where(Attachment.dossier_id == dossier_id)))


def add_attachment(
    session: Session, *, dossier: Dossier, name: str, prepared: PreparedDocument, store: AttachmentStore,
    by: str, limit: int,
) -> Attachment:
    count = session.scalar(select(func.count()).where(Attachment.dossier_id == dossier.id)) or 0
    if count >= limit:
        raise TooManyAttachments(f"Mỗi hồ sơ đính kèm tối đa {limit} tệp.")
    key = f"{dossier.reference}/{uuid.uuid4().hex}.{prepared.extension}"
    store.put(key, prepared.data)
    attachment = Attachment(
        dossier_id=dossier.id, name=name, content_type=prepared.content_type, size=len(prepared.data),
        sha256=hashlib.sha256(prepared.data).hexdigest(), storage_key=key, uploaded_by=by,
    )
    session.add(attachment)
    session.flush()
    return attachment


def discard(store: AttachmentStore, attachment: Attachment) -> None:
    """The transaction that would have kept the row did not commit: drop the bytes."""
    store.delete(attachment.storage_key)


def attachment_payload(attachment: Attachment, procedure: Procedure) -> dict[str, object]:
    """What the submission's outbox entry keeps of an attachment to send it later."""
    spec = procedure.attachment(attachment.name)
    return {
        "id": attachment.id, "name": attachment.name, "label": spec.label if spec else attachment.name,
        "storage_key": attachment.storage_key, "content_type": attachment.content_type,
    }
