"""The dashboard's figures, computed by the database, from known calls and dossiers."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from callcenter.reports.dashboard import (
    calls_per_day,
    calls_per_hour,
    dossiers_by_procedure_status,
    per_operator,
    time_to_submission,
    waiting_drafts,
)
from callcenter.reports.period import Period, parse_period
from models.audit import AuditEntry
from models.user import User
from tests.callcenter.reports.builders import T0, known_calls, make_call, make_dossier

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFSET = 7 * 3600
MARCH = parse_period("2026-03-01", "2026-03-31", tz=TZ)


def test_calls_per_local_day_and_hour(db: Session) -> None:
    known_calls(db)
    # 23:30 UTC on 1 March is 06:30 on 2 March in Quảng Ngãi.
    make_call(db, "CA-dawn", path=[("main", None)], outcome="abandoned", abandoned_menu="main",
              started_at=T0.replace(hour=0) - timedelta(minutes=30))
    db.commit()
    days = calls_per_day(db, period=MARCH, offset_s=OFFSET)
    assert [(d.day, d.calls, d.abandoned) for d in days] == [("2026-03-01", 1, 1), ("2026-03-02", 6, 3)]
    hours = calls_per_hour(db, period=MARCH, offset_s=OFFSET)
    assert len(hours) == 24 and hours[6] == 1 and hours[9] == 6 and sum(hours) == 7


def test_median_and_90th_percentile_from_call_to_submission(db: Session) -> None:
    for hours in range(1, 11):  # submitted 1 h … 10 h after the call
        make_dossier(db, f"10000{hours - 1}", status="submitted", created_at=T0,
                     submitted_at=T0 + timedelta(hours=hours))
    make_dossier(db, "200000")  # a draft: not yet submitted, not in the figures
    db.commit()
    figures = time_to_submission(db, period=MARCH)
    assert figures.count == 10
    assert figures.median_s == 5 * 3600
    assert figures.p90_s == 9 * 3600
    assert time_to_submission(db, period=Period(since=T0 + timedelta(days=5), until=None)).median_s is None


def test_waiting_drafts_by_age(db: Session) -> None:
    now = T0 + timedelta(days=10)
    make_dossier(db, "300001", created_at=now - timedelta(minutes=20))
    make_dossier(db, "300002", created_at=now - timedelta(hours=2))
    make_dossier(db, "300003", created_at=now - timedelta(days=5))
    make_dossier(db, "300004", created_at=now - timedelta(days=5), status="submitted")
    db.commit()
    waiting = waiting_drafts(db, now=now)
    assert waiting.count == 3
    assert dict(waiting.by_age) == {"< 1 giờ": 1, "1–4 giờ": 1, "4–24 giờ": 0, "1–3 ngày": 0, "> 3 ngày": 1}
    assert waiting.oldest_created_at == now - timedelta(days=5)


def test_dossiers_by_procedure_and_status(db: Session) -> None:
    make_dossier(db, "400001")
    make_dossier(db, "400002", status="submitted")
    make_dossier(db, "400003", procedure="vessel_safety_certificate", variant=None)
    make_dossier(db, "400004", created_at=T0 - timedelta(days=60))
    db.commit()
    assert dossiers_by_procedure_status(db, period=MARCH) == [
        ("fishing_licence", "draft", 1), ("fishing_licence", "submitted", 1),
        ("vessel_safety_certificate", "draft", 1),
    ]


def test_per_operator_handled_callbacks_and_time_to_submit(db: Session) -> None:
    an = User(username="an", full_name="Phạm Văn An", role="operator", password_hash="x")
    binh = User(username="binh", full_name="Võ Thị Bình", role="operator", password_hash="x")
    db.add_all([an, binh])
    db.flush()
    # Submitted: nobody holds them any more, who handled them stays.
    make_dossier(db, "500001", handled_by_id=an.id, handled_at=T0, submitted_at=T0 + timedelta(minutes=10),
                 status="submitted")
    make_dossier(db, "500002", handled_by_id=an.id, handled_at=T0, submitted_at=T0 + timedelta(minutes=30),
                 status="submitted")
    make_dossier(db, "500003", claimed_by_id=an.id, claimed_at=T0, handled_by_id=an.id, handled_at=T0,
                 status="in_progress")
    db.add(AuditEntry(actor_id=an.id, actor="an", role="operator", action="callback", target="dossier:500003",
                      at=T0 + timedelta(minutes=1)))
    db.commit()
    figures = {f.username: f for f in per_operator(db, period=MARCH)}
    assert figures["an"].handled == 3 and figures["an"].submitted == 2 and figures["an"].callbacks == 1
    assert figures["an"].avg_submit_s == 20 * 60
    assert figures["binh"].handled == 0 and figures["binh"].avg_submit_s is None
