"""Opening hours of the operators: override, then holiday, then the weekly schedule.

Decided in the centre's time zone; `now` is a parameter so tests and the simulator can
place a call at any moment.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from ivr.settings import Settings

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=8)
def _vietnam_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_holiday(day: date) -> bool:
    return day in _vietnam_holidays(day.year)


def is_open(now: datetime, settings: Settings) -> bool:
    if settings.hotline_force == "open":
        return True
    if settings.hotline_force == "closed":
        return False
    local = now.astimezone(ZoneInfo(settings.timezone))
    if is_holiday(local.date()):
        return False
    open_days = {d.strip().lower() for d in settings.opening_days.split(",")}
    if _DAY_NAMES[local.weekday()] not in open_days:
        return False
    return settings.opening_time <= local.time().replace(tzinfo=None) < settings.closing_time
