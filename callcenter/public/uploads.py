"""An attachment received for a citizen's own dossier: the part the API and the mobile
site share. Runs in a worker thread (`run_in_threadpool`): it checks, decodes and
re-encodes (CPU), writes the store and the database (blocking I/O)."""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy.orm import Session, sessionmaker

from callcenter.attachments.content import RefusedDocument, prepare_document
from callcenter.attachments.service import TooManyAttachments, add_attachment, discard
from callcenter.attachments.storage import AttachmentStore, StoreError
from callcenter.procedures import load_catalogue
from callcenter.public.filing import citizen_dossier
from ivr.settings import Settings
from models.attachment import Attachment
from models.dossier import Dossier, DossierEvent

OPEN = ("draft", "in_progress")
NOT_FOUND = "Không tìm thấy hồ sơ này trong các hồ sơ của số điện thoại đã xác thực."
STORE_DOWN = "Chưa lưu được tệp lúc này. Ông/bà vui lòng gửi lại sau ít phút."

log = structlog.get_logger(__name__)


class UploadProblem(Exception):
    def __init__(self, status_code: int, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.status_code = status_code
        self.errors = errors


def open_dossier(session: Session, *, phone: str, reference: str) -> Dossier:
    dossier = citizen_dossier(session, phone=phone, reference=reference)
    if dossier is None:
        raise UploadProblem(404, {"reference": NOT_FOUND})
    if dossier.status not in OPEN:
        raise UploadProblem(409, {"reference": "Hồ sơ đã được gửi đi, không thêm giấy tờ được nữa."})
    return dossier


def check_owner(sessions: sessionmaker[Session], *, phone: str, reference: str) -> None:
    """Before a byte of the body is read: the dossier is this phone's and still open."""
    with sessions() as session:
        open_dossier(session, phone=phone, reference=reference)


def store_upload(
    sessions: sessionmaker[Session], *, phone: str, reference: str, name: str, path: Path | None,
    settings: Settings, store: AttachmentStore,
) -> tuple[Attachment, str]:
    """The stored attachment and the label of the document it is."""
    errors: dict[str, str] = {}
    if path is None:
        errors["file"] = "Chưa chọn tệp (ảnh hoặc PDF)."
    with sessions() as session:
        dossier = open_dossier(session, phone=phone, reference=reference)
        procedure = load_catalogue().get(dossier.procedure)
        spec = procedure.attachment(name) if procedure else None
        if spec is None or not spec.applies_to(dossier.variant):
            names = ", ".join(a.name for a in procedure.attachments_for(dossier.variant)) if procedure else ""
            errors["name"] = f"Thủ tục này không có giấy tờ “{name}”. Chọn một trong: {names}."
        if errors or path is None or spec is None:
            raise UploadProblem(422, errors)
        try:
            prepared = prepare_document(path, max_side=settings.attachments.max_side_px)
        except RefusedDocument as exc:
            raise UploadProblem(422, {"file": str(exc)}) from None
        try:
            attachment = add_attachment(session, dossier=dossier, name=name, prepared=prepared, store=store,
                                        by="web", limit=settings.attachments.max_per_dossier)
        except TooManyAttachments as exc:
            raise UploadProblem(422, {"file": str(exc)}) from None
        except StoreError as exc:  # the store is down or refuses: nothing was kept, try later
            log.error("attachment_store_failed", reference=reference, reason=str(exc))
            raise UploadProblem(503, {"file": STORE_DOWN}) from None
        session.add(DossierEvent(dossier_id=dossier.id, by="web", what=f"Người dân đính kèm: {spec.label}"))
        try:
            session.commit()
        except BaseException:
            try:
                discard(store, attachment)
            except StoreError as exc:  # the database's error is the one to raise
                log.error("attachment_not_discarded", key=attachment.storage_key, reason=str(exc))
            raise
        session.refresh(attachment)
        return attachment, spec.label
