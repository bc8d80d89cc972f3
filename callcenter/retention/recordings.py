"""Which removed recording links name audio kept at Twilio, and queueing its deletion there.

A call's voice message is a Twilio Recording resource: Twilio keeps the audio until it is
deleted through its REST API, whatever becomes of our link. So when retention removes a
link to `https://api.twilio.com/2010-04-01/Accounts/AC…/Recordings/RE…` it also queues
one outbox entry `twilio.recording.delete` per Recording SID (`callcenter/retention/
twilio_delete.py` delivers it). The key is the SID: the same recording linked from a call
and from its call-back request, or met again by a later run, is queued once.

Any other link (a demo's local file, a test server) names nothing at Twilio: the link
alone goes, and the report counts it apart. Only Twilio's default (US1) API host is
recognised, the one `TWILIO_API_BASE_URL` stands for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.outbox import OutboxEntry, enqueue_once

RECORDING_DELETE = "twilio.recording.delete"

# Twilio gives the link without an extension; a stored copy may carry .mp3/.wav/.json.
_RECORDING_URL = re.compile(
    r"https://api\.twilio\.com/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})"
    r"/Recordings/(?P<recording>RE[0-9a-fA-F]{32})(?:\.(?:mp3|wav|json))?",
)
_IN_CHUNK = 500  # keys per IN (…): well under SQLite's limit on bound parameters


@dataclass(frozen=True)
class TwilioRecording:
    account_sid: str  # the account that holds it (a subaccount's SID when it recorded)
    recording_sid: str

    @property
    def key(self) -> str:
        return f"{RECORDING_DELETE}:{self.recording_sid}"


def twilio_recording(url: str) -> TwilioRecording | None:
    """The Recording a stored link names at Twilio, or None for any other link."""
    found = _RECORDING_URL.fullmatch(url.strip())
    if found is None:
        return None
    return TwilioRecording(found["account"], found["recording"])


@dataclass
class DeletionPlan:
    recordings: dict[str, TwilioRecording] = field(default_factory=dict)  # by SID, not yet queued
    already_queued: int = 0  # SIDs an earlier run (or another row) queued already
    elsewhere: int = 0  # links that are not Twilio recordings: nothing to delete remotely


def plan_deletions(session: Session, urls: Iterable[str | None]) -> DeletionPlan:
    """The Twilio recordings behind these links that no outbox entry deletes yet."""
    plan = DeletionPlan()
    found: dict[str, TwilioRecording] = {}
    for url in urls:
        if url is None:
            continue
        recording = twilio_recording(url)
        if recording is None:
            plan.elsewhere += 1
        else:
            found[recording.key] = recording
    keys = list(found)
    queued: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start:start + _IN_CHUNK]
        queued.update(session.scalars(select(OutboxEntry.idempotency_key)
                                      .where(OutboxEntry.idempotency_key.in_(chunk))))
    plan.already_queued = len(queued)
    plan.recordings = {r.recording_sid: r for key, r in found.items() if key not in queued}
    return plan


def queue_deletions(session: Session, plan: DeletionPlan, *, at: datetime) -> int:
    """One outbox entry per recording in the plan, due `at`, in the caller's transaction; how
    many were queued (a concurrent run may have queued some in between: not counted)."""
    return sum(
        enqueue_once(session, kind=RECORDING_DELETE, idempotency_key=recording.key, at=at,
                     payload={"account_sid": recording.account_sid, "recording_sid": recording.recording_sid})
        for recording in plan.recordings.values()
    )
