"""CSRF protection for every console form: a per-session token in a hidden field.

The token lives inside the signed session cookie; a form is accepted only when its
`csrf_token` field equals it. A cross-site page can make the browser send the cookie
but cannot read the token, so it cannot forge the field.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from callcenter.console.errors import ConsoleError
from callcenter.console.session import read_session

FIELD = "csrf_token"
REJECTED = (
    "Biểu mẫu không hợp lệ hoặc đã cũ (thiếu mã bảo vệ CSRF), nên không có gì được thay đổi. "
    "Hãy tải lại trang rồi thử lại."
)


async def csrf_form(request: Request) -> dict[str, str]:
    """The submitted form's text fields, after the CSRF token has been checked."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    session = read_session(request)
    sent = values.pop(FIELD, "")
    if session is None or not sent or not secrets.compare_digest(sent, session.csrf_token):
        raise ConsoleError(403, "Yêu cầu bị từ chối", REJECTED)
    return values


CsrfForm = Annotated[dict[str, str], Depends(csrf_form)]
