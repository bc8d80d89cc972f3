"""Trips, money and days a dossier filed by phone or SMS saves, from the commune table."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from callcenter.reports.impact import ImpactConfigError, impact, load_impact_config, since_start
from ivr.settings import IMPACT_FILE as DEFAULT_IMPACT_FILE
from tests.callcenter.reports.builders import T0, make_dossier

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

TABLE = """
start = 2021-10-05
trips_per_dossier = 2
[default]
cost_vnd = 100000
travel_hours = 6
[communes."Lý Sơn"]
cost_vnd = 1000000
travel_hours = 24
"""


def test_money_and_days_saved_per_month_and_since_the_start(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "impact.toml"
    path.write_text(TABLE, encoding="utf-8")
    config = load_impact_config(path)
    make_dossier(db, "600001", status="submitted", submitted_at=T0,
                 applicant_address={"line": "thôn Đông", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"})
    make_dossier(db, "600002", status="submitted", submitted_at=T0 + timedelta(days=31), channel="sms")
    make_dossier(db, "600003")  # a draft saves nothing yet
    db.commit()
    result = impact(db, period=since_start(config, TZ), config=config, offset_s=7 * 3600)
    assert (result.total.dossiers_phone, result.total.dossiers_sms) == (1, 1)
    assert result.total.trips_avoided == 4
    assert result.total.saved_vnd == 2 * 1_000_000 + 2 * 100_000
    assert result.total.days_saved == (2 * 24 + 2 * 6) / 24
    assert sorted(result.by_month) == ["2026-03", "2026-04"]
    assert result.by_month["2026-03"].saved_vnd == 2_000_000


def test_the_shipped_table_loads() -> None:
    config = load_impact_config(DEFAULT_IMPACT_FILE)
    assert config.tariff("xã Lý Sơn").cost_vnd > config.tariff("Nghĩa An").cost_vnd
    assert config.tariff("nơi chưa có").cost_vnd == config.default.cost_vnd


def test_a_broken_table_is_named(tmp_path: Path) -> None:
    path = tmp_path / "impact.toml"
    path.write_text("start = 2021-10-05\n", encoding="utf-8")
    with pytest.raises(ImpactConfigError, match=r"impact\.toml"):
        load_impact_config(path)
