"""The supervisor pages' templates: their own folder, laid out in the console's base page.

An overlay of the console's Jinja environment, so the console's filters (`phone`,
`mask_id`), names (procedures, statuses) and layout are the same here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from callcenter.console import templating as console
from callcenter.console.session import ensure_session, write_session
from callcenter.operators.wrap_up import code_label
from ivr.settings import Settings

HERE = Path(__file__).resolve().parent
_ENV = console.TEMPLATES.env.overlay(
    loader=ChoiceLoader([FileSystemLoader(str(HERE / "templates")), console.TEMPLATES.env.loader]),  # type: ignore[list-item]
)
OUTCOMES = {
    "dossier_created": "Tạo hồ sơ", "transferred": "Chuyển điện thoại viên",
    "answered": "Điện thoại viên đã nghe máy", "abandoned_in_queue": "Bỏ máy khi chờ điện thoại viên",
    "callback_requested": "Xin gọi lại", "abandoned": "Bỏ máy giữa chừng", "status_read": "Hỏi tình trạng",
    "error": "Lỗi",
}
EVENT_KINDS = {
    "menu": "Vào bước", "key": "Bấm phím", "prompt": "Phát lời", "transfer": "Chuyển máy",
    "callback": "Xin gọi lại", "consent": "Đồng ý", "status": "Đọc tình trạng", "guard": "Giới hạn",
    "dossier": "Tạo hồ sơ", "outcome": "Kết thúc", "error": "Lỗi", "queue": "Hàng chờ",
}
# What a queue event on the timeline says (`detail.what`).
QUEUE_EVENTS = {
    "joined": "vào hàng chờ", "announced": "nghe thông báo", "offered": "mời điện thoại viên nghe máy",
    "missed": "điện thoại viên không nghe máy", "answered": "điện thoại viên nghe máy",
    "callback": "xin gọi lại", "left": "rời hàng chờ", "ended": "kết thúc cuộc gọi với điện thoại viên",
    "wrap_up": "ghi kết quả cuộc gọi",
}
_ENV.globals.update(OUTCOMES=OUTCOMES, EVENT_KINDS=EVENT_KINDS, QUEUE_EVENTS=QUEUE_EVENTS,
                    WRAP_UP_LABEL=code_label)


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
    return f"{value:,}".replace(",", ".") + " đ"


_ENV.filters.update(duration=duration, vnd=vnd)
TEMPLATES = Jinja2Templates(env=_ENV)


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page with what the console's layout expects: the user, the CSRF token, local times."""
    settings: Settings = request.app.state.settings
    session, is_new = ensure_session(request)
    zone = ZoneInfo(settings.timezone)

    def local(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        return value.astimezone(zone).strftime(fmt) if value else ""

    full = {"user": getattr(request.state, "console_user", None), "csrf_token": session.csrf_token,
            "local": local, **context}
    response = TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
    if is_new:
        write_session(response, session, settings=settings)
    return response
