"""The `twilio.recording.delete` outbox handler: a Recording resource deleted at Twilio.

`DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.json` through the
official SDK, on the account that holds the recording (the one in its link), with our
credentials. Twilio answers 204 when it deleted the audio and 404 (code 20404) when the
recording is gone already, by an earlier try whose "done" was lost or by hand in
Twilio's console: both mean done. 401 (credentials being rotated), 408, 429, 5xx and
transport errors are retried with the outbox's backoff; any other 4xx cannot work as it
is and fails at once. A failed entry is listed with the outbox's failures
(`GET /api/v1/outbox/failed`) and a supervisor can retry it.

Without credentials (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`: a demo) the entry waits
and is retried like an SMS queued before its credentials were removed, then fails
visibly: the audio may still be at Twilio, so it is never dropped in silence.
"""

from __future__ import annotations

import re

import httpx
import structlog
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from callcenter.outbox.context import OutboxContext
from callcenter.outbox.errors import PermanentFailure, RetryLater
from callcenter.retention.recordings import RECORDING_DELETE
from models.outbox import OutboxEntry

__all__ = ["RECORDING_DELETE", "deliver_recording_deletion", "give_up_recording_deletion"]

log = structlog.get_logger(__name__)

_GONE = 404
# 401: credentials rotated or not yet valid, which an operator fixes; 408/429: busy.
_TEMPORARY_4XX = frozenset({401, 408, 429})
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


def deliver_recording_deletion(session: Session, entry: OutboxEntry, context: OutboxContext) -> None:
    account_sid = str(entry.payload.get("account_sid", ""))
    recording_sid = str(entry.payload.get("recording_sid", ""))
    if not (_ACCOUNT_SID.fullmatch(account_sid) and _RECORDING_SID.fullmatch(recording_sid)):
        raise PermanentFailure(f"mã bản ghi âm Twilio không hợp lệ: {recording_sid or '(trống)'}")
    if not context.settings.twilio_api_enabled:
        # Credentials may come (back); until the attempts run out, nothing is lost.
        raise RetryLater("chưa cấu hình tài khoản Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)")
    try:
        context.twilio().api.v2010.accounts(account_sid).recordings(recording_sid).delete()
    except httpx.TransportError as exc:
        raise RetryLater(f"không kết nối được Twilio: {type(exc).__name__}") from exc
    except (TwilioRestException, TwilioServiceException) as exc:
        if exc.status == _GONE:
            log.info("twilio_recording_already_gone", recording_sid=recording_sid, code=exc.code)
            return
        reason = f"HTTP {exc.status}" + (f", mã {exc.code}" if exc.code else "")
        if exc.status >= 500 or exc.status in _TEMPORARY_4XX:
            raise RetryLater(f"Twilio tạm thời không xóa được bản ghi âm {recording_sid}: {reason}") from exc
        raise PermanentFailure(f"Twilio từ chối xóa bản ghi âm {recording_sid}: {reason}") from exc
    log.info("twilio_recording_deleted", recording_sid=recording_sid)


def give_up_recording_deletion(session: Session, entry: OutboxEntry, reason: str) -> None:
    """No row of ours to mark: the failed entry itself is what supervisors see."""
    log.warning("twilio_recording_delete_failed", recording_sid=entry.payload.get("recording_sid"),
                attempts=entry.attempts + 1, reason=reason)
