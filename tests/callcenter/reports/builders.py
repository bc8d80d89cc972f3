"""Calls and dossiers written straight to the database, so figures are known in advance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from models.call import Call, CallEvent
from models.dossier import Dossier

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Quảng Ngãi, a Monday


def make_call(
    db: Session,
    sid: str,
    *,
    path: list[tuple[str, str | None]],
    outcome: str | None,
    started_at: datetime = T0,
    from_number: str = "+84905123456",
    abandoned_menu: str | None = None,
    dossier_reference: str | None = None,
    recording_url: str | None = None,
) -> Call:
    """`path`: (menu entered, key pressed there or None), in order, as the engine logs it."""
    call = Call(call_sid=sid, from_number=from_number, to_number="+842553818558", flow_version="2026-11-23",
                started_at=started_at, state={}, outcome=outcome, abandoned_menu=abandoned_menu,
                dossier_reference=dossier_reference, recording_url=recording_url,
                ended_at=started_at + timedelta(seconds=60), duration_s=60)
    db.add(call)
    db.flush()
    at = started_at
    for menu, key in path:
        at += timedelta(seconds=3)
        db.add(CallEvent(call_id=call.id, at=at, kind="menu", menu=menu))
        db.add(CallEvent(call_id=call.id, at=at, kind="prompt", menu=menu, prompt=f"{menu}_prompt"))
        if key is not None:
            at += timedelta(seconds=2)
            db.add(CallEvent(call_id=call.id, at=at, kind="key", menu=menu, key=key))
    if outcome is not None:
        db.add(CallEvent(call_id=call.id, at=at + timedelta(seconds=1), kind="outcome",
                         menu=abandoned_menu, detail={"outcome": outcome}))
    db.flush()
    return call


def make_dossier(db: Session, reference: str, **fields: Any) -> Dossier:
    values: dict[str, Any] = {
        "procedure": "fishing_licence", "variant": "new", "channel": "ivr", "status": "draft",
        "vessel_registration": "QNg-90567-TS", "fields": {}, "created_at": T0,
    }
    values.update(fields)
    dossier = Dossier(reference=reference, **values)
    db.add(dossier)
    db.flush()
    return dossier


# Five calls of the 2 March morning, one of the day before (outside the period).
LICENCE_TO_DOSSIER = [("greeting", None), ("main", "1"), ("licence_variant", "1"), ("licence_new", None),
                      ("vessel_entry", "90567"), ("vessel_readback", "1"), ("confirm", "1"),
                      ("create_dossier", None), ("done", None)]


def known_calls(db: Session) -> None:
    make_call(db, "CA-dossier", path=LICENCE_TO_DOSSIER, outcome="dossier_created",
              dossier_reference="472915")
    make_call(db, "CA-gave-up-main", path=[("greeting", None), ("main", None)], outcome="abandoned",
              abandoned_menu="main", started_at=T0 + timedelta(minutes=5))
    make_call(db, "CA-operator", path=[("greeting", None), ("main", "0"), ("operator", None)],
              outcome="transferred", started_at=T0 + timedelta(minutes=10))
    make_call(db, "CA-gave-up-licence", path=[("greeting", None), ("main", "1"), ("licence_variant", None)],
              outcome="abandoned", abandoned_menu="licence_variant", started_at=T0 + timedelta(minutes=15))
    # Three misses at the vessel entry outside opening hours: a call-back request.
    make_call(db, "CA-misses", path=[("greeting", None), ("main", "2"), ("safety_vessel", None),
                                     ("vessel_entry", "x"), ("operator", None)],
              outcome="callback_requested", started_at=T0 + timedelta(minutes=20))
    make_call(db, "CA-yesterday", path=[("greeting", None), ("main", None)], outcome="abandoned",
              abandoned_menu="main", started_at=T0 - timedelta(days=1))
    db.commit()
