"""Admins' page: what each console user did (the audit trail, with addresses), newest first.

Admins only, as `GET /api/v1/audit`: the trail names who looked at which citizen's ID and
from which address, which supervisors have no need to read."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from callcenter.console.deps import AdminPage
from callcenter.console.templating import render
from callcenter.pagination import Cursor, InvalidCursor, decode_cursor, encode_cursor, older_than
from models.audit import AuditEntry
from models.db import SessionDep

router = APIRouter()

PAGE_SIZE = 50
ACTIONS = {
    "login": "Đăng nhập", "login_failed": "Đăng nhập sai", "logout": "Đăng xuất", "claim": "Nhận hồ sơ",
    "release": "Trả hồ sơ", "edit": "Sửa hồ sơ", "submit": "Gửi hồ sơ", "callback": "Gọi lại",
    "view_id_number": "Xem số căn cước", "unlock": "Mở khóa đăng nhập", "export": "Tải dữ liệu",
    "user_add": "Thêm tài khoản", "user_disable": "Khóa tài khoản", "user_enable": "Mở lại tài khoản",
    "user_reset_password": "Đặt lại mật khẩu",
    "callback_done": "Gọi lại xong", "callback_unreachable": "Không liên lạc được",
}


@router.get("/activity", response_class=HTMLResponse)
def activity_page(request: Request, user: AdminPage, db: SessionDep,
                  cursor: str | None = None) -> Response:
    stmt = select(AuditEntry)
    if cursor:
        with contextlib.suppress(InvalidCursor):  # a mangled cursor: the first page
            stmt = stmt.where(older_than(AuditEntry.at, AuditEntry.id, decode_cursor(cursor)))
    rows = db.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(PAGE_SIZE + 1)).all()
    page = rows[:PAGE_SIZE]
    next_cursor = encode_cursor(Cursor(at=page[-1].at, id=page[-1].id)) if len(rows) > PAGE_SIZE else None
    return render(request, "activity.html", {"entries": page, "next_cursor": next_cursor, "actions": ACTIONS})
