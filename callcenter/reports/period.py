"""A reporting period: `[since, until)` in UTC, read from dates a supervisor types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcenter.pagination import query_error


@dataclass(frozen=True)
class Period:
    since: datetime | None  # inclusive
    until: datetime | None  # exclusive


def parse_moment(name: str, value: str | None, *, tz: ZoneInfo, end_of_day: bool) -> datetime | None:
    """An ISO date or datetime; without an offset it is the centre's local time.

    `until=2026-01-05` means up to the end of that day, as a person reads a date range.
    """
    if not value:
        return None
    if len(value) > 19 and value[-6] == " ":
        value = f"{value[:-6]}+{value[-5:]}"  # an unencoded `+07:00` arrives as ` 07:00`
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time.min, tzinfo=tz)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise query_error(
            name, "Ngày giờ không hợp lệ; dùng dạng 2026-01-05 hoặc 2026-01-05T08:30:00+07:00.", value
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def parse_period(since: str | None, until: str | None, *, tz: ZoneInfo) -> Period:
    return Period(
        since=parse_moment("since", since, tz=tz, end_of_day=False),
        until=parse_moment("until", until, tz=tz, end_of_day=True),
    )


def last_days(days: int, *, tz: ZoneInfo, today: date) -> Period:
    """The `days` local days ending with today (the dashboard's default)."""
    start = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=tz)
    return Period(since=start, until=datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz))
