"""The caller's card: what an operator sees the moment a caller is put through to them —
and, in short, for every caller waiting (the "callers waiting" panel)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.flow.definition import WAITING
from ivr.runtime import HotlineRuntime
from models.call import Call
from models.callback import CallbackRequest
from models.dossier import Dossier
from models.queue import QueueEntry
from models.vessel import Vessel, owned_vessels

# Why the caller asked for a person, in the operator's words.
REASONS = {
    "key_0": "Bấm phím 0 để gặp điện thoại viên",
    "misses": "Bấm sai hoặc không bấm ba lần liên tiếp",
    "guard": "Cuộc gọi quá dài hoặc lạc menu",
    "fault": "Tổng đài tự động gặp sự cố",
}
DOSSIERS_SHOWN = 5
# A caller waiting for an operator (one leaving for a call-back is not waiting).
IN_QUEUE = (QueueEntry.result == "waiting", QueueEntry.callback_request_id.is_(None))


@dataclass(frozen=True)
class DossierLine:
    reference: str
    procedure: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class CallerCard:
    call_sid: str
    from_number: str
    joined_at: datetime
    waiting_s: int
    vessel_registration: str | None
    vessel_from_caller_id: bool
    vessel_verified: bool
    vessel_name: str | None
    owner_name: str | None
    procedure: str | None
    variant: str | None
    path: list[str]
    reason: str | None
    reason_text: str
    answered_by: str | None
    bridged_at: datetime | None
    wrap_up_code: str | None
    dossiers: list[DossierLine] = field(default_factory=list)
    open_callbacks: int = 0


def card_for(session: Session, *, entry: QueueEntry, now: datetime, full: bool = True) -> CallerCard:
    return cards_for(session, [entry], now=now, full=full)[0]


def cards_for(
    session: Session, entries: Sequence[QueueEntry], *, now: datetime, full: bool = False
) -> list[CallerCard]:
    """The entries' cards; short ones (no dossiers, no call-backs) unless `full`. Their calls
    and vessels are read in one query each: the waiting panel is rebuilt every half second."""
    call_ids = {e.call_id for e in entries}
    calls = {c.id: c for c in session.scalars(select(Call).where(Call.id.in_(call_ids)))} if call_ids else {}
    states = {e.id: (calls[e.call_id].state if e.call_id in calls else None) or {} for e in entries}
    named = {e.id: e.vessel_registration or states[e.id].get("vessel_registration") for e in entries}
    wanted = {r for r in named.values() if r}
    vessels = {v.registration_number: v for v in session.scalars(
        select(Vessel).where(Vessel.registration_number.in_(wanted)))} if wanted else {}
    # Callers who asked for a person before the IVR reached a vessel: the registry's vessel
    # of their number, when there is exactly one, is the best guess.
    by_phone = owned_vessels(session, {calls[e.call_id].from_number for e in entries
                                       if not named[e.id] and e.call_id in calls
                                       and calls[e.call_id].from_number.startswith("+")})
    cards = []
    for entry in entries:
        call = calls.get(entry.call_id)
        state = states[entry.id]
        phone = call.from_number if call is not None else ""
        registration = named[entry.id]
        vessel = vessels.get(registration) if registration else None
        from_caller_id = False
        if registration is None and phone.startswith("+"):
            owned = by_phone.get(phone)
            if owned is not None:
                vessel, registration, from_caller_id = owned, owned.registration_number, True
        dossiers, callbacks = _history(session, phone) if full and phone.startswith("+") else ([], 0)
        end = entry.bridged_at or entry.left_at or now
        cards.append(CallerCard(
            call_sid=entry.call_sid, from_number=phone, joined_at=entry.joined_at,
            waiting_s=max(0, int((end - entry.joined_at).total_seconds())),
            vessel_registration=registration, vessel_from_caller_id=from_caller_id,
            vessel_verified=bool(state.get("vessel_verified")) and vessel is not None,
            vessel_name=vessel.vessel_name if vessel else None,
            owner_name=vessel.owner_name if vessel else None,
            procedure=state.get("procedure"), variant=state.get("variant"), path=list(entry.path or []),
            reason=entry.reason, reason_text=REASONS.get(entry.reason or "", "Không rõ"),
            answered_by=entry.answered_by, bridged_at=entry.bridged_at, wrap_up_code=entry.wrap_up_code,
            dossiers=dossiers, open_callbacks=callbacks,
        ))
    return cards


def _history(session: Session, phone: str) -> tuple[list[DossierLine], int]:
    """The number's latest dossiers and its open call-back requests."""
    dossiers = [DossierLine(d.reference, d.procedure, d.status, d.created_at) for d in session.scalars(
        select(Dossier).where(Dossier.applicant_phone == phone)
        .order_by(Dossier.created_at.desc()).limit(DOSSIERS_SHOWN))]
    callbacks = len(session.scalars(select(CallbackRequest.id).where(
        CallbackRequest.phone == phone, CallbackRequest.status == "open")).all())
    return dossiers, callbacks


def waiting_entries(session: Session, *, limit: int = 100) -> list[QueueEntry]:
    """Callers waiting now, longest first (a caller leaving for a call-back is not waiting)."""
    return list(session.scalars(
        select(QueueEntry).where(*IN_QUEUE)
        .order_by(QueueEntry.joined_at, QueueEntry.id).limit(limit)
    ))


def waiting_now(session: Session) -> tuple[int, datetime | None]:
    """How many callers `waiting_entries` lists, and when the longest waiting joined."""
    count, oldest = session.execute(
        select(func.count(QueueEntry.id), func.min(QueueEntry.joined_at)).where(*IN_QUEUE)
    ).one()
    return int(count), oldest


def current_card_entry(session: Session, *, user_id: int, call_sid: str | None) -> QueueEntry | None:
    """The call an operator is on (or wrapping up): the card their console shows."""
    if not call_sid:
        return None
    return session.scalar(
        select(QueueEntry).where(QueueEntry.call_sid == call_sid, QueueEntry.answered_by_id == user_id)
        .order_by(QueueEntry.id.desc()).limit(1)
    )


def menu_titles(runtime: HotlineRuntime) -> dict[str, str]:
    """The menus a caller can be in (where they press keys), by node, as the guide names
    them: what an operator reads of a caller's path, never the flow's node names."""
    titles: dict[str, str] = {}
    for flow in (runtime.current, *runtime.flows.values()):
        for name, node in flow.nodes.items():
            if node.type in WAITING:
                titles.setdefault(name, node.title or name)
    return titles


def path_in_words(card: CallerCard, titles: dict[str, str]) -> list[str]:
    return [titles[p] for p in card.path if p in titles]
