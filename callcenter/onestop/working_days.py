"""Working days: what a due date (ngày hẹn trả) is counted in.

Weekends and Vietnamese public holidays do not count; Tết alone can take a week out. The
`holidays` package knows the lunar dates, the observed days and the Saturdays the
government swaps into working days, so nothing here is a hand-kept calendar.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _calendar(first_year: int) -> holidays.HolidayBase:
    # Two years cover any due date counted from a day in the first; the object expands
    # itself should a count ever run further.
    return holidays.country_holidays("VN", years=(first_year, first_year + 1))


def is_working_day(day: date) -> bool:
    return bool(_calendar(day.year).is_working_day(day))


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the day of receipt does not count).

    A dossier received on a Saturday or during Tết starts counting on the next working
    day, as the receiving desk would.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start if is_working_day(start) else add_working_days(start, 1)
    result: date = _calendar(start.year).get_nth_working_day(start, days)
    return result
