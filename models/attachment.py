"""Documents a citizen attached to a dossier: photos (re-encoded) and PDFs.

The bytes live outside the database, in the attachment store
(`callcenter.attachments.storage`); a row says what the file is, where it is kept, and
whether the one-stop system has it yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    # The catalogue's attachment name (`registration_certificate`): which document it is.
    name: Mapped[str] = mapped_column(String(48))
    content_type: Mapped[str] = mapped_column(String(40))  # image/jpeg, image/png, application/pdf
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Where the store keeps the bytes; opaque to everything but the store.
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))  # "web" or an operator's username
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
