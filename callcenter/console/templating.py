"""Jinja2 pages: the environment, Vietnamese display filters, and one render helper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from callcenter.calls.narrative import author
from callcenter.console.session import ensure_session, write_session
from callcenter.procedures import load_catalogue
from ivr.queue.presence import ANSWERING_ROLES
from ivr.settings import Settings
from models.domain.citizen_id import mask_citizen_id

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def phone_national(value: str | None) -> str:
    """`+84905123456` → `0905 123 456`: how people here write and read numbers."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        return value
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))


def waited(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return "dưới 1 phút"
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    days, hours = divmod(hours, 24)
    return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"


def day_month_year(value: date | str | None) -> str:
    """`2026-12-20` (or a date) → `20/12/2026`, whatever the browser's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def number_vi(value: float | int | None, digits: int = 0) -> str:
    """Vietnamese number format: `1.234`, `0,7` (thousands by dots, decimals by a comma)."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}" if digits else f"{round(value):,}"
    return text.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")


def duration(seconds: float | None) -> str:
    """`1 giờ 5 phút`, `3 phút 20 giây`: durations as people say them."""
    if seconds is None:
        return "—"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ"
    if hours:
        return f"{hours} giờ {minutes} phút"
    if minutes:
        return f"{minutes} phút {secs} giây"
    return f"{secs} giây"


def vnd(value: int) -> str:
    """`1.950.000.000 đ`: Vietnamese thousands separator."""
    return number_vi(value) + " đ"


def procedure_name(code: str) -> str:
    found = load_catalogue().get(code)
    return found.name if found else code


def variant_name(procedure: str, variant: str | None) -> str:
    found = load_catalogue().get(procedure)
    chosen = found.variant(variant) if found else None
    return chosen.name if chosen else (variant or "")


CHANNELS = {
    "ivr": "Tổng đài tự động", "sms": "Tin nhắn SMS", "operator": "Điện thoại viên",
    "web": "Điện thoại thông minh",
}
STATUSES = {
    "draft": "Nháp", "in_progress": "Đang xử lý", "submitting": "Đang gửi", "submitted": "Đã gửi",
    "processing": "Đang giải quyết", "result_ready": "Có kết quả", "in_transit": "Đang chuyển phát",
    "delivered": "Đã trả kết quả", "cancelled": "Đã hủy", "rejected": "Bị từ chối",
}
ROLES = {"operator": "Điện thoại viên", "supervisor": "Giám sát viên", "admin": "Quản trị viên"}

TEMPLATES.env.filters["phone"] = phone_national
TEMPLATES.env.filters["waited"] = waited
TEMPLATES.env.filters["mask_id"] = mask_citizen_id
TEMPLATES.env.filters["dmy"] = day_month_year
TEMPLATES.env.filters["num"] = number_vi
TEMPLATES.env.filters["author"] = author
TEMPLATES.env.filters["duration"] = duration
TEMPLATES.env.filters["vnd"] = vnd
TEMPLATES.env.globals.update(
    procedure_name=procedure_name, variant_name=variant_name, CHANNELS=CHANNELS, STATUSES=STATUSES,
    # ANSWERING_ROLES: who gets the live-calls panel (the queue, callers' whole numbers).
    ROLES=ROLES, ANSWERING_ROLES=ANSWERING_ROLES,
)


def local_time(settings: Settings) -> Callable[..., str]:
    """The templates' `local(value, fmt)`: an instant in the centre's time zone, dd/mm/yyyy HH:MM."""
    zone = ZoneInfo(settings.timezone)

    def local(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        return value.astimezone(zone).strftime(fmt) if value else ""

    return local


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, templates: Jinja2Templates = TEMPLATES) -> HTMLResponse:
    """A page with the user, the CSRF token and a local-time filter; sets the session cookie if new."""
    settings: Settings = request.app.state.settings
    session, is_new = ensure_session(request)
    full = {
        "user": getattr(request.state, "console_user", None),
        "csrf_token": session.csrf_token,
        "local": local_time(settings),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    if is_new:
        write_session(response, session, settings=settings)
    return response
