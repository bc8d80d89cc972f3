"""Asking for a call-back and recording how it went; flushes, never commits.

A call-back belongs to a dossier, to a caller's request (a voice message, a caller who
left the queue), or to both: each attempt is a row, and a line in the dossier's history
when there is a dossier. An attempt that did not reach the fisher (no answer, the
operator's leg failed) on a dossier is due again after RETRY_AFTER; a newer attempt
supersedes the older ones' due time. A request stays open until an attempt reaches the
caller or an operator says so (`close_request`), or until the caller's phone went
unanswered `max_attempts` times (then it is closed as unreachable).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from callcenter.callbacks.dialer import Dialer, DialFailed
from ivr.settings import Settings
from models.base import utcnow
from models.callback import CallbackAttempt, CallbackRequest
from models.domain.phone import mask_phone
from models.dossier import Dossier, DossierEvent
from models.user import User

log = structlog.get_logger(__name__)

RETRY_AFTER = timedelta(minutes=15)
WEBHOOK_PATH = "/twilio/voice/callback/{attempt_id}"

OUTCOME_LABELS = {
    "requested": "Đang gọi",
    "not_configured": "Chưa cấu hình gọi ra (chỉ ghi nhận yêu cầu)",
    "reached": "Đã nói chuyện được với người dân",
    "no_answer": "Người dân không nghe máy",
    "wrong_number": "Sai số hoặc số không liên lạc được",
    "failed": "Cuộc gọi không thực hiện được",
}
# Twilio's DialCallStatus of the fisher's leg.
_DIAL_OUTCOMES = {"completed": "reached", "answered": "reached", "busy": "no_answer",
                  "no-answer": "no_answer", "canceled": "no_answer", "failed": "wrong_number"}
_RESCHEDULED = frozenset({"no_answer", "failed"})
# The caller's phone rang (or could not be reached) and nobody answered.
_CALLER_MISSED = ("no_answer", "wrong_number")


class CallbackRefused(Exception):
    """Nothing to call or nobody to ring; `code` names the reason for the console."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def request_callback(
    session: Session, *, dossier: Dossier | None = None, request: CallbackRequest | None = None,
    operator: User, settings: Settings, dialer: Dialer | None, now: datetime | None = None,
) -> CallbackAttempt:
    """Record an attempt and, when Twilio is configured, ring the operator's phone.

    For a dossier, a caller's request, or both (a request for a dossier: give both).
    """
    now = now or utcnow()
    if request is not None and request.status != "open":
        raise CallbackRefused("callback_closed", "Yêu cầu gọi lại này đã đóng.")
    fisher = (request.phone if request is not None else None) or (
        dossier.applicant_phone if dossier is not None else None)
    if not fisher:
        raise CallbackRefused("callback_no_fisher_phone",
                              "Hồ sơ chưa có số điện thoại của người dân để gọi lại.")
    configured = settings.twilio_sending_enabled and dialer is not None
    if configured and not operator.phone:
        raise CallbackRefused("callback_no_operator_phone",
                              "Tài khoản của bạn chưa có số điện thoại để tổng đài gọi vào trước.")
    if dossier is not None:
        session.execute(
            update(CallbackAttempt)
            .where(CallbackAttempt.dossier_id == dossier.id, CallbackAttempt.next_attempt_at.is_not(None))
            .values(next_attempt_at=None)
        )
    attempt = CallbackAttempt(
        dossier_id=dossier.id if dossier else None, request_id=request.id if request else None,
        operator_id=operator.id, operator=operator.username, at=now,
        fisher_number=fisher, operator_number=operator.phone,
        outcome="requested" if configured else "not_configured",
    )
    session.add(attempt)
    if request is not None:
        request.attempts += 1
    session.flush()
    if not configured or dialer is None:
        _history(session, dossier, operator.username,
                 "Yêu cầu gọi lại cho người dân (tổng đài chưa cấu hình gọi ra: cần gọi thủ công)")
        return attempt
    base = settings.public_base_url + WEBHOOK_PATH.format(attempt_id=attempt.id)
    try:
        attempt.twilio_call_sid = dialer.dial(
            to=operator.phone or "", from_=settings.twilio_from_number or "",
            url=base, status_callback=base + "/status",
        )
    except DialFailed as exc:
        _finish(session, attempt, "failed", now, max_attempts=settings.callbacks.max_attempts)
        _history(session, dossier, operator.username, f"Gọi lại không thực hiện được: {exc}"
                 + _retry_note(attempt))
        log.warning("callback_dial_failed", attempt_id=attempt.id, reason=str(exc))
        return attempt
    _history(session, dossier, operator.username,
             "Gọi lại: đổ chuông máy điện thoại viên, sau đó nối máy tới người dân")
    log.info("callback_requested", attempt_id=attempt.id, fisher=mask_phone(attempt.fisher_number))
    return attempt


def record_outcome(
    session: Session, *, attempt: CallbackAttempt, dial_status: str | None = None,
    call_status: str | None = None, now: datetime | None = None, max_attempts: int = 3,
) -> bool:
    """Apply a Twilio callback; False when the attempt already had its outcome (a repeat)."""
    if attempt.outcome != "requested":
        return False
    if dial_status is not None:
        outcome = _DIAL_OUTCOMES.get(dial_status, "failed")
    elif call_status in ("queued", "ringing", "in-progress", None):
        return False  # not an ending: the fisher's leg will tell
    else:
        # The operator's own leg ended without a bridge: their phone was not answered,
        # busy or failed, so the fisher was never rung.
        outcome = "failed"
    now = now or utcnow()
    _finish(session, attempt, outcome, now, max_attempts=max_attempts)
    dossier = session.get(Dossier, attempt.dossier_id) if attempt.dossier_id else None
    why = "" if dial_status is not None else f" (máy điện thoại viên: {call_status})"
    _history(session, dossier, "twilio",
             f"Kết quả gọi lại: {OUTCOME_LABELS[outcome]}{why}{_retry_note(attempt)}")
    log.info("callback_outcome", attempt_id=attempt.id, outcome=outcome)
    return True


def close_request(
    session: Session, *, request: CallbackRequest, operator: User, status: str, max_attempts: int,
    now: datetime | None = None,
) -> None:
    """An operator closes a request: `done` (the caller was reached, by any phone) or
    `unreachable` (only after `max_attempts` attempts). CallbackRefused otherwise."""
    if request.status != "open":
        raise CallbackRefused("callback_closed", "Yêu cầu gọi lại này đã đóng.")
    if status == "unreachable" and request.attempts < max_attempts:
        raise CallbackRefused(
            "callback_too_soon",
            f"Chỉ đóng là không liên lạc được sau {max_attempts} lần gọi (mới gọi {request.attempts} lần).",
        )
    if status not in ("done", "unreachable"):
        raise CallbackRefused("callback_bad_status", "Trạng thái không hợp lệ.")
    _close(request, status, operator.username, now or utcnow())
    session.flush()


def _close(request: CallbackRequest, status: str, by: str, now: datetime) -> None:
    request.status = status
    request.closed_at = now
    request.closed_by = by


def _finish(
    session: Session, attempt: CallbackAttempt, outcome: str, now: datetime, *, max_attempts: int
) -> None:
    attempt.outcome = outcome
    attempt.ended_at = now
    # A dossier's unanswered call-back comes due again; a request stays on its own list.
    retry = outcome in _RESCHEDULED and attempt.dossier_id is not None and attempt.request_id is None
    attempt.next_attempt_at = now + RETRY_AFTER if retry else None
    request = session.get(CallbackRequest, attempt.request_id) if attempt.request_id else None
    if request is None or request.status != "open":
        return
    if outcome == "reached":
        _close(request, "done", attempt.operator, now)
    elif outcome in _CALLER_MISSED and _missed(session, request) >= max_attempts:
        # Only the caller's own phone going unanswered counts: an operator who did not
        # pick up, or Twilio refusing, never rang them.
        _close(request, "unreachable", "twilio", now)


def _missed(session: Session, request: CallbackRequest) -> int:
    session.flush()  # the attempt's own outcome counts (sessions do not autoflush)
    return session.scalar(
        select(func.count()).select_from(CallbackAttempt)
        .where(CallbackAttempt.request_id == request.id, CallbackAttempt.outcome.in_(_CALLER_MISSED))
    ) or 0


def _retry_note(attempt: CallbackAttempt) -> str:
    minutes = int(RETRY_AFTER.total_seconds() // 60)
    return f"; cần gọi lại sau {minutes} phút" if attempt.next_attempt_at else ""


def _history(session: Session, dossier: Dossier | None, by: str, what: str) -> None:
    if dossier is not None:
        session.add(DossierEvent(dossier_id=dossier.id, by=by, what=what))
