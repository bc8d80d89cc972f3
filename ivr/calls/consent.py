"""Whether a caller already consented to the personal-data notice in force.

A caller whose number consented to this version of the notice on an earlier call hears
a short reminder ("cuộc gọi được ghi âm như đã thông báo") instead of the notice in
full; a new version of the notice is heard in full again by everyone. One indexed read
(`calls.from_number`), built once on the table.
"""

from __future__ import annotations

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from models.base import Base

CALLS: Table = Base.metadata.tables["calls"]
_c = CALLS.c
_CONSENTED = (
    select(_c.id)
    .where(_c.from_number == bindparam("phone"), _c.consent_notice_version == bindparam("version"))
    .limit(1)
)


def caller_has_consented(session: Session, *, phone: str, notice_version: str) -> bool:
    """True when a call from `phone` kept a consent to `notice_version`."""
    if not phone:
        return False  # a withheld number cannot be recognised
    found = session.execute(_CONSENTED, {"phone": phone, "version": notice_version}).first()
    return found is not None
