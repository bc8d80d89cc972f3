"""`tongdai users add NAME --role ROLE`: console accounts; the password comes from stdin only.
`tongdai users unlock NAME`: let a user who mistyped their password try again at once.

Never from an argument: arguments end up in shell history and in `ps` for every user of
the machine to read.
"""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from callcenter.audit.log import record_audit
from callcenter.auth.service import forget_username_rate, unlock
from callcenter.cli.common import cli_session
from callcenter.ratelimit import RateLimitUnavailable, build_rate_limiter
from callcenter.users.service import UserError, create_user, hash_password
from ivr.queue.presence import ANSWERING_ROLES
from ivr.settings import get_settings
from models.db import SchemaOutOfDate
from models.domain.phone import InvalidPhone, normalize_phone
from models.user import ROLES, User

app = typer.Typer(help="Tài khoản bảng điều khiển (console users).", no_args_is_help=True)


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[str, typer.Option("--role", help="operator, supervisor hoặc admin.")],
    full_name: Annotated[str, typer.Option("--full-name", help="Họ và tên.")] = "",
    phone: Annotated[str | None, typer.Option("--phone", help="Số điện thoại (gọi lại).")] = None,
) -> None:
    """Add a console user. Password: typed twice (terminal) or the first line of stdin."""
    username = name.strip()
    if not username:
        _fail("tên đăng nhập không được để trống")
    if role not in ROLES:  # checked before asking for a password nobody will use
        _fail(f"vai trò không hợp lệ: {role} ({', '.join(ROLES)})")
    stored_phone = _phone(phone)
    try:
        with cli_session() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                _fail(f"tài khoản {username} đã tồn tại")
            create_user(
                session, username=username, password=_read_password(), role=role,
                full_name=full_name.strip(), phone=stored_phone,
            )
            session.commit()
    except UserError as exc:
        _fail(str(exc))
    except IntegrityError:
        _fail(f"tài khoản {username} đã tồn tại")  # created by someone else meanwhile
    except (SchemaOutOfDate, OperationalError) as exc:
        _fail(f"cơ sở dữ liệu: {str(exc).strip().splitlines()[0]}")
    typer.echo(f"Đã tạo tài khoản {username} ({role}).")


@app.command("unlock")
def unlock_user(name: Annotated[str, typer.Argument(help="Tên đăng nhập.")]) -> None:
    """Forget a user's wrong passwords, from every address, so they may try again now.

    For the server's administrators (whoever may run this command on the host): a user
    who mistyped is never locked out for long, but a colleague waiting on them need not
    wait at all. Written to the audit trail.
    """
    username = name.strip()
    settings = get_settings()
    try:
        with cli_session() as session:
            if session.scalar(select(User.id).where(User.username == username)) is None:
                _fail(f"không có tài khoản {username}")
            addresses = unlock(session, username=username)
            record_audit(session, actor=None, actor_name="cli", action="unlock", target=f"user:{username}",
                         detail={"addresses": addresses})
            session.commit()
            # After the commit: the limiter writes on a connection of its own.
            limiter = build_rate_limiter(settings.rate_limit_storage_url, engine=session.get_bind().engine)
            forget_username_rate(limiter, settings.login, username=username)
    except RateLimitUnavailable as exc:
        _fail(f"kho đếm giới hạn (RATE_LIMIT_STORAGE_URL) không trả lời: {exc}")
    except (SchemaOutOfDate, OperationalError) as exc:
        _fail(f"cơ sở dữ liệu: {str(exc).strip().splitlines()[0]}")
    typer.echo(f"Đã mở khóa {username}: {addresses} địa chỉ không còn phải chờ.")


@app.command()
def pin(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập của điện thoại viên.")],
    phone: Annotated[str, typer.Option("--phone", help="Số điện thoại đăng ký để nhận cuộc gọi.")],
) -> None:
    """Register an operator's phone and PIN (4–8 digits, from stdin like a password): calling
    the hotline from that phone and keying the PIN takes callers from the queue."""
    stored_phone = _phone(phone)
    code = _read_password().strip()
    if not (code.isascii() and code.isdigit() and 4 <= len(code) <= 8):
        _fail("mã PIN phải gồm 4 đến 8 chữ số")
    try:
        with cli_session() as session:
            user = session.scalar(select(User).where(User.username == name.strip()))
            if user is None:
                _fail(f"không có tài khoản {name}")
            if user.role not in ANSWERING_ROLES:
                _fail(f"tài khoản {name} không nhận cuộc gọi (vai trò {user.role})")
            user.phone, user.pin_hash = stored_phone, hash_password(code)
            session.commit()
    except (SchemaOutOfDate, OperationalError) as exc:
        _fail(f"cơ sở dữ liệu: {str(exc).strip().splitlines()[0]}")
    typer.echo(f"Đã đăng ký số {stored_phone} và mã PIN cho {name}.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(
            typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
        )
    # Piped: the first line is the password; a second line, when present, is its repetition.
    lines = sys.stdin.read().splitlines()
    if not lines:
        _fail("không đọc được mật khẩu từ stdin")
    if len(lines) > 1 and lines[1] != lines[0]:
        _fail("hai lần nhập mật khẩu không khớp")
    return lines[0]


def _phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(1)
