"""The smartphone channel in the supervisors' figures: its own column in the impact
report (trips saved count for every channel) and its funnel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from callcenter.reports.impact import impact, load_impact_config, since_start
from callcenter.reports.period import Period
from callcenter.reports.web import web_funnel
from models.otp import OneTimeCode
from tests.callcenter.reports.builders import T0, make_dossier
from tests.callcenter.reports.test_impact import TABLE

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_web_dossiers_have_their_column_and_save_trips_like_the_others(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "impact.toml"
    path.write_text(TABLE, encoding="utf-8")
    config = load_impact_config(path)
    make_dossier(db, "700001", status="submitted", submitted_at=T0, channel="web", procedure="promotion_notice")
    make_dossier(db, "700002", status="submitted", submitted_at=T0, channel="ivr")
    make_dossier(db, "700003", status="submitted", submitted_at=T0, channel="sms")
    db.commit()
    total = impact(db, period=since_start(config, TZ), config=config, offset_s=7 * 3600).total
    assert (total.dossiers_phone, total.dossiers_sms, total.dossiers_web) == (1, 1, 1)
    assert total.dossiers == 3 and total.trips_avoided == 6


def test_the_funnel_follows_phones_from_the_code_to_the_one_stop_system(db: Session) -> None:
    def code(phone: str, accepted: bool) -> OneTimeCode:
        return OneTimeCode(phone=phone, code_hash="0" * 64, created_at=T0, expires_at=T0 + timedelta(minutes=5),
                           accepted_at=T0 if accepted else None)

    db.add_all([code("+84905000001", True), code("+84905000001", False), code("+84905000002", True),
                code("+84905000003", False)])
    make_dossier(db, "700010", channel="web", created_at=T0, status="submitted", submitted_at=T0)
    make_dossier(db, "700011", channel="web", created_at=T0)
    make_dossier(db, "700012", channel="ivr", created_at=T0)
    db.commit()
    steps = web_funnel(db, period=Period(since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)))
    assert [s.count for s in steps] == [3, 2, 2, 1]
