"""`tongdai users add` (the password only ever from stdin) and `unlock`; clear errors, exit 1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from callcenter.cli.main import app
from callcenter.ratelimit import Limit, build_rate_limiter
from callcenter.users.service import authenticate, create_user
from ivr.settings import LoginConfig
from models.audit import AuditEntry
from models.base import utcnow
from models.login_throttle import LoginThrottle
from models.user import User


@pytest.fixture
def tongdai(
    db: Session, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env

    def run(*args: str, stdin: str = "") -> Result:
        return CliRunner().invoke(app, list(args), input=stdin)

    return run


def users(db: Session) -> dict[str, User]:
    db.commit()  # end the snapshot: see what the command committed
    return {user.username: user for user in db.scalars(select(User))}


def test_adds_a_user_with_the_password_piped_twice(tongdai: Callable[..., Result], db: Session) -> None:
    result = tongdai("users", "add", "thuha", "--role", "operator", "--full-name", "Trần Thị Thu Hà",
                     "--phone", "0905 111 222", stdin="mật-khẩu-dài\nmật-khẩu-dài\n")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản thuha (operator)" in result.output
    user = users(db)["thuha"]
    assert (user.role, user.full_name, user.phone) == ("operator", "Trần Thị Thu Hà", "+84905111222")
    assert authenticate(db, username="thuha", password="mật-khẩu-dài") is not None
    assert "mật-khẩu-dài" not in result.output


def test_a_single_piped_line_is_enough(tongdai: Callable[..., Result], db: Session) -> None:
    result = tongdai("users", "add", "giamsat2", "--role", "supervisor", stdin="supervisor-pass\n")
    assert result.exit_code == 0, result.output
    assert authenticate(db, username="giamsat2", password="supervisor-pass") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--role", "operator"), "password-one\npassword-two\n", "hai lần nhập mật khẩu không khớp"),
        (("--role", "operator"), "pw\npw\n", "mật khẩu phải có ít nhất 10 ký tự"),
        (("--role", "operator"), "", "không đọc được mật khẩu"),
        (("--role", "boss"), "long-enough-pw\n", "vai trò không hợp lệ: boss"),
        (("--role", "operator", "--phone", "12345"), "long-enough-pw\n", "số điện thoại không hợp lệ"),
    ],
)
def test_bad_input_is_refused_with_exit_1_and_no_user(
    tongdai: Callable[..., Result], db: Session, args: tuple[str, ...], stdin: str, message: str
) -> None:
    result = tongdai("users", "add", "vanhanh2", *args, stdin=stdin)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert users(db) == {}


def test_an_existing_username_is_refused_and_kept(tongdai: Callable[..., Result], db: Session) -> None:
    create_user(db, username="vanhanh", password="the-original-pw", role="operator")
    db.commit()
    result = tongdai("users", "add", "vanhanh", "--role", "admin", stdin="another-password\n")
    assert result.exit_code == 1
    assert "tài khoản vanhanh đã tồn tại" in result.output
    assert users(db)["vanhanh"].role == "operator"
    assert authenticate(db, username="vanhanh", password="the-original-pw") is not None


def test_unlock_lets_a_user_try_again_at_once_from_every_address(
    tongdai: Callable[..., Result], db: Session, engine: Engine
) -> None:
    create_user(db, username="vanhanh", password="the-original-pw", role="operator")
    later = utcnow() + timedelta(minutes=5)
    for who, address in (("vanhanh", "10.0.0.1"), ("vanhanh", "10.0.0.2"), ("khac", "10.0.0.1")):
        db.add(LoginThrottle(username=who, address=address, failures=9, first_failed_at=utcnow(),
                             last_failed_at=utcnow(), not_before=later))
    db.commit()
    limiter = build_rate_limiter("database://", engine=engine)
    per_username = Limit.parse(LoginConfig().per_username)
    while limiter.hit(per_username, "login-user", "vanhanh"):
        pass  # spread-out guessers have used up this username's rate

    result = tongdai("users", "unlock", "vanhanh")

    assert result.exit_code == 0, result.output
    assert "Đã mở khóa vanhanh: 2 địa chỉ không còn phải chờ." in result.output
    db.commit()
    assert [(t.username, t.address) for t in db.scalars(select(LoginThrottle))] == [("khac", "10.0.0.1")]
    assert limiter.test(per_username, "login-user", "vanhanh")
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "unlock")).all()
    assert (entry.actor, entry.target, entry.detail) == ("cli", "user:vanhanh", {"addresses": 2})


def test_unlock_names_an_unknown_user(tongdai: Callable[..., Result], db: Session) -> None:
    result = tongdai("users", "unlock", "khongco")
    assert result.exit_code == 1
    assert "Lỗi: không có tài khoản khongco" in result.output


def test_an_operators_phone_and_pin_are_registered_and_the_pin_hashed(
    tongdai: Callable[..., Result], db: Session
) -> None:
    assert tongdai("users", "add", "vana", "--role", "operator", stdin="mat-khau-du-dai-123\n").exit_code == 0
    bad = tongdai("users", "pin", "vana", "--phone", "0905111222", stdin="12\n")
    assert bad.exit_code == 1 and "4 đến 8 chữ số" in bad.output
    done = tongdai("users", "pin", "vana", "--phone", "0905111222", stdin="2468\n")
    assert done.exit_code == 0, done.output
    db.expire_all()
    user = db.scalar(select(User).where(User.username == "vana"))
    assert user is not None and user.phone == "+84905111222"
    assert user.pin_hash and "2468" not in user.pin_hash and user.pin_hash.startswith("$argon2")
