"""Wrap-up: what a call was about (a code from a configurable list) and a note, filed by
the operator who answered it; filing it ends their wrap-up time."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ivr.queue.presence import match, queue_event
from models.operator import OperatorPresence
from models.queue import QueueEntry
from models.user import User

CODES_FILE = Path(__file__).with_name("wrap_up_codes.toml")
MAX_NOTE = 2000


@dataclass(frozen=True)
class WrapUpCode:
    code: str
    label: str


@lru_cache(maxsize=4)
def wrap_up_codes(path: Path = CODES_FILE) -> tuple[WrapUpCode, ...]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    codes = tuple(WrapUpCode(code=str(c["code"]), label=str(c["label"])) for c in raw.get("code", []))
    if not codes or len({c.code for c in codes}) != len(codes):
        raise ValueError(f"{path}: wrap-up codes must be a non-empty list of distinct codes")
    return codes


def code_label(code: str | None) -> str:
    return next((c.label for c in wrap_up_codes() if c.code == code), code or "")


class WrapUpRefused(ValueError):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def answered_entry(session: Session, *, call_sid: str) -> QueueEntry | None:
    return session.scalar(
        select(QueueEntry).where(QueueEntry.call_sid == call_sid, QueueEntry.answered_by_id.is_not(None))
        .order_by(QueueEntry.id.desc()).limit(1)
    )


def file_wrap_up(
    session: Session, *, call_sid: str, user: User, code: str, note: str, now: datetime,
) -> QueueEntry:
    entry = answered_entry(session, call_sid=call_sid)
    if entry is None:
        raise WrapUpRefused(404, "Không tìm thấy cuộc gọi đã được điện thoại viên nghe máy.")
    if entry.answered_by_id != user.id:
        raise WrapUpRefused(403, "Chỉ điện thoại viên đã nghe cuộc gọi này mới ghi được kết quả.")
    if code not in {c.code for c in wrap_up_codes()}:
        raise WrapUpRefused(422, "Hãy chọn một kết quả cuộc gọi trong danh sách.", "code")
    if len(note) > MAX_NOTE:
        raise WrapUpRefused(422, f"Ghi chú dài quá {MAX_NOTE} ký tự.", "note")
    entry.wrap_up_code, entry.wrap_up_note = code, note.strip() or None
    entry.wrap_up_by, entry.wrap_up_at = user.username, now
    queue_event(session, call_id=entry.call_id, what="wrap_up", now=now, by=user.username, code=code)
    # Filing it ends the operator's wrap-up: they are ready, and offered the next caller.
    session.execute(
        update(OperatorPresence)
        .where(OperatorPresence.user_id == user.id, OperatorPresence.state == "wrap_up",
               OperatorPresence.call_sid == call_sid)
        .values(state="ready", since=now, heartbeat_at=now)
    )
    match(session, now=now)  # flushes
    return entry
