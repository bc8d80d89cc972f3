"""Opening hours of the operators: override, then holiday, then the weekly schedule; and
how they are told to callers — the hours themselves ("từ 7 giờ 30 đến 17 giờ, thứ Hai
đến thứ Sáu") and when an operator will call back ("trong vòng 4 giờ làm việc", or the
next working day's opening hour), spoken and as plain SMS text.

Decided in the centre's time zone; `now` is a parameter so tests and the simulator can
place a call at any moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from ivr.settings import Settings

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# Looked ahead for the next opening: longer than any run of holidays (Tết is at most ~9 days).
_LOOKAHEAD_DAYS = 21


@lru_cache(maxsize=8)
def _vietnam_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_holiday(day: date) -> bool:
    return day in _vietnam_holidays(day.year)


def _open_days(settings: Settings) -> list[int]:
    named = {d.strip().lower() for d in settings.opening_days.split(",")}
    return [i for i, name in enumerate(_DAY_NAMES) if name in named]


def _working_day(day: date, settings: Settings) -> bool:
    return day.weekday() in _open_days(settings) and not is_holiday(day)


def is_open(now: datetime, settings: Settings) -> bool:
    if settings.hotline_force == "open":
        return True
    if settings.hotline_force == "closed":
        return False
    local = now.astimezone(ZoneInfo(settings.timezone))
    if not _working_day(local.date(), settings):
        return False
    return settings.opening_time <= local.time().replace(tzinfo=None) < settings.closing_time


def next_opening(now: datetime, settings: Settings) -> datetime | None:
    """When operators next start work after `now` (local time), by the calendar; None when
    the schedule has no working day ahead (no opening days configured)."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    for ahead in range(_LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=ahead)
        start = datetime.combine(day, settings.opening_time, tzinfo=local.tzinfo)
        if start > local and _working_day(day, settings):
            return start
    return None


def _clock_spoken(at: time) -> str:
    return f"{at.hour} giờ {at.minute}" if at.minute else f"{at.hour} giờ"


def _clock_sms(at: time) -> str:
    return f"{at.hour}h{at.minute:02d}" if at.minute else f"{at.hour}h"


def _days_words(days: list[int]) -> str:
    """`thứ Hai đến thứ Sáu` for a run of days, `thứ Hai, thứ Tư và thứ Sáu` otherwise."""
    if not days:
        return ""
    words = [_DAY_WORDS[d] for d in days]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{words[0]} đến {words[-1]}"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " và " + words[-1]


def opening_hours_text(settings: Settings) -> str:
    """`từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu`: as it is said and printed."""
    days = _days_words(_open_days(settings))
    hours = f"từ {_clock_spoken(settings.opening_time)} đến {_clock_spoken(settings.closing_time)}"
    return f"{hours}, {days}" if days else hours


@dataclass(frozen=True)
class CallbackPromise:
    """When an operator will call a caller back, as the hotline tells it."""

    # "trong vòng 4 giờ làm việc", "từ 7 giờ 30 ngày mai", "từ 7 giờ 30, thứ Hai ngày 7 tháng 12"
    spoken: str
    sms: str  # "trong vong 4 gio lam viec" / "tu 7h30 ngay 07/12"


def callback_promise(now: datetime, settings: Settings) -> CallbackPromise:
    """Inside opening hours: within the configured working hours; outside them: from the
    next working day's opening hour, from the calendar (weekends, Vietnamese holidays)."""
    hours = settings.callbacks.promise_hours
    if is_open(now, settings):
        return CallbackPromise(f"trong vòng {hours} giờ làm việc", f"trong vong {hours} gio lam viec")
    opening = next_opening(now, settings)
    if opening is None:
        return CallbackPromise("trong giờ làm việc", "trong gio lam viec")
    today = now.astimezone(opening.tzinfo).date()
    clock = _clock_spoken(opening.time())
    if opening.date() == today:
        spoken = f"từ {clock} hôm nay"
    elif opening.date() == today + timedelta(days=1):
        spoken = f"từ {clock} ngày mai"
    else:
        spoken = f"từ {clock}, {_DAY_WORDS[opening.weekday()]} ngày {opening.day} tháng {opening.month}"
    return CallbackPromise(spoken, f"tu {_clock_sms(opening.time())} ngay {opening:%d/%m}")
