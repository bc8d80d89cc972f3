"""Opening hours: the override first, then Vietnamese holidays, then the weekly schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ivr.hours import is_open
from ivr.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def settings(**kw: object) -> Settings:
    return Settings(_env_file=None, twilio_auth_token="t", **kw)  # type: ignore[call-arg]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def test_a_weekday_inside_and_outside_office_hours() -> None:
    s = settings()
    assert is_open(at(2026, 11, 25, 9, 0), s)  # Wednesday morning
    assert not is_open(at(2026, 11, 25, 7, 29), s)
    assert not is_open(at(2026, 11, 25, 17, 0), s)


def test_weekends_are_closed_unless_configured() -> None:
    assert not is_open(at(2026, 11, 28, 9, 0), settings())  # Saturday
    assert is_open(at(2026, 11, 28, 9, 0), settings(opening_days="mon,tue,wed,thu,fri,sat"))


def test_tet_and_national_day_are_closed_though_they_fall_on_weekdays() -> None:
    s = settings()
    assert not is_open(at(2027, 2, 8, 9, 0), s)  # Tết Đinh Mùi 2027, a Monday
    assert not is_open(at(2026, 9, 2, 9, 0), s)  # Quốc khánh, a Wednesday
    assert is_open(at(2027, 2, 17, 9, 0), s)  # a Wednesday after the Tết holiday


def test_time_is_judged_in_vietnam_not_utc() -> None:
    # 02:00 UTC is 09:00 in Quảng Ngãi.
    assert is_open(datetime(2026, 11, 25, 2, 0, tzinfo=UTC), settings())


def test_the_emergency_override_wins() -> None:
    assert is_open(at(2026, 11, 28, 23, 0), settings(hotline_force="open"))
    assert not is_open(at(2026, 11, 25, 9, 0), settings(hotline_force="closed"))


def test_the_new_vietnam_culture_day_is_a_holiday() -> None:
    # 24 November, a public holiday from 2026 on; the `holidays` package knows it.
    assert not is_open(at(2026, 11, 24, 9, 0), settings())
